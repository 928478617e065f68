import type { KeyObject } from 'node:crypto';
import { fail } from '../core/index.ts';
import { documentDigest, type ImageBase, type ImageBasePlatform } from '../definition/index.ts';
import type { Descriptor } from '../oci/index.ts';
import { parseProvenance, type ReadProvenance } from './predicates/index.ts';
import { provenanceStatement } from './rebuild.ts';
import { lockedPlatformFromProvenance } from './rebuild-lock.ts';
import type { OpenedTarget } from './target.ts';
import { verifyImage } from './verify-image.ts';

/*
 * A published image as the base of a customization (docs/customization.md): nothing about it is used before it
 * verifies. The checks are `verify --require provenance`'s, with the key the customization names; the lock and
 * the definition then come from the verified provenance of each platform manifest.
 */

/** The reference a customization pins: as written, without its digest, and the digest. */
export interface PinnedImage {
  readonly image: string;
  readonly name: string;
  readonly digest: string;
}

/**
 * Verifies `opened` (the image `pinned` names) with `publicKey` and reads what a customization builds on.
 * @throws IroncladError `DIGEST_MISMATCH` when the image is not the pinned digest or its recorded definition does
 *   not have the recorded digest; the failing check's code (`SIGNATURE_INVALID`, `VERIFICATION_FAILED`, ...,
 *   all exit 3) when a signature or the provenance does not verify or is missing; `INVALID_INPUT` for an image whose
 *   provenance cannot be built on (no recorded definition, itself a customization, platforms that disagree).
 */
export async function verifyImageBase(
  opened: OpenedTarget,
  pinned: PinnedImage,
  publicKey: KeyObject,
): Promise<ImageBase> {
  const { sink, target } = opened;
  if (target.top.digest !== pinned.digest) {
    fail('DIGEST_MISMATCH', `extends: ${pinned.image}: the registry served ${target.top.digest}`, {
      hint: 'the digest pinned in extends: is the only image used as the base',
    });
  }
  const verdict = await verifyImage(sink, target, publicKey, { require: ['provenance'] });
  const failed = verdict.checks.find((c) => !c.ok) ?? verdict.entries.find((e) => !e.ok);
  if (failed !== undefined) {
    const what = 'check' in failed ? `${failed.check}: ${failed.detail}` : `${failed.referrer}: ${failed.detail}`;
    fail(failed.code ?? 'VERIFICATION_FAILED', `extends: ${pinned.image} does not verify with the key: ${what}`, {
      hint: 'check the key the base was signed with (ironclad verify IMAGE --key FILE --require provenance)',
    });
  }
  const read = await Promise.all(target.platforms.map((m) => platformOf(opened, m, publicKey)));
  const first = read[0]?.prov ?? fail('INVALID_INPUT', `extends: ${pinned.image} lists no platform manifest`);
  checkBuildable(
    pinned,
    read.map((r) => r.prov),
  );
  const document = first.definition.document!;
  return {
    image: pinned.image,
    name: pinned.name,
    digest: pinned.digest,
    document,
    definition: { path: first.definition.path, digest: `sha256:${first.definition.sha256}` },
    variant: first.variant,
    compression: first.compression ?? 'gzip',
    ...(first.source !== undefined && { source: first.source }),
    platforms: Object.fromEntries(read.map((r) => [r.prov.platform, r.platform])),
  };
}

async function platformOf(
  opened: OpenedTarget,
  manifest: Descriptor,
  publicKey: KeyObject,
): Promise<{ prov: ReadProvenance; platform: ImageBasePlatform }> {
  const prov = parseProvenance((await provenanceStatement(opened.sink, manifest, publicKey)).predicate);
  const locked = lockedPlatformFromProvenance(prov);
  return { prov, platform: { manifest: manifest.digest, locked, epoch: prov.sourceDateEpoch } };
}

/** One definition, one variant, a recorded document that has the recorded digest, and not itself a customization. */
function checkBuildable(pinned: PinnedImage, provs: readonly ReadProvenance[]): void {
  const where = `extends: ${pinned.image}`;
  for (const prov of provs) {
    const { document, sha256 } = prov.definition;
    if (prov.base !== undefined) {
      fail('INVALID_INPUT', `${where} is itself a customization (of ${prov.base.name}); it cannot be a base yet`, {
        hint: 'extend the definition it was built from (extends: NAME or a path)',
      });
    }
    if (document === undefined) {
      fail('INVALID_INPUT', `${where}: its provenance does not record its definition`, {
        hint: 'the image was built by an Ironclad version that did not record it; rebuild and publish it again',
      });
    }
    if (documentDigest(document) !== `sha256:${sha256}`) {
      fail('DIGEST_MISMATCH', `${where}: the recorded definition does not have the recorded digest sha256:${sha256}`);
    }
    const one = provs[0]!;
    if (prov.variant !== one.variant || prov.definition.sha256 !== one.definition.sha256) {
      fail('INVALID_INPUT', `${where}: its platforms were built from different definitions or variants`);
    }
  }
}
