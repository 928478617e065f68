import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fail } from '../core/index.ts';
import { normalizeFingerprint } from './keyring.ts';

/**
 * Distro configs (`distros/<name>.yaml`): where a distribution's packages come from and which keys may sign
 * them. A definition names a distro (`distro: debian-12`); everything about the archive comes from here.
 */

/** Where the repo-root `distros/` folder is, relative to this file (src/debian/ → ../../distros). */
export const DISTROS_DIR = resolve(import.meta.dirname, '../../distros');

/** Distro files are a few KB; anything near this is not a distro config. */
const MAX_DISTRO_BYTES = 1024 * 1024;
const NAME_RE = /^[a-z0-9][a-z0-9.-]{0,63}$/;
const WORD_RE = /^[a-z0-9][a-z0-9.+-]*$/;
const FINGERPRINT_RE = /^[0-9A-F]{40}$|^[0-9A-F]{64}$/;
const SNAPSHOT_RE = /^\d{8}T\d{6}Z$/;

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
  .transform((u) => u.replace(/\/+$/, ''));

const repositorySchema = z.strictObject({
  /** `archive` is the main archive, `security` the security archive; mirror overrides pick repositories by role. */
  role: z.enum(['archive', 'security']),
  url: httpUrl,
  suites: z.array(z.string().regex(WORD_RE)).min(1),
  components: z.array(z.string().regex(WORD_RE)).min(1),
  /** Archive name on snapshot.debian.org; defaults to `debian` / `debian-security` by role. */
  'snapshot-archive': z.string().regex(WORD_RE).optional(),
});

const osReleaseSchema = z
  .object({
    ID: z.string().min(1),
    NAME: z.string().min(1),
    VERSION_ID: z.string().min(1),
    VERSION_CODENAME: z.string().min(1),
    VERSION: z.string().min(1),
    PRETTY_NAME: z.string().min(1),
  })
  .catchall(z.string());

/** The YAML shape of a distro file; {@link Distro} is what callers get after defaults and overrides. */
export const DistroFile = z.strictObject({
  name: z.string().regex(NAME_RE),
  codename: z.string().regex(WORD_RE),
  'version-id': z.string().min(1),
  'os-release': osReleaseSchema,
  repositories: z.array(repositorySchema).min(1),
  keyring: z.string().min(1).default('/usr/share/keyrings/debian-archive-keyring.gpg'),
  'signing-keys': z
    .array(
      z.strictObject({
        fingerprint: z
          .string()
          .transform(normalizeFingerprint)
          .refine((f) => FINGERPRINT_RE.test(f), 'must be a 40 or 64 hex digit OpenPGP fingerprint'),
        description: z.string().min(1),
      }),
    )
    .min(1),
});
export type DistroFile = z.infer<typeof DistroFile>;

export interface DistroRepository {
  readonly role: 'archive' | 'security';
  /** Archive root, no trailing slash (e.g. `https://deb.debian.org/debian`). */
  readonly url: string;
  readonly suites: readonly string[];
  readonly components: readonly string[];
}

export interface DistroSigningKey {
  /** Upper-case primary key fingerprint, no spaces. */
  readonly fingerprint: string;
  readonly description: string;
}

export interface Distro {
  /** e.g. `debian-12`. */
  readonly name: string;
  readonly codename: string;
  readonly versionId: string;
  /** `/etc/os-release` values (os-release(5)); ID, NAME, VERSION_ID, VERSION_CODENAME, VERSION, PRETTY_NAME at least. */
  readonly osRelease: Readonly<Record<string, string>>;
  readonly repositories: readonly DistroRepository[];
  /** OpenPGP keyring file holding the archive keys. */
  readonly keyring: string;
  /** Only signatures by these keys are trusted, whatever else the keyring holds. */
  readonly signingKeys: readonly DistroSigningKey[];
  /** False only for snapshot archives, whose Release files are historical and past Valid-Until by design. */
  readonly checkValidUntil: boolean;
  /** The snapshot.debian.org timestamp the URLs point to, when one was requested. */
  readonly snapshot?: string;
}

export interface LoadDistroOptions {
  /** Replaces the URL of `archive` repositories (e.g. a local mirror). */
  readonly mirror?: string;
  /** Replaces the URL of `security` repositories. */
  readonly securityMirror?: string;
  /** A snapshot.debian.org timestamp such as `20250520T000000Z`; wins over the mirror options. */
  readonly snapshot?: string;
  /** Where distro files live; default {@link DISTROS_DIR}. */
  readonly dir?: string;
}

/** Names of the distro configs available (file names without `.yaml`), sorted. */
export async function listDistros(dir: string = DISTROS_DIR): Promise<string[]> {
  const names = await readdir(dir).catch((err: unknown) =>
    fail('NOT_FOUND', `cannot read the distro config folder ${dir}`, { cause: err }),
  );
  return names
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => n.slice(0, -'.yaml'.length))
    .filter((n) => NAME_RE.test(n))
    .sort();
}

/**
 * Loads and validates `distros/<name>.yaml`, then applies mirror or snapshot overrides.
 * Throws NOT_FOUND for an unknown name (the hint lists the known ones), DEFINITION_INVALID for an invalid file,
 * USAGE for an invalid override.
 */
export async function loadDistro(name: string, opts: LoadDistroOptions = {}): Promise<Distro> {
  const dir = opts.dir ?? DISTROS_DIR;
  if (!NAME_RE.test(name)) fail('USAGE', `invalid distro name "${name.slice(0, 64)}"`);
  const path = join(dir, `${name}.yaml`);
  const st = await stat(path).catch(async () => {
    const known = await listDistros(dir).catch(() => []);
    return fail('NOT_FOUND', `unknown distro "${name}"`, { hint: `available: ${known.join(', ') || 'none'}` });
  });
  if (st.size > MAX_DISTRO_BYTES) fail('DEFINITION_INVALID', `${path}: larger than ${MAX_DISTRO_BYTES} bytes`);
  const file = parseDistroFile(await readFile(path, 'utf8'), path);
  if (file.name !== name) fail('DEFINITION_INVALID', `${path}: name is "${file.name}", expected "${name}"`);
  return applyOverrides(toDistro(file), opts);
}

/** Parses and validates the YAML text of a distro file; `what` names it in errors. */
export function parseDistroFile(text: string, what: string): DistroFile {
  let data: unknown;
  try {
    data = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    fail('DEFINITION_INVALID', `${what}: not valid YAML`, { cause: err });
  }
  const result = DistroFile.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    fail('DEFINITION_INVALID', `${what}: ${problems.join('; ')}`);
  }
  return result.data;
}

function toDistro(f: DistroFile): Distro & { snapshotArchives: readonly string[] } {
  return {
    name: f.name,
    codename: f.codename,
    versionId: f['version-id'],
    osRelease: f['os-release'],
    repositories: f.repositories.map(({ role, url, suites, components }) => ({ role, url, suites, components })),
    snapshotArchives: f.repositories.map(
      (r) => r['snapshot-archive'] ?? (r.role === 'security' ? 'debian-security' : 'debian'),
    ),
    keyring: f.keyring,
    signingKeys: f['signing-keys'],
    checkValidUntil: true,
  };
}

function applyOverrides(d: Distro & { snapshotArchives: readonly string[] }, opts: LoadDistroOptions): Distro {
  const { snapshotArchives, ...distro } = d;
  if (opts.snapshot !== undefined) {
    if (!SNAPSHOT_RE.test(opts.snapshot)) {
      fail('USAGE', `invalid snapshot timestamp "${opts.snapshot.slice(0, 40)}"`, {
        hint: 'use the form 20250520T000000Z',
      });
    }
    const ts = opts.snapshot;
    return {
      ...distro,
      repositories: distro.repositories.map((r, i) => ({
        ...r,
        url: `https://snapshot.debian.org/archive/${snapshotArchives[i]}/${ts}`,
      })),
      checkValidUntil: false,
      snapshot: ts,
    };
  }
  const override = (role: DistroRepository['role']): string | undefined => {
    const raw = role === 'security' ? opts.securityMirror : opts.mirror;
    if (raw === undefined) return undefined;
    const parsed = httpUrl.safeParse(raw);
    if (!parsed.success)
      fail('USAGE', `invalid ${role} mirror URL "${raw.slice(0, 200)}"`, { hint: 'use an http(s) URL' });
    return parsed.data;
  };
  return {
    ...distro,
    repositories: distro.repositories.map((r) => ({ ...r, url: override(r.role) ?? r.url })),
  };
}
