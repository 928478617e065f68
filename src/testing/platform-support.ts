import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatPlatform, type Platform, platformMatches } from '../oci/index.ts';

/** Where the kernel lists registered binfmt_misc handlers (Documentation/admin-guide/binfmt-misc.rst). */
export const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';

/** How (or whether) this machine can execute binaries of a platform. */
export type PlatformSupport =
  | { readonly kind: 'native' }
  | { readonly kind: 'emulated'; readonly handler: string }
  | { readonly kind: 'unsupported'; readonly reason: string };

/** OCI architecture → the name qemu-user's binfmt handlers are registered under (`qemu-<name>`). */
const QEMU_ARCH: Readonly<Record<string, string>> = {
  amd64: 'x86_64',
  arm64: 'aarch64',
  arm: 'arm',
  '386': 'i386',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips64le: 'mips64el',
  loong64: 'loongarch64',
};

/**
 * Decides whether images for `platform` can run here: natively when it matches `host`; through qemu-user when
 * an enabled binfmt_misc handler `qemu-<arch>` is registered (the kernel then runs foreign binaries inside the
 * container transparently); otherwise not, with the reason. Reads only `binfmtDir`.
 */
export async function platformSupport(
  platform: Platform,
  host: Platform,
  binfmtDir: string = BINFMT_DIR,
): Promise<PlatformSupport> {
  if (platform.os !== 'linux')
    return { kind: 'unsupported', reason: `${formatPlatform(platform)} is not a Linux platform` };
  if (platformMatches(host, platform) || platformMatches(platform, host)) return { kind: 'native' };
  const arch = QEMU_ARCH[platform.architecture];
  const what = formatPlatform(platform);
  if (arch === undefined) return { kind: 'unsupported', reason: `no emulator is known for ${what}` };
  const handler = `qemu-${arch}`;
  const state = await readFile(join(binfmtDir, handler), 'utf8').catch(() => undefined);
  if (state === undefined) {
    return {
      kind: 'unsupported',
      reason: `${what} cannot run on ${formatPlatform(host)}: no binfmt_misc handler ${handler} is registered`,
    };
  }
  if (!state.startsWith('enabled'))
    return { kind: 'unsupported', reason: `binfmt_misc handler ${handler} is disabled` };
  return { kind: 'emulated', handler };
}
