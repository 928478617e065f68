import type { ControlParagraph } from './control.ts';

/**
 * What reading a binary package (.deb, deb(5)) yields: its control metadata and the entries of its data
 * archive, all in memory. Nothing is extracted to disk and no maintainer script is run.
 */

/** Fields every entry of the data archive carries. Paths are relative (`usr/bin/env`): no `./`, no `/`. */
interface DebEntryBase {
  readonly path: string;
  /** Permission bits including setuid/setgid/sticky (`0o7777` mask); the file type is in `type`. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds since the Unix epoch, as stored in the tar header. */
  readonly mtime: number;
}

/** One entry of `data.tar`. Device nodes and FIFOs are reported, not dropped, so assembly can reject them. */
export type DebEntry =
  | (DebEntryBase & { readonly type: 'file'; readonly data: Uint8Array })
  | (DebEntryBase & { readonly type: 'dir' })
  /** `linkname` is the symlink target exactly as stored (relative or absolute). */
  | (DebEntryBase & { readonly type: 'symlink'; readonly linkname: string })
  /** `linkname` is the normalised path of an earlier entry of the same archive. */
  | (DebEntryBase & { readonly type: 'hardlink'; readonly linkname: string })
  | (DebEntryBase & { readonly type: 'char' | 'block'; readonly devmajor: number; readonly devminor: number })
  | (DebEntryBase & { readonly type: 'fifo' });

export type DebEntryType = DebEntry['type'];

/** A file of the control archive other than `control`, `md5sums` and `conffiles`. */
export interface ControlMember {
  readonly name: string;
  /** Permission bits as shipped (maintainer scripts are executable). */
  readonly mode: number;
  readonly data: Uint8Array;
}

/** Compression of an archive member, from its name suffix (deb(5)). */
export type DebCompression = 'none' | 'gzip' | 'xz' | 'zstd';

export interface DebContents {
  /** The parsed `control` file (one deb822 paragraph). */
  readonly control: ControlParagraph;
  /** The `control` file exactly as shipped, for writing status.d entries. */
  readonly controlText: string;
  /** `md5sums` of the control archive: path (relative, as listed) → lowercase hex md5. Empty when absent. */
  readonly md5sums: ReadonlyMap<string, string>;
  /** `conffiles`: absolute paths as listed, in order. Empty when absent. */
  readonly conffiles: readonly string[];
  /**
   * The other members of the control archive that dpkg keeps in `/var/lib/dpkg/info/<pkg>.<name>`
   * (deb-preinst(5), deb-postinst(5), deb-triggers(5), deb-shlibs(5), deb-symbols(5), debconf's `config` and
   * `templates`), by name, sorted. Dev images need them to be configured; runtime images never run them.
   */
  readonly controlFiles: readonly ControlMember[];
  /** Entries of `data.tar` in archive order; the root entry (`./`) is omitted. */
  readonly entries: readonly DebEntry[];
  readonly controlCompression: DebCompression;
  readonly dataCompression: DebCompression;
}

/** Bounds on what one .deb may make us hold in memory; exceeding one is HOSTILE_INPUT. */
export interface DebLimits {
  /** Largest ar member (compressed) we buffer. */
  readonly maxMemberSize: number;
  /** Largest uncompressed control archive. */
  readonly maxControlSize: number;
  /** Largest uncompressed data archive; also bounds the sum of file contents. */
  readonly maxUnpackedSize: number;
  /** Most entries in the data (or control) archive. */
  readonly maxEntries: number;
  /** Longest normalised path, in bytes (Linux PATH_MAX is 4096). */
  readonly maxPathLength: number;
}

export const DEFAULT_DEB_LIMITS: DebLimits = {
  // The largest packages in Debian (debug symbols, firmware, texlive) stay well under 1 GiB compressed.
  maxMemberSize: 1024 * 1024 * 1024,
  maxControlSize: 64 * 1024 * 1024,
  maxUnpackedSize: 2 * 1024 * 1024 * 1024,
  maxEntries: 200_000,
  maxPathLength: 4096,
};
