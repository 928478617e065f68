import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Referrers } from '../oci/index.ts';
import {
  type Advisory,
  compileAdvisories,
  OPENVEX_MEDIA_TYPE,
  type OpenVexDocument,
  parseAdvisories,
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
 * SOURCE_DATE_EPOCH, so a rebuild stores the same document.
 */
export async function storeAdvisoryVex(
  referrers: Referrers,
  name: string,
  platform: PlatformBuild,
  advisories: readonly Advisory[],
): Promise<OpenVexDocument> {
  const packages = scanPackagesOf(platform.sbomPackages);
  const doc = compileAdvisories(
    advisories,
    { imageName: name, imageDigest: platform.manifest.digest, packages, author: AUTHOR },
    new Date(platform.epoch * 1000),
  );
  const bytes = new TextEncoder().encode(serializeOpenVex(doc));
  await referrers.attach({
    artifactType: OPENVEX_MEDIA_TYPE,
    subject: platform.manifest,
    layers: [{ mediaType: OPENVEX_MEDIA_TYPE, bytes }],
  });
  return doc;
}
