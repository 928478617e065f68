import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Referrers } from '../oci/index.ts';
import {
  type Advisory,
  compileAdvisories,
  MAX_VEX_BYTES,
  nextVexVersion,
  OPENVEX_MEDIA_TYPE,
  type OpenVexDocument,
  parseAdvisories,
  parseOpenVex,
  scanPackagesOf,
  serializeOpenVex,
} from '../vuln/index.ts';
import type { PlatformBuild } from './build-platform.ts';

/** Maintainers' per-image advisories live beside the definition. */
export const ADVISORIES_FILE = 'advisories.yaml';
const AUTHOR = 'Ironclad image maintainers';

/** The definition's advisories, or undefined when it has no advisories.yaml. */
export async function readAdvisories(definitionDir: string): Promise<readonly Advisory[] | undefined> {
  const path = join(definitionDir, ADVISORIES_FILE);
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) =>
    err.code === 'ENOENT' ? undefined : Promise.reject(err),
  );
  return text === undefined ? undefined : parseAdvisories(text, path);
}

/**
 * Compiles the advisories for one platform image (product `pkg:oci/NAME@sha256:<manifest>`, subcomponents the
 * shipped package versions) and attaches the document beside the image as an OCI referrer. Timestamps come from
 * SOURCE_DATE_EPOCH, so a rebuild compiles the same document: when the image carries it already, nothing is
 * attached and that one is returned. When the advisories changed, the document is attached as the next version of
 * the one already there (`last_updated` = `now`), which readers then apply instead (vuln/vex-versions.ts).
 */
export async function storeAdvisoryVex(
  referrers: Referrers,
  name: string,
  platform: PlatformBuild,
  advisories: readonly Advisory[],
  now: Date,
): Promise<OpenVexDocument> {
  const packages = scanPackagesOf(platform.sbomPackages);
  const compiled = compileAdvisories(
    advisories,
    { imageName: name, imageDigest: platform.manifest.digest, packages, author: AUTHOR },
    new Date(platform.epoch * 1000),
  );
  const attached = await referrers.documents(platform.manifest.digest, OPENVEX_MEDIA_TYPE, MAX_VEX_BYTES);
  const earlier = attached.map((d) => parseOpenVex(d.bytes, `VEX ${d.layer.digest} of ${name}`));
  const { document, attached: already } = nextVexVersion(compiled, earlier, now);
  if (already) return document;
  const bytes = new TextEncoder().encode(serializeOpenVex(document));
  await referrers.attach({
    artifactType: OPENVEX_MEDIA_TYPE,
    subject: platform.manifest,
    layers: [{ mediaType: OPENVEX_MEDIA_TYPE, bytes }],
  });
  return document;
}
