import type { DebContents, DebEntry } from '../../src/debian/index.ts';
import { parseSingleParagraph } from '../../src/debian/index.ts';
import type { LockedPackage } from '../../src/definition/index.ts';
import type { AssembleInput } from '../../src/image/assemble.ts';

/** Shorthand entries for building package contents in memory (assembly is pure, so no .deb is needed). */
export type Spec =
  | { readonly dir: string; readonly mode?: number }
  | { readonly file: string; readonly content?: string; readonly mode?: number }
  | { readonly link: string; readonly to: string }
  | { readonly hardlink: string; readonly to: string }
  | { readonly device: string };

const MTIME = 1_700_000_000;

function entry(s: Spec): DebEntry {
  const base = { uid: 0, gid: 0, mtime: MTIME };
  if ('dir' in s) return { ...base, type: 'dir', path: s.dir, mode: s.mode ?? 0o755 };
  if ('file' in s) {
    return { ...base, type: 'file', path: s.file, mode: s.mode ?? 0o644, data: Buffer.from(s.content ?? s.file) };
  }
  if ('link' in s) return { ...base, type: 'symlink', path: s.link, mode: 0o777, linkname: s.to };
  if ('hardlink' in s) return { ...base, type: 'hardlink', path: s.hardlink, mode: 0o644, linkname: s.to };
  return { ...base, type: 'char', path: s.device, mode: 0o666, devmajor: 1, devminor: 3 };
}

export function lockedPackage(name: string, extra: Partial<LockedPackage> = {}): LockedPackage {
  return {
    name,
    version: '1.0-1',
    architecture: 'amd64',
    source: name,
    sourceVersion: '1.0-1',
    suite: 'bookworm',
    filename: `pool/main/${name[0]}/${name}/${name}_1.0-1_amd64.deb`,
    size: 1000,
    sha256: '0'.repeat(64),
    ...extra,
  };
}

/** A package with the given entries; a control file is generated. */
export function pkg(name: string, specs: readonly Spec[], extra: Partial<LockedPackage> = {}): AssembleInput {
  const controlText = `Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: T <t@example.org>\nDescription: ${name}\n test\n`;
  const deb: DebContents = {
    control: parseSingleParagraph(controlText),
    controlText,
    md5sums: new Map(),
    conffiles: [],
    controlFiles: [],
    entries: specs.map(entry),
    controlCompression: 'xz',
    dataCompression: 'xz',
  };
  return { pkg: lockedPackage(name, extra), deb };
}
