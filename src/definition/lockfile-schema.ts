import { z } from 'zod';

/**
 * zod mirror of lockfile-types.ts, used when reading a lockfile back. A lockfile is machine-written, but it is
 * committed and edited by merges, so it is outside data: every field is checked and unknown keys are errors.
 * `satisfies` ties the schema to the shared interfaces, so the two cannot drift apart unnoticed.
 */

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits');
const nonEmpty = z.string().min(1).max(4096);

const lockedPackage = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, 'a Debian package name'),
  version: nonEmpty,
  architecture: nonEmpty,
  source: nonEmpty,
  sourceVersion: nonEmpty,
  suite: nonEmpty,
  filename: nonEmpty.refine((f) => !f.startsWith('/') && !f.split('/').includes('..'), 'a relative pool path'),
  size: z.number().int().nonnegative(),
  sha256: sha256Hex,
});

const lockedSuite = z.strictObject({
  suite: nonEmpty,
  baseUrl: z.url({ protocol: /^https?$/ }),
  date: nonEmpty,
  inReleaseSha256: sha256Hex,
});

const lockedPlatform = z.strictObject({
  platform: nonEmpty,
  architecture: nonEmpty,
  suites: z.array(lockedSuite),
  packages: z.array(lockedPackage),
  excluded: z.array(nonEmpty),
});

export const LockfileSchema = z.strictObject({
  lockfileVersion: z.literal(1),
  definitionDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'sha256:<64 hex digits>'),
  name: nonEmpty,
  distro: nonEmpty,
  variants: z.record(nonEmpty, z.strictObject({ platforms: z.record(nonEmpty, lockedPlatform) })),
});
