import { createHash } from 'node:crypto';
import { fail, sha256Hex } from '../core/index.ts';
import { uuidFromName } from './ids.ts';
import { NOASSERTION } from './licenses.ts';
import { ociPurl } from './purl.ts';
import { spdxNamespaceOf } from './spdx.ts';
import { TOOL_NAME, TOOL_VERSION } from './tool.ts';

/*
 * The SBOM of a multi-platform image index. An index holds no files and no packages: it lists one image per
 * platform. So its SBOM says exactly that, and no more: the index as the described container, each platform image
 * (by manifest digest) as a container it contains, and a link to that platform's own SBOM (the document beside the
 * platform manifest, named and hashed), where the packages are. Admission controllers that check "an SBOM is
 * attested" on the digest a pod names (the index, for a multi-platform tag) find this one; scanners follow the links
 * or read the platform manifest's SBOM. Both documents are deterministic for equal input.
 */

type Json = Record<string, unknown>;

/** One platform image of the index and the bytes of its own SBOMs, as stored beside its manifest. */
export interface IndexSbomPlatform {
  /** `os/arch[/variant]`. */
  readonly platform: string;
  readonly manifestDigest: string;
  readonly spdx: Uint8Array;
  readonly cyclonedx: Uint8Array;
}

export interface IndexSbomInput {
  /** Image name without tag or digest, as in the platform SBOMs. */
  readonly imageName: string;
  readonly indexDigest: string;
  /** ISO 8601 UTC without fractions (the build's SOURCE_DATE_EPOCH). */
  readonly created: string;
  readonly platforms: readonly IndexSbomPlatform[];
}

const INDEX_ID = 'SPDXRef-Image';

/**
 * SPDX 2.3: the index package (CONTAINER) DESCRIBED by the document, CONTAINS one package per platform image, each
 * DESCRIBED_BY its platform SPDX document, referenced through `externalDocumentRefs` (namespace and SHA1 of the
 * document's bytes, SPDX 2.3 §6.6). @throws INVALID_INPUT when a platform document has no namespace.
 */
export function indexSpdxDocument(input: IndexSbomInput): Json {
  const platforms = input.platforms.map((p) => ({ ...p, id: idSafe(p.platform) }));
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${input.imageName}@${input.indexDigest}`,
    documentNamespace: spdxNamespaceOf(input.imageName, input.indexDigest, ''),
    creationInfo: {
      created: input.created,
      creators: [`Tool: ${TOOL_NAME}-${TOOL_VERSION}`, 'Organization: Ironclad'],
      comment: 'A multi-platform image index: its packages are listed in each platform image SBOM referenced here.',
    },
    externalDocumentRefs: platforms.map((p) => ({
      externalDocumentId: `DocumentRef-${p.id}`,
      spdxDocument: platformNamespace(p),
      checksum: { algorithm: 'SHA1', checksumValue: createHash('sha1').update(p.spdx).digest('hex') },
    })),
    packages: [
      containerPackage(input.imageName, input.indexDigest, INDEX_ID, 'multi-platform image index'),
      ...platforms.map((p) =>
        containerPackage(input.imageName, p.manifestDigest, `SPDXRef-Platform-${p.id}`, `platform: ${p.platform}`),
      ),
    ],
    relationships: [
      rel('SPDXRef-DOCUMENT', 'DESCRIBES', INDEX_ID),
      ...platforms.flatMap((p) => [
        rel(INDEX_ID, 'CONTAINS', `SPDXRef-Platform-${p.id}`),
        rel(`SPDXRef-Platform-${p.id}`, 'DESCRIBED_BY', `DocumentRef-${p.id}:SPDXRef-DOCUMENT`),
      ]),
    ],
  };
}

/**
 * CycloneDX 1.6: the index as `metadata.component` (container), each platform image a container component whose
 * `externalReferences` has a `bom` link (BOM-Link `urn:cdx:<serial>/<version>`, with the SHA-256 of the platform
 * BOM's bytes). @throws INVALID_INPUT when a platform BOM has no serial number.
 */
export function indexCycloneDxDocument(input: IndexSbomInput): Json {
  const purl = ociPurl(input.imageName, input.indexDigest);
  const components = input.platforms.map((p) => {
    const ref = ociPurl(input.imageName, p.manifestDigest);
    return {
      type: 'container',
      'bom-ref': ref,
      name: input.imageName,
      version: p.manifestDigest,
      hashes: [{ alg: 'SHA-256', content: p.manifestDigest.slice('sha256:'.length) }],
      purl: ref,
      externalReferences: [
        { type: 'bom', url: bomLink(p), hashes: [{ alg: 'SHA-256', content: sha256Hex(p.cyclonedx) }] },
      ],
      properties: [{ name: 'ironclad:image:platform', value: p.platform }],
    };
  });
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuidFromName(`cyclonedx-index:${input.imageName}@${input.indexDigest}`)}`,
    version: 1,
    metadata: {
      timestamp: input.created,
      tools: { components: [{ type: 'application', name: TOOL_NAME, version: TOOL_VERSION }] },
      component: {
        type: 'container',
        'bom-ref': purl,
        name: input.imageName,
        version: input.indexDigest,
        hashes: [{ alg: 'SHA-256', content: input.indexDigest.slice('sha256:'.length) }],
        purl,
        properties: [{ name: 'ironclad:image:kind', value: 'index' }],
      },
    },
    components,
    dependencies: [{ ref: purl, dependsOn: components.map((c) => c['bom-ref']) }],
  };
}

function containerPackage(name: string, digest: string, id: string, comment: string): Json {
  return {
    name,
    SPDXID: id,
    versionInfo: digest,
    supplier: NOASSERTION,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    checksums: [{ algorithm: 'SHA256', checksumValue: digest.slice('sha256:'.length) }],
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    externalRefs: [
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: ociPurl(name, digest) },
    ],
    primaryPackagePurpose: 'CONTAINER',
    comment,
  };
}

function rel(a: string, type: string, b: string): Json {
  return { spdxElementId: a, relationshipType: type, relatedSpdxElement: b };
}

/** `linux/arm/v7` → `linux-arm-v7`: SPDX ids allow letters, digits, `.` and `-`. */
function idSafe(platform: string): string {
  return platform.replace(/[^A-Za-z0-9.-]+/g, '-');
}

function platformNamespace(p: IndexSbomPlatform): string {
  const ns = parsed(p.spdx, `SPDX SBOM of ${p.platform}`).documentNamespace;
  if (typeof ns !== 'string' || ns === '') fail('INVALID_INPUT', `SPDX SBOM of ${p.platform}: no documentNamespace`);
  return ns;
}

/** CycloneDX BOM-Link to a whole BOM: `urn:cdx:<serial number UUID>/<version>`. */
function bomLink(p: IndexSbomPlatform): string {
  const doc = parsed(p.cyclonedx, `CycloneDX SBOM of ${p.platform}`);
  const serial = typeof doc.serialNumber === 'string' ? /^urn:uuid:([0-9a-f-]{36})$/.exec(doc.serialNumber) : null;
  if (serial === null) fail('INVALID_INPUT', `CycloneDX SBOM of ${p.platform}: no urn:uuid serialNumber`);
  return `urn:cdx:${serial[1]}/${typeof doc.version === 'number' ? doc.version : 1}`;
}

function parsed(bytes: Uint8Array, what: string): Json {
  try {
    const doc: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return doc as Json;
  } catch (err) {
    return fail('INVALID_INPUT', `${what}: not JSON`, { cause: err });
  }
  return fail('INVALID_INPUT', `${what}: not a JSON object`);
}
