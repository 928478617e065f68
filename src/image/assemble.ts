import { fail } from '../core/index.ts';
import type { DebContents, DebEntry } from '../debian/index.ts';
import type { LockedPackage } from '../definition/index.ts';
import { withDataOf } from './file-data.ts';
import type { FileNode, FileTree, ModeChange, StrippedPath, TreePackage } from './file-tree.ts';
import { parentOf, resolveLinkTarget } from './file-tree.ts';
import { MERGED_USR_DIRS, mergedUsrNodes } from './merged-usr.ts';
import { hasSetid, isStripped, withoutSetid } from './strip.ts';
import { comparePaths, TreeBuilder } from './tree-builder.ts';

/** One package to install: its lock entry and the verified contents of its .deb. */
export interface AssembleInput {
  readonly pkg: LockedPackage;
  readonly deb: DebContents;
}

export interface AssembleOptions {
  /** Remove setuid/setgid bits (runtime variants); every change is recorded in `modeChanges`. */
  readonly stripSetuid: boolean;
  /** Apply the strip rules of strip.ts (docs, manuals, locales); default true. */
  readonly strip?: boolean;
  /** mtime for directories and links the image creates itself (SOURCE_DATE_EPOCH). */
  readonly epoch: number;
}

/**
 * Installs packages into an in-memory tree the way dpkg would unpack them, without running anything: merged
 * /usr links first, then each package (in name order, so the result does not depend on input order).
 * Pure: no I/O, no clock.
 *
 * Throws HOSTILE_INPUT for device nodes and FIFOs, `..` or absolute paths, symlinks whose relative target climbs
 * above the root, and hardlinks to missing targets; CONFLICT naming both packages when two packages ship
 * different content at one path; INVALID_INPUT when a .deb does not hold the package its lock entry names.
 */
export function assemble(inputs: readonly AssembleInput[], opts: AssembleOptions): FileTree {
  const sorted = [...inputs].sort((a, b) => comparePaths(a.pkg.name, b.pkg.name));
  checkInputs(sorted);
  const strip = opts.strip ?? true;
  const builder = new TreeBuilder(opts.epoch);
  const allPaths = sorted.flatMap((i) => i.deb.entries.map((e) => e.path));
  for (const link of mergedUsrNodes(allPaths, opts.epoch)) builder.add(link, undefined);
  const stripped: StrippedPath[] = [];
  const modeChanges: ModeChange[] = [];
  for (const input of sorted) {
    installPackage(builder, input, { strip, stripSetuid: opts.stripSetuid, stripped, modeChanges });
  }
  const packages: TreePackage[] = sorted.map(({ pkg, deb }) => ({
    locked: pkg,
    control: deb.control,
    controlText: deb.controlText,
    conffiles: deb.conffiles,
    controlFiles: deb.controlFiles,
    mergedDirs: MERGED_USR_DIRS.filter((d) => deb.entries.some((e) => e.path === d || e.path.startsWith(`${d}/`))),
  }));
  stripped.sort((a, b) => comparePaths(a.package, b.package) || comparePaths(a.path, b.path));
  modeChanges.sort((a, b) => comparePaths(a.path, b.path) || comparePaths(a.package, b.package));
  return { nodes: builder.finish(), packages, stripped, modeChanges };
}

function checkInputs(sorted: readonly AssembleInput[]): void {
  for (let i = 0; i < sorted.length; i++) {
    const { pkg, deb } = sorted[i]!;
    if (i > 0 && sorted[i - 1]!.pkg.name === pkg.name) fail('INVALID_INPUT', `package ${pkg.name} is listed twice`);
    const name = deb.control.get('Package');
    if (name !== pkg.name) {
      fail('INVALID_INPUT', `${pkg.name}_${pkg.version}: the .deb contains package "${name ?? '(none)'}"`);
    }
  }
}

interface InstallState {
  readonly strip: boolean;
  readonly stripSetuid: boolean;
  readonly stripped: StrippedPath[];
  readonly modeChanges: ModeChange[];
}

function installPackage(builder: TreeBuilder, { pkg, deb }: AssembleInput, state: InstallState): void {
  const what = `${pkg.name}_${pkg.version}_${pkg.architecture}`;
  // Archive path → tree path of this package's entries, and contents of stripped files, for hardlinks.
  const placed = new Map<string, string>();
  const strippedData = new Map<string, { readonly data: Uint8Array }>();
  for (const entry of deb.entries) {
    const type = checkType(entry, what);
    checkPath(entry.path, what);
    const parent = builder.resolve(parentOf(entry.path), { create: false, followLast: true, what });
    const base = entry.path.slice(entry.path.lastIndexOf('/') + 1);
    let path = parent === '' ? base : `${parent}/${base}`;
    if (type === 'dir') path = builder.resolve(path, { create: false, followLast: true, what });
    if (state.strip && isStripped(path, type)) {
      state.stripped.push({ package: pkg.name, path });
      if (entry.type === 'file') strippedData.set(entry.path, entry);
      continue;
    }
    builder.resolve(path, { create: true, followLast: type === 'dir', what });
    let mode = entry.mode;
    if (state.stripSetuid && hasSetid(mode)) {
      state.modeChanges.push({ package: pkg.name, path, from: mode, to: withoutSetid(mode) });
      mode = withoutSetid(mode);
    }
    const node = toNode(entry, path, mode, { builder, placed, strippedData, what });
    builder.add(node, pkg.name);
    placed.set(entry.path, path);
  }
}

function checkType(entry: DebEntry, what: string): FileNode['type'] {
  switch (entry.type) {
    case 'char':
    case 'block':
    case 'fifo':
      // Images get their /dev from the runtime; a package shipping device nodes is broken or hostile.
      return fail('HOSTILE_INPUT', `${what}: /${entry.path} is a ${entry.type} special file`, {
        hint: 'Device nodes and FIFOs are never installed from packages.',
      });
    default:
      return entry.type;
  }
}

/** Re-checks what the .deb reader guarantees, since DebContents may come from elsewhere. */
function checkPath(path: string, what: string): void {
  if (path === '' || path.startsWith('/') || path.split('/').some((p) => p === '..' || p === '.' || p === '')) {
    fail('HOSTILE_INPUT', `${what}: invalid path "${path.slice(0, 200)}"`);
  }
}

interface NodeContext {
  readonly builder: TreeBuilder;
  readonly placed: ReadonlyMap<string, string>;
  readonly strippedData: ReadonlyMap<string, { readonly data: Uint8Array }>;
  readonly what: string;
}

function toNode(entry: DebEntry, path: string, mode: number, ctx: NodeContext): FileNode {
  const base = { path, mode, uid: entry.uid, gid: entry.gid, mtime: entry.mtime, owners: [] };
  switch (entry.type) {
    case 'file':
      return withDataOf({ ...base, type: 'file' as const }, entry);
    case 'dir':
      return { ...base, type: 'dir' };
    case 'symlink':
      // Absolute targets resolve inside the image (e.g. /etc/alternatives/x); relative ones must not climb out.
      if (resolveLinkTarget(path, entry.linkname) === undefined) {
        fail('HOSTILE_INPUT', `${ctx.what}: symlink /${path} -> ${entry.linkname} points outside the image root`);
      }
      return { ...base, type: 'symlink', target: entry.linkname };
    case 'hardlink':
      return hardlinkNode(entry.linkname, base, ctx);
    default:
      return fail('HOSTILE_INPUT', `${ctx.what}: /${entry.path} is a ${entry.type} special file`);
  }
}

/** A hardlink to a kept file stays a link; one whose target was stripped becomes a copy of the target. */
function hardlinkNode(linkname: string, base: Omit<FileNode, 'type'>, ctx: NodeContext): FileNode {
  const targetPath = ctx.placed.get(linkname);
  const target = targetPath === undefined ? undefined : ctx.builder.get(targetPath);
  if (target !== undefined && (target.type === 'file' || target.type === 'hardlink')) {
    const root = target.type === 'hardlink' ? target.target : target.path;
    return withDataOf({ ...base, type: 'hardlink' as const, target: root }, target);
  }
  const stripped = ctx.strippedData.get(linkname);
  if (stripped !== undefined) return withDataOf({ ...base, type: 'file' as const }, stripped);
  return fail('HOSTILE_INPUT', `${ctx.what}: hardlink /${base.path} points to missing file /${linkname}`);
}
