import { fixupSpdxId } from '@cyclonedx/cyclonedx-library/SPDX';
import { uuidFromName } from './ids.ts';
import { NOASSERTION } from './licenses.ts';
import type { SbomDocument, SbomPackage } from './model.ts';
import { ociPurl } from './purl.ts';
import { TOOL_NAME, TOOL_VERSION } from './tool.ts';

/**
 * CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/), hand-built from the model and validated against the
 * official schema in tests. `bom-ref` of a component is its purl (unique in the model); the image is
 * `metadata.component` (type container), the distribution an operating-system component. The serial number is a
 * UUID derived from the image digest, and the timestamp is the document's creation time, so identical input gives
 * identical bytes.
 */

type Json = Record<string, unknown>;

function prop(name: string, value: string | number | undefined): Json[] {
  return value === undefined || value === '' ? [] : [{ name, value: String(value) }];
}

/** A single listed SPDX id as `license.id`, anything else as one `expression` (CycloneDX 1.6 licenseChoice). */
function licenses(expr: string): Json[] | undefined {
  if (expr === NOASSERTION) return undefined;
  if (fixupSpdxId(expr) === expr) return [{ license: { id: expr } }];
  return [{ expression: expr }];
}

/** SPDX supplier text (`Person: Name (mail)`, `Organization: Name`) → CycloneDX organizationalEntity. */
function supplier(text: string): Json | undefined {
  const m = /^(?:Person|Organization):\s*(.*?)\s*(?:\(([^()\s]+@[^()\s]+)\))?$/.exec(text);
  if (m?.[1] === undefined || m[1] === '') return undefined;
  return { name: m[1], ...(m[2] !== undefined && { contact: [{ email: m[2] }] }) };
}

function component(p: SbomPackage): Json {
  const lic = licenses(p.licenses);
  const sup = supplier(p.supplier);
  return {
    type: 'library',
    'bom-ref': p.purl,
    ...(sup !== undefined && { supplier: sup }),
    name: p.name,
    version: p.version,
    ...(p.checksums !== undefined &&
      p.checksums.length > 0 && { hashes: p.checksums.map((c) => ({ alg: 'SHA-256', content: c.value })) }),
    ...(lic !== undefined && { licenses: lic }),
    purl: p.purl,
    properties: [
      ...prop('ironclad:package:type', p.type),
      ...prop('ironclad:package:foundBy', p.foundBy),
      ...prop('ironclad:package:arch', p.arch),
      ...prop('ironclad:package:sourceName', p.sourceName),
      ...prop('ironclad:package:sourceVersion', p.sourceVersion),
      ...p.locations.flatMap((l, i) => prop(`ironclad:location:${i}:path`, l)),
    ],
  };
}

function metadata(doc: SbomDocument): Json {
  const purl = ociPurl(doc.imageName, doc.imageDigest);
  const u = doc.unowned;
  return {
    timestamp: doc.created,
    tools: { components: [{ type: 'application', name: TOOL_NAME, version: TOOL_VERSION }] },
    component: {
      type: 'container',
      'bom-ref': purl,
      name: doc.imageName,
      version: doc.imageDigest,
      hashes: [{ alg: 'SHA-256', content: doc.imageDigest.slice('sha256:'.length) }],
      purl,
      properties: [
        ...prop('ironclad:image:platform', doc.platform),
        ...(u === undefined
          ? []
          : [...prop('ironclad:image:regularFiles', u.total), ...prop('ironclad:image:unownedFiles', u.unowned)]),
      ],
    },
  };
}

function osComponent(doc: SbomDocument): Json[] {
  const d = doc.distro;
  if (d === null) return [];
  const version = d.versionId !== '' ? d.versionId : d.codename;
  return [
    {
      type: 'operating-system',
      'bom-ref': `os:${d.id}@${version}`,
      name: d.id,
      version,
      ...(d.codename !== '' && { properties: prop('ironclad:distro:codename', d.codename) }),
    },
  ];
}

function dependencies(doc: SbomDocument): Json[] {
  const byName = new Map<string, string[]>();
  for (const p of doc.packages)
    byName.set(`${p.type}/${p.name}`, [...(byName.get(`${p.type}/${p.name}`) ?? []), p.purl]);
  return doc.packages.map((p) => ({
    ref: p.purl,
    dependsOn: [...new Set(p.dependsOn.flatMap((d) => byName.get(`${p.type}/${d}`) ?? []))].sort(),
  }));
}

/** The CycloneDX 1.6 BOM as a JSON value (keys in a fixed order). */
export function cyclonedxDocument(doc: SbomDocument): Json {
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuidFromName(`cyclonedx:${doc.imageName}@${doc.imageDigest}`)}`,
    version: 1,
    metadata: metadata(doc),
    components: [...osComponent(doc), ...doc.packages.map(component)],
    dependencies: dependencies(doc),
  };
}

/** CycloneDX 1.6 JSON bytes: two-space indentation and a final newline, identical for identical input. */
export function writeCycloneDxJson(doc: SbomDocument): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(cyclonedxDocument(doc), null, 2)}\n`);
}
