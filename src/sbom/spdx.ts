import { spdxFileId, spdxPackageId } from './ids.ts';
import { licenseRefsIn, NOASSERTION } from './licenses.ts';
import type { SbomDocument, SbomPackage } from './model.ts';
import { ociPurl } from './purl.ts';
import { TOOL_NAME, TOOL_VERSION } from './tool.ts';

/**
 * SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/, schema `spdx-schema.json` of spdx/spdx-spec). One
 * package for the image (primaryPackagePurpose CONTAINER), one for the operating system, one per catalogued
 * package, related by DESCRIBES / CONTAINS / DEPENDS_ON. Source packages are not listed as packages of their own
 * (they are not installed, and a scanner reading every purl would count them); each binary package names its
 * source in `sourceInfo` and in its purl's `upstream` qualifier, as syft does.
 * Deterministic: ids are hashes of content, arrays are sorted, the namespace derives from the image digest.
 */

type Json = Record<string, unknown>;

const IMAGE_ID = 'SPDXRef-Image';
const OS_ID = 'SPDXRef-OperatingSystem';
const BASE_NAMESPACE = 'https://ironclad.dev/spdx';

/** The document namespace: unique per image and per kind of document (with or without files). */
export function spdxNamespace(doc: SbomDocument): string {
  return spdxNamespaceOf(doc.imageName, doc.imageDigest, doc.files !== undefined ? '/files' : '');
}

/** `https://ironclad.dev/spdx/NAME@DIGEST` + `suffix`: the namespace of a document about image (or index) DIGEST. */
export function spdxNamespaceOf(imageName: string, digest: string, suffix: string): string {
  const name = imageName.split('/').map(encodeURIComponent).join('/');
  return `${BASE_NAMESPACE}/${name}@${digest}${suffix}`;
}

function purlRef(purl: string): Json {
  return { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl };
}

function packageJson(p: SbomPackage): Json {
  const sourceInfo =
    p.type === 'deb' && p.sourceName !== undefined
      ? `built package from: ${p.sourceName} ${p.sourceVersion ?? p.version}`
      : undefined;
  return {
    name: p.name,
    SPDXID: spdxPackageId(p.type, p.name, p.purl),
    versionInfo: p.version,
    supplier: p.supplier,
    downloadLocation: p.downloadLocation ?? NOASSERTION,
    filesAnalyzed: false,
    ...(p.checksums !== undefined &&
      p.checksums.length > 0 && {
        checksums: p.checksums.map((c) => ({ algorithm: c.alg, checksumValue: c.value })),
      }),
    ...(sourceInfo !== undefined && { sourceInfo }),
    licenseConcluded: NOASSERTION,
    licenseDeclared: p.licenses,
    copyrightText: NOASSERTION,
    externalRefs: [purlRef(p.purl)],
    comment: `found by ${p.foundBy} in ${p.locations.join(', ')}`,
  };
}

function imagePackages(doc: SbomDocument): Json[] {
  const hex = doc.imageDigest.slice('sha256:'.length);
  const image: Json = {
    name: doc.imageName,
    SPDXID: IMAGE_ID,
    versionInfo: doc.imageDigest,
    supplier: NOASSERTION,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    checksums: [{ algorithm: 'SHA256', checksumValue: hex }],
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    externalRefs: [purlRef(ociPurl(doc.imageName, doc.imageDigest))],
    primaryPackagePurpose: 'CONTAINER',
    comment: `platform: ${doc.platform}`,
  };
  if (doc.distro === null) return [image];
  const os: Json = {
    name: doc.distro.id,
    SPDXID: OS_ID,
    versionInfo: doc.distro.versionId !== '' ? doc.distro.versionId : doc.distro.codename,
    supplier: NOASSERTION,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    // The 2.3 JSON schema spells this value with an underscore.
    primaryPackagePurpose: 'OPERATING_SYSTEM',
    ...(doc.distro.codename !== '' && { comment: `codename: ${doc.distro.codename}` }),
  };
  return [image, os];
}

function relationships(doc: SbomDocument): Json[] {
  const rel = (a: string, type: string, b: string) => ({
    spdxElementId: a,
    relationshipType: type,
    relatedSpdxElement: b,
  });
  const out: Json[] = [rel('SPDXRef-DOCUMENT', 'DESCRIBES', IMAGE_ID)];
  if (doc.distro !== null) out.push(rel(IMAGE_ID, 'CONTAINS', OS_ID));
  const byName = new Map<string, string[]>();
  for (const p of doc.packages) {
    const key = `${p.type}/${p.name}`;
    byName.set(key, [...(byName.get(key) ?? []), spdxPackageId(p.type, p.name, p.purl)]);
  }
  const filePaths = new Set((doc.files ?? []).map((f) => f.path));
  for (const p of doc.packages) {
    const id = spdxPackageId(p.type, p.name, p.purl);
    out.push(rel(IMAGE_ID, 'CONTAINS', id));
    for (const d of p.dependsOn)
      for (const to of byName.get(`${p.type}/${d}`) ?? []) out.push(rel(id, 'DEPENDS_ON', to));
    for (const f of p.files ?? []) if (filePaths.has(f)) out.push(rel(id, 'CONTAINS', spdxFileId(f)));
  }
  const key = (r: Json) => `${r.spdxElementId}\u0000${r.relationshipType}\u0000${r.relatedSpdxElement}`;
  const unique = new Map(out.map((r) => [key(r), r]));
  // DESCRIBES first (readers look for it there), then the rest in a fixed order.
  return [
    out[0]!,
    ...[...unique.entries()]
      .filter(([, r]) => r !== out[0])
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, r]) => r),
  ];
}

function extractedLicenses(doc: SbomDocument): Json[] {
  const refs = new Set(doc.packages.flatMap((p) => licenseRefsIn(p.licenses)));
  return [...refs].sort().map((id) => ({
    licenseId: id,
    name: id.slice('LicenseRef-'.length),
    extractedText: `License named "${id.slice('LicenseRef-'.length)}" by the package's metadata; the text is in the package.`,
  }));
}

function comment(doc: SbomDocument): string | undefined {
  const u = doc.unowned;
  if (u === undefined) return undefined;
  return `${u.unowned} of ${u.total} regular files are not owned by any package`;
}

/** The SPDX 2.3 document as a JSON value (keys in a fixed order). */
export function spdxDocument(doc: SbomDocument): Json {
  const extracted = extractedLicenses(doc);
  const note = comment(doc);
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${doc.imageName}@${doc.imageDigest}`,
    documentNamespace: spdxNamespace(doc),
    creationInfo: {
      created: doc.created,
      creators: [`Tool: ${TOOL_NAME}-${TOOL_VERSION}`, 'Organization: Ironclad'],
      ...(note !== undefined && { comment: note }),
    },
    packages: [...imagePackages(doc), ...doc.packages.map(packageJson)],
    ...(doc.files !== undefined && {
      files: doc.files.map((f) => ({
        fileName: `/${f.path}`,
        SPDXID: spdxFileId(f.path),
        checksums: [
          { algorithm: 'SHA1', checksumValue: f.sha1 },
          { algorithm: 'SHA256', checksumValue: f.sha256 },
        ],
        licenseConcluded: NOASSERTION,
        copyrightText: NOASSERTION,
      })),
    }),
    ...(extracted.length > 0 && { hasExtractedLicensingInfos: extracted }),
    relationships: relationships(doc),
  };
}

/** SPDX 2.3 JSON bytes: two-space indentation and a final newline, identical for identical input. */
export function writeSpdxJson(doc: SbomDocument): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(spdxDocument(doc), null, 2)}\n`);
}
