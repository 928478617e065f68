import type { FileTree } from './file-tree.ts';
import { withSynthesized } from './file-tree.ts';
import { caCertificateNodes } from './synthesize/ca-certificates.ts';
import { filesystemNodes } from './synthesize/filesystem.ts';
import { nsswitchNode } from './synthesize/nsswitch.ts';
import type { DistroRelease } from './synthesize/os-release.ts';
import { osReleaseNodes } from './synthesize/os-release.ts';
import type { Account, VariantKind } from './synthesize/passwd.ts';
import { resolveAccounts } from './synthesize/passwd.ts';
import { statusDNodes } from './synthesize/status-d.ts';

export interface SynthesizeOptions {
  /** Image name, for os-release's PRETTY_NAME. */
  readonly image: string;
  readonly distro: DistroRelease;
  /** Accounts the definition declares; the built-in ones are always added. */
  readonly accounts: readonly Account[];
  readonly kind: VariantKind;
  /** SOURCE_DATE_EPOCH: mtime of every generated file. */
  readonly epoch: number;
}

/**
 * Writes the effects maintainer scripts would have had, as pure functions of the tree (DESIGN.md: no code runs
 * at build time): accounts and base directories, nsswitch.conf, os-release, the CA bundle, then the dpkg
 * status.d database last, so its md5sums describe the files as finally shipped. Returns a new tree.
 */
export function synthesize(tree: FileTree, opts: SynthesizeOptions): FileTree {
  const { epoch } = opts;
  const accounts = resolveAccounts(opts.accounts, opts.kind);
  const withFiles = withSynthesized(
    tree,
    [
      ...filesystemNodes(accounts, epoch),
      nsswitchNode(epoch),
      ...osReleaseNodes(opts.image, opts.distro, epoch),
      ...caCertificateNodes(tree, epoch),
    ],
    epoch,
  );
  return withSynthesized(withFiles, statusDNodes(withFiles, epoch), epoch);
}
