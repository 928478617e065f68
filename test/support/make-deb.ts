import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Builds real .deb files with `dpkg-deb --build` from a declarative spec, for tests of everything that reads
 * packages (archive client, assembler, SBOM catalogers, hostile-input checks).
 */

const run = promisify(execFile);

/** One filesystem entry of the package payload; `path` is absolute in the target (`/usr/bin/hello`). */
export type DebFileSpec =
  | { readonly path: string; readonly content: string | Uint8Array; readonly mode?: number }
  | { readonly path: string; readonly symlink: string }
  | { readonly path: string; readonly dir: true; readonly mode?: number };

export interface DebSpec {
  readonly name: string;
  readonly version: string;
  /** Default `amd64`. */
  readonly architecture?: string;
  /** `name` or `name (version)`; omitted when not given. */
  readonly source?: string;
  readonly depends?: string;
  readonly preDepends?: string;
  readonly recommends?: string;
  readonly provides?: string;
  readonly conflicts?: string;
  readonly breaks?: string;
  readonly replaces?: string;
  readonly multiArch?: 'same' | 'foreign' | 'allowed';
  readonly essential?: boolean;
  /** Default `optional`. */
  readonly priority?: string;
  /** Default `misc`. */
  readonly section?: string;
  readonly homepage?: string;
  /** First line is the synopsis; later lines become the extended description. */
  readonly description?: string;
  readonly files?: readonly DebFileSpec[];
  /** Maintainer scripts by name (`postinst`, `preinst`, ...), written with mode 0755. */
  readonly scripts?: Readonly<Record<string, string>>;
  /** Extra control fields, appended after the standard ones (e.g. `Built-Using`). */
  readonly extraControl?: Readonly<Record<string, string>>;
  /** Pass `--nocheck` to dpkg-deb so deliberately invalid control data can be packaged (hostile-input tests). */
  readonly nocheck?: boolean;
}

export interface BuiltDeb {
  readonly spec: DebSpec;
  readonly path: string;
  /** `<name>_<version without epoch>_<arch>.deb`. */
  readonly basename: string;
  readonly size: number;
  readonly sha256: string;
  readonly md5: string;
  /** The control fields as written into DEBIAN/control, in order. */
  readonly control: ReadonlyMap<string, string>;
}

/** A fixed timestamp so the same spec always yields the same .deb bytes (dpkg-deb honours SOURCE_DATE_EPOCH). */
const SOURCE_DATE_EPOCH = '1700000000';

/** Builds the .deb for `spec` into `outDir` (created if needed). */
export async function makeDeb(spec: DebSpec, outDir: string): Promise<BuiltDeb> {
  const work = await mkdtemp(join(tmpdir(), 'ironclad-deb-'));
  try {
    const root = join(work, 'root');
    await mkdir(join(root, 'DEBIAN'), { recursive: true, mode: 0o755 });
    const installedKiB = await writePayload(root, spec.files ?? []);
    const control = controlFields(spec, installedKiB);
    await writeFile(join(root, 'DEBIAN', 'control'), serializeControl(control));
    for (const [name, body] of Object.entries(spec.scripts ?? {})) {
      await writeFile(join(root, 'DEBIAN', name), body, { mode: 0o755 });
      await chmod(join(root, 'DEBIAN', name), 0o755);
    }
    const arch = spec.architecture ?? 'amd64';
    const basename = `${spec.name}_${spec.version.replace(/^\d+:/, '')}_${arch}.deb`;
    await mkdir(outDir, { recursive: true });
    const path = join(outDir, basename);
    const args = ['--root-owner-group', '-Zgzip', ...(spec.nocheck ? ['--nocheck'] : []), '--build', root, path];
    await run('dpkg-deb', args, { env: { ...process.env, SOURCE_DATE_EPOCH } });
    const bytes = await readFile(path);
    return {
      spec,
      path,
      basename,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      md5: createHash('md5').update(bytes).digest('hex'),
      control,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Writes the payload; returns its size in KiB the way dpkg-gencontrol estimates Installed-Size. */
async function writePayload(root: string, files: readonly DebFileSpec[]): Promise<number> {
  let kib = 0;
  for (const f of files) {
    const target = join(root, f.path.replace(/^\/+/, ''));
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    if ('symlink' in f) {
      await symlink(f.symlink, target);
      kib += 1;
    } else if ('dir' in f) {
      await mkdir(target, { recursive: true });
      await chmod(target, f.mode ?? 0o755);
      kib += 1;
    } else {
      await writeFile(target, f.content);
      // chmod after writing: the umask would otherwise strip bits, and setuid tests need them exact.
      await chmod(target, f.mode ?? 0o644);
      kib += Math.max(1, Math.ceil((await stat(target)).size / 1024));
    }
  }
  return kib;
}

function controlFields(spec: DebSpec, installedKiB: number): Map<string, string> {
  const c = new Map<string, string>();
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined) c.set(k, v);
  };
  set('Package', spec.name);
  set('Source', spec.source);
  set('Version', spec.version);
  set('Architecture', spec.architecture ?? 'amd64');
  set('Maintainer', 'Ironclad Tests <tests@example.invalid>');
  set('Installed-Size', String(installedKiB));
  set('Pre-Depends', spec.preDepends);
  set('Depends', spec.depends);
  set('Recommends', spec.recommends);
  set('Conflicts', spec.conflicts);
  set('Breaks', spec.breaks);
  set('Replaces', spec.replaces);
  set('Provides', spec.provides);
  set('Multi-Arch', spec.multiArch);
  if (spec.essential) c.set('Essential', 'yes');
  set('Section', spec.section ?? 'misc');
  set('Priority', spec.priority ?? 'optional');
  set('Homepage', spec.homepage);
  for (const [k, v] of Object.entries(spec.extraControl ?? {})) c.set(k, v);
  const [synopsis = `${spec.name} test package`, ...rest] = (spec.description ?? '').split('\n');
  c.set('Description', [synopsis || `${spec.name} test package`, ...rest.map((l) => (l === '' ? '.' : l))].join('\n'));
  return c;
}

/** deb822 text: continuation lines of multi-line values are indented by one space (Policy §5.1). */
export function serializeControl(fields: ReadonlyMap<string, string>): string {
  let out = '';
  for (const [k, v] of fields) {
    const [first, ...rest] = v.split('\n');
    out += first === '' ? `${k}:\n` : `${k}: ${first}\n`;
    for (const line of rest) out += ` ${line}\n`;
  }
  return out;
}
