import { fail, type StageContext } from '../core/index.ts';
import { cosignTagSubject } from '../oci/index.ts';
import type { RegistryClient } from './client.ts';
import { type CopyReport, copyImage } from './copy.ts';
import { registryBlobStore } from './registry-store.ts';
import { listTags } from './tags.ts';
import { registryWriter } from './writer.ts';

/**
 * mirror: copies every tag of one repository matching a glob into another (same or different registry),
 * with all platforms and referrers. Referrers-tag-schema tags (`sha256-<hex>`) are not mirrored as tags:
 * the destination's own referrers index is rebuilt as the referrers are pushed. cosign's `sha256-<hex>.sig`/`.att`
 * tags come along with the image they sign, merged with the destination's.
 */

export interface RepositoryRef {
  readonly client: RegistryClient;
  readonly repo: string;
}

export interface MirrorOptions {
  /** Shell-style glob over tag names (`*`, `?`); default `*`. */
  readonly tags?: string;
  readonly referrers?: boolean;
  readonly concurrency?: number;
}

export interface MirrorReport {
  readonly tags: readonly { readonly tag: string; readonly report: CopyReport }[];
}

/** `*` matches any run of characters, `?` one; everything else literally. */
export function globToRegExp(glob: string): RegExp {
  if (glob.length > 256) fail('USAGE', 'tag pattern is too long');
  const body = [...glob]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

const REFERRERS_TAG = /^sha256-[a-f0-9]{64}$/;

/** Mirrors matching tags in lexical order; stops at the first failure (a rerun skips what was copied). */
export async function mirror(
  src: RepositoryRef,
  dst: RepositoryRef,
  opts: MirrorOptions,
  ctx: StageContext,
): Promise<MirrorReport> {
  const pattern = globToRegExp(opts.tags ?? '*');
  const tags = (await listTags(src.client, src.repo)).filter(
    (t) => pattern.test(t) && !REFERRERS_TAG.test(t) && cosignTagSubject(t) === undefined,
  );
  const store = registryBlobStore(src.client, src.repo);
  const sink = registryWriter(dst.client, dst.repo);
  const destinationStore = registryBlobStore(dst.client, dst.repo);
  const out: { tag: string; report: CopyReport }[] = [];
  for (const tag of [...tags].sort()) {
    ctx.log.info(`mirroring ${src.client.host}/${src.repo}:${tag} → ${dst.client.host}/${dst.repo}:${tag}`);
    const report = await copyImage(
      { store, ref: tag },
      sink,
      {
        tag,
        allPlatforms: true,
        referrers: opts.referrers ?? true,
        destinationStore,
        ...(opts.concurrency !== undefined && { concurrency: opts.concurrency }),
      },
      ctx,
    );
    out.push({ tag, report });
  }
  return { tags: out };
}
