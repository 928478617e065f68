import { fail, type StageContext } from '../core/index.ts';
import {
  formatImageRef,
  hostPlatform,
  type ImageEndpoint,
  type ImageRef,
  type Platform,
  type SignatureFormat,
  sourceTag,
  untaggedByDigest,
  writesPlatformTags,
} from '../oci/index.ts';
import { type CopyReport, copyImage } from './copy.ts';

/** Opens a reference as an endpoint; the caller plugs in the registry transport with its settings. Lazy. */
export type OpenImage = (ref: ImageRef) => ImageEndpoint;

export interface TransferOptions {
  /** Every platform of an index; otherwise only `platform`'s manifest (the host's when not given). */
  readonly allPlatforms: boolean;
  readonly platform?: Platform | undefined;
  /** SBOMs, signatures and attestations attached to the image, recursively. */
  readonly referrers: boolean;
  /** The destination tag when the destination reference has none; default: the source's tag. */
  readonly tag?: string | undefined;
  /** Which forms of signatures and attestations go with the referrers (default both). */
  readonly signatureFormat?: SignatureFormat | undefined;
}

export interface Transfer {
  /** Both ends as the user would type them, for messages and reports. */
  readonly source: string;
  readonly destination: string;
  readonly report: CopyReport;
}

/**
 * The one copy behind push, pull and copy: opens both ends, copies (every blob verified against its descriptor
 * before it becomes visible at the destination; what is already there is skipped), and names the result. The
 * destination's own tag wins; without one the copy takes `opts.tag`, else the source's tag. A destination is a
 * place, so a digest there is refused; an untagged copy in a registry or the store is named by its digest.
 * @throws IroncladError USAGE for a digest or docker-archive destination; the copy's errors otherwise.
 */
export async function transferImage(
  src: ImageRef,
  dst: ImageRef,
  opts: TransferOptions,
  open: OpenImage,
  ctx: StageContext,
): Promise<Transfer> {
  if ('digest' in dst && dst.digest !== undefined) {
    fail('USAGE', `${formatImageRef(dst)}: a destination is named by a tag, not a digest`, {
      hint: 'drop the @sha256:… part; the digest follows from the content and is printed after the copy',
    });
  }
  const from = open(src);
  const to = open(dst);
  const sink = to.requireWriter();
  const tag = 'tag' in dst && dst.tag !== undefined ? dst.tag : (opts.tag ?? sourceTag(src));
  const report = await copyImage(
    { store: from.store, ref: from.reference },
    sink,
    {
      allPlatforms: opts.allPlatforms,
      referrers: opts.referrers,
      // cosign tags are merged with those at the destination, so signatures made there survive a copy.
      destinationStore: to.store,
      ...(opts.signatureFormat !== undefined && { signatureFormat: opts.signatureFormat }),
      ...(!opts.allPlatforms && { platform: opts.platform ?? hostPlatform() }),
      ...(tag !== undefined && { tag: to.tagName(tag) }),
      // An OCI layout gets TAG-ARCH per platform, as build --out writes, for one-manifest-per-tag tools (umoci).
      platformTags: opts.allPlatforms && writesPlatformTags(dst),
    },
    ctx,
  );
  const shown = formatImageRef(tag === undefined ? dst : ({ ...dst, tag } as ImageRef));
  // Stored by digest only: say how to address it.
  const destination = tag === undefined && untaggedByDigest(dst) ? `${shown}@${report.descriptor.digest}` : shown;
  return { source: from.display, destination, report };
}
