import { fail } from '../../core/index.ts';
import type { FileNode, FileTree, TreePackage } from '../file-tree.ts';
import { comparePaths } from '../tree-builder.ts';
import { DPKG_DIR, infoName } from './dpkg-database.ts';
import { dirNode, fileNode } from './nodes.ts';

/**
 * dpkg's trigger interest database (deb-triggers(5); dpkg's triglib.c), as `dpkg --unpack` would have left it:
 * `triggers/File` lists `<path> <package>[/noawait]` for every file trigger interest, `triggers/<name>` lists
 * `<package>[/noawait]` for every explicit trigger, and `triggers/Unincorp` (pending activations) is empty.
 * Without it, `dpkg --configure` would activate triggers nobody is registered for (libc-bin's `ldconfig`).
 */

export const DPKG_TRIGGERS = `${DPKG_DIR}/triggers`;

/** One trigger interest or activation of a package's `triggers` control file. */
export interface TriggerDirective {
  readonly kind: 'interest' | 'activate';
  /** Trigger name; file triggers are absolute paths. */
  readonly name: string;
  readonly noawait: boolean;
}

const DIRECTIVE = /^(interest|activate)(-await|-noawait)?$/;
/** Explicit trigger names: no `/`, printable ASCII (deb-triggers(5), dpkg's trig_name_is_illegal). */
const EXPLICIT_NAME = /^[!-.0-~][!-~]*$/;

/** Parses a `triggers` control file; INVALID_INPUT names the package and line of a bad directive. */
export function parseTriggers(text: string, what: string): TriggerDirective[] {
  const out: TriggerDirective[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const [directive = '', name = '', ...rest] = line.split(/\s+/);
    const m = DIRECTIVE.exec(directive);
    const valid = name.startsWith('/') ? !name.includes('//') : EXPLICIT_NAME.test(name);
    if (m === null || !valid || rest.length > 0) {
      fail('INVALID_INPUT', `${what}: triggers line ${i + 1} is not a trigger directive: ${line.slice(0, 200)}`);
    }
    out.push({ kind: m[1] as TriggerDirective['kind'], name, noawait: m[2] === '-noawait' });
  });
  return out;
}

/** The directives of one package, from its `triggers` control member (none when it has none). */
export function packageTriggers(pkg: TreePackage): TriggerDirective[] {
  const member = pkg.controlFiles?.find((m) => m.name === 'triggers');
  if (member === undefined) return [];
  return parseTriggers(Buffer.from(member.data).toString('utf8'), `${pkg.locked.name}_${pkg.locked.version}`);
}

/** The interest files, sorted; packages listed in name order, as dpkg keeps them. */
export function triggerInterestNodes(tree: FileTree, mtime: number): FileNode[] {
  const files: string[] = [];
  const explicit = new Map<string, string[]>();
  for (const pkg of [...tree.packages].sort((a, b) => comparePaths(a.locked.name, b.locked.name))) {
    for (const t of packageTriggers(pkg)) {
      if (t.kind !== 'interest') continue;
      const who = `${infoName(pkg)}${t.noawait ? '/noawait' : ''}`;
      if (t.name.startsWith('/')) files.push(`${t.name} ${who}\n`);
      else explicit.set(t.name, [...(explicit.get(t.name) ?? []), `${who}\n`]);
    }
  }
  return [
    dirNode(DPKG_TRIGGERS, { mtime }),
    fileNode(`${DPKG_TRIGGERS}/File`, files.join(''), { mtime }),
    fileNode(`${DPKG_TRIGGERS}/Unincorp`, '', { mtime }),
    ...[...explicit]
      .sort(([a], [b]) => comparePaths(a, b))
      .map(([name, lines]) => fileNode(`${DPKG_TRIGGERS}/${name}`, lines.join(''), { mtime })),
  ];
}

/**
 * The file triggers unpacking would have activated: every file interest whose path exists in the tree (dpkg
 * activates one when a package unpacks a file at or below it). Sorted. Explicit triggers need no replay: a
 * package's own `activate` directives fire again when it is configured.
 */
export function fileTriggersToActivate(tree: FileTree): string[] {
  const names = new Set<string>();
  for (const pkg of tree.packages) {
    for (const t of packageTriggers(pkg)) {
      if (t.kind === 'interest' && t.name.startsWith('/') && tree.nodes.has(t.name.slice(1))) names.add(t.name);
    }
  }
  return [...names].sort(comparePaths);
}
