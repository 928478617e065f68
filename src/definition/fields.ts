import { z } from 'zod';

/**
 * Field-level schemas of an image definition: the small grammars (names, tags, sizes, modes, users) that the
 * object schemas in schema.ts are built from. Each one rejects what a later stage would otherwise trip over,
 * so a definition that validates can be locked and built.
 */

/** Image and account names: lowercase so they are valid in OCI repository paths and passwd alike. */
export const imageName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lowercase letters, digits, ".", "_" and "-", starting with a letter or digit')
  .describe('Image name: lowercase letters, digits, ".", "_" and "-" (at most 64 characters).');

/** A distro is a file name in distros/ without `.yaml` (e.g. `debian-12`). */
export const distroName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'a distro name such as debian-12 (a file in distros/ without .yaml)')
  .describe('Distro the packages come from: debian-12, debian-13, or the name of another file in distros/.');

/** `os/arch[/variant]` as in the OCI image index `platform` object (image-index.md). */
export const platform = z
  .string()
  .regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, 'os/arch[/variant], e.g. linux/amd64 or linux/arm/v7')
  .describe('Target platform as os/arch[/variant], e.g. linux/amd64.');

/** OCI distribution spec tag grammar: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`. */
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
export const tag = z
  .string()
  .regex(
    TAG_PATTERN,
    'an OCI tag: letters, digits, "_", "." and "-", at most 128 characters, not starting with "." or "-"',
  )
  .describe('Image tag (OCI distribution spec grammar).');

export const tagsSuffix = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,64}$/, 'letters, digits, "_", "." and "-"')
  .describe('Appended to every base tag for this variant, e.g. "-dev" turns "3.11" into "3.11-dev".');

/** Debian Policy §5.6.1 (package names) and §5.6.12 (versions). */
const DEB_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const DEB_VERSION = /^([0-9]+:)?[0-9][A-Za-z0-9.+~-]*$/;

/** A binary package request: `name` or `name=version` (an exact pin, as with apt-get). */
export interface PackageSpec {
  readonly name: string;
  readonly version?: string;
}

const PACKAGE_SPEC = new RegExp(`^${DEB_NAME.source.slice(1, -1)}(=${DEB_VERSION.source.slice(1, -1)})?$`);

export const packageSpec = z
  .string()
  .regex(PACKAGE_SPEC, 'a Debian package name, optionally pinned as name=version')
  .transform((s): PackageSpec => {
    const at = s.indexOf('=');
    return at < 0 ? { name: s } : { name: s.slice(0, at), version: s.slice(at + 1) };
  })
  .describe('Debian binary package, optionally pinned to an exact version: "name" or "name=version".');

export const packageName = z
  .string()
  .regex(DEB_NAME, 'a Debian package name (lowercase letters, digits, "+", "-", ".")')
  .describe('Debian binary package name.');

/** Names the built-in accounts use; declared accounts may not reuse them. */
export const BUILTIN_ACCOUNTS = {
  root: { name: 'root', uid: 0, gid: 0, home: '/root' },
  nonroot: { name: 'nonroot', uid: 65532, gid: 65532, home: '/home/nonroot' },
  nobody: { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' },
} as const;

/** Groups every image has (Debian calls 65534 `nogroup`); declared groups may not reuse them. */
export const BUILTIN_GROUPS = { root: 0, nonroot: 65532, nogroup: 65534 } as const;

const NUMERIC_USER = /^(\d{1,10}):(\d{1,10})$/;

/**
 * `nonroot` (65532:65532), `root`, numeric `uid:gid`, or the name of a declared account. Whether a name is
 * declared is checked against `accounts` by the definition schema.
 */
export const userRef = z
  .string()
  .regex(/^(\d{1,10}:\d{1,10}|[a-z_][a-z0-9_-]{0,31})$/, 'nonroot, root, uid:gid, or an account name')
  .describe('User the image runs as: "nonroot" (65532:65532), "root", numeric "uid:gid", or a declared account.');

/** Parses a numeric `uid:gid` user, or returns undefined for a name. */
export function parseNumericUser(user: string): { uid: number; gid: number } | undefined {
  const m = NUMERIC_USER.exec(user);
  return m ? { uid: Number(m[1]), gid: Number(m[2]) } : undefined;
}

export const absolutePath = z
  .string()
  .min(2)
  .max(4096)
  .regex(/^\/[^\0]*$/, 'an absolute path')
  .refine((p) => !p.split('/').some((s) => s === '..' || s === '.'), 'no "." or ".." segments')
  .describe('Absolute path inside the image.');

export const id = z.number().int().min(0).max(4294967294).describe('Numeric uid or gid.');

/**
 * File mode as a string of octal digits ("0755", "644"). Numbers are refused on purpose: YAML 1.2 reads
 * `0755` as the decimal 755, which would silently become mode 01363.
 */
export const fileMode = z
  .string()
  .regex(/^0?[0-7]{3,4}$/, 'octal digits in quotes, e.g. "0755"')
  .transform((s) => Number.parseInt(s, 8))
  .refine((m) => (m & 0o6000) === 0, 'setuid/setgid bits are not allowed in hardened images')
  .describe('Octal mode as a quoted string, e.g. "0755" (quoted because YAML reads 0755 as decimal).');

export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

export const argv = z.array(z.string().max(65536)).min(1).max(4096);

/** Decimal (kB = 1000) and binary (KiB = 1024) units, as docker and registries print them. */
const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** Parses `25MB`, `1.5 GiB` or a plain number of bytes; undefined when malformed. */
export function parseSize(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input > 0 ? input : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(input);
  const factor = SIZE_UNITS[(m?.[2] || 'b').toLowerCase()];
  if (!m || factor === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * factor);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

export const sizeBudget = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const bytes = parseSize(v);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: 'a size such as "25MB", "20MiB" or a number of bytes' });
      return z.NEVER;
    }
    return bytes;
  })
  .describe(
    'Upper bound on the image size (sum of compressed layers, as registries report it): "25MB", "20MiB" or bytes.',
  );

export const packageBudget = z
  .number()
  .int()
  .min(1)
  .max(100_000)
  .describe(
    'Upper bound on the number of packages in the image (entries of its dpkg database, as the SBOM lists them).',
  );

/** A regular expression written in the definition; compiled here so a bad one fails at load time. */
export const regexSource = z
  .string()
  .max(4096)
  .refine((s) => {
    try {
      new RegExp(s, 'm');
      return true;
    } catch {
      return false;
    }
  }, 'a valid JavaScript regular expression');

/**
 * A port the image listens on, as the OCI config's `ExposedPorts` key: `8080` or `"8080/tcp"` (tcp is the
 * default), `"53/udp"`, `"9000/sctp"`. Normalised to `port/protocol`.
 */
export const portSpec = z
  .union([z.number().int().min(1).max(65535), z.string().regex(/^\d{1,5}(\/(tcp|udp|sctp))?$/, 'port[/tcp|udp|sctp]')])
  .transform((v, ctx) => {
    const [num, proto = 'tcp'] = String(v).split('/');
    const n = Number(num);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      ctx.addIssue({ code: 'custom', message: 'a port number from 1 to 65535' });
      return z.NEVER;
    }
    return `${n}/${proto}`;
  })
  .describe('Port the image listens on: 8080, "8080/tcp", "53/udp" or "9000/sctp" (recorded in ExposedPorts).');

/** Signals a container runtime can be asked to stop an image with (signal(7) names). */
export const STOP_SIGNALS = [
  'SIGTERM',
  'SIGINT',
  'SIGQUIT',
  'SIGHUP',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
  'SIGKILL',
] as const;
export const stopSignal = z
  .enum(STOP_SIGNALS)
  .describe('Signal that stops the service cleanly (the config StopSignal); runtimes default to SIGTERM.');

/** Annotation and label keys: reverse-DNS style as the OCI annotations spec recommends, but not enforced. */
export const metadataKey = z
  .string()
  .min(1)
  .max(1024)
  .regex(/^[^\s=]+$/, 'a key without spaces or "="');
