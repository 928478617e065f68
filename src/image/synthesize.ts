import type { FileNode, FileTree } from './file-tree.ts';
import { withSynthesized } from './file-tree.ts';
import { APT_ACCOUNT, type AptRepository, aptNodes, hasApt } from './synthesize/apt-sources.ts';
import { caCertificateNodes } from './synthesize/ca-certificates.ts';
import { dpkgDatabaseNodes } from './synthesize/dpkg-database.ts';
import { triggerInterestNodes } from './synthesize/dpkg-triggers.ts';
import { filesystemNodes } from './synthesize/filesystem.ts';
import type { Group } from './synthesize/group.ts';
import { javaCacertsNodes } from './synthesize/java-cacerts.ts';
import { lockDirNodes } from './synthesize/lock-dir.ts';
import { nsswitchNode } from './synthesize/nsswitch.ts';
import type { DistroRelease } from './synthesize/os-release.ts';
import { osReleaseNodes } from './synthesize/os-release.ts';
import type { Account, VariantKind } from './synthesize/passwd.ts';
import { resolveAccounts } from './synthesize/passwd.ts';
import { shellsNodes } from './synthesize/shells.ts';
import { statusDNodes } from './synthesize/status-d.ts';

export interface SynthesizeOptions {
  /** Image name, for os-release's PRETTY_NAME. */
  readonly image: string;
  readonly distro: DistroRelease;
  /** Accounts the definition declares; the built-in ones are always added. */
  readonly accounts: readonly Account[];
  /** Groups the definition declares, with their members. */
  readonly groups?: readonly Group[];
  readonly kind: VariantKind;
  /** SOURCE_DATE_EPOCH: mtime of every generated file. */
  readonly epoch: number;
  /** Debian architecture of the image (`amd64`): dpkg's native architecture in dev images. */
  readonly architecture?: string;
  /** The distro's archives, written as apt's sources in dev images that have apt. */
  readonly repositories?: readonly AptRepository[];
  /**
   * Dev images only: leave the packages unpacked (maintainer scripts and trigger interests in place) for
   * `configureTree` to configure, instead of declaring them installed.
   */
  readonly configure?: boolean;
}

/**
 * Writes the effects maintainer scripts would have had, as pure functions of the tree (DESIGN.md: no code runs
 * at build time): accounts and base directories, nsswitch.conf, os-release, the CA bundle and Java trust store, then the package
 * database last, so its md5sums describe the files as finally shipped. Runtime images get distroless' status.d;
 * dev images get dpkg's own database instead (apt and dpkg read only that, and a scanner reading both layouts
 * must not see a package twice), plus /etc/shells, apt's sources, download directories and `_apt` account.
 * Returns a new tree.
 */
export function synthesize(tree: FileTree, opts: SynthesizeOptions): FileTree {
  const { epoch } = opts;
  const dev = opts.kind === 'dev';
  const declared = dev && hasApt(tree) && !opts.accounts.some((a) => a.name === APT_ACCOUNT.name);
  const accounts = resolveAccounts(declared ? [...opts.accounts, APT_ACCOUNT] : opts.accounts, opts.kind);
  const withFiles = withSynthesized(
    tree,
    [
      ...filesystemNodes(accounts, opts.groups ?? [], epoch),
      nsswitchNode(epoch),
      ...osReleaseNodes(opts.image, opts.distro, epoch),
      ...caCertificateNodes(tree, epoch),
      ...javaCacertsNodes(tree, epoch),
      ...(dev ? devNodes(tree, opts) : []),
    ],
    epoch,
  );
  const architecture = opts.architecture ?? nativeArchitecture(tree);
  const state = opts.configure === true ? 'unpacked' : 'installed';
  const database = dev
    ? [
        ...dpkgDatabaseNodes(tree, withFiles, { architecture, mtime: epoch, state }),
        ...(state === 'unpacked' ? triggerInterestNodes(tree, epoch) : []),
      ]
    : statusDNodes(withFiles, epoch);
  return withSynthesized(withFiles, database, epoch);
}

/** What a dev image's shells and apt expect that their maintainer scripts would have made. */
function devNodes(tree: FileTree, opts: SynthesizeOptions): FileNode[] {
  return [
    ...shellsNodes(tree, opts.epoch),
    ...aptNodes(tree, opts.repositories ?? [], opts.epoch),
    ...lockDirNodes(tree, opts.epoch),
  ];
}

/** The first architecture-specific package's architecture, for callers that do not pass one. */
function nativeArchitecture(tree: FileTree): string {
  return tree.packages.find((p) => p.locked.architecture !== 'all')?.locked.architecture ?? 'all';
}
