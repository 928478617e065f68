import { fail } from '../core/index.ts';

/** OCI platform (os/arch[/variant]) → Debian architecture name (Debian ports list, dpkg-architecture). */
const DEBIAN_ARCH: Readonly<Record<string, string>> = {
  'linux/amd64': 'amd64',
  'linux/arm64': 'arm64',
  'linux/arm64/v8': 'arm64',
  'linux/arm/v7': 'armhf',
  'linux/arm/v5': 'armel',
  'linux/386': 'i386',
  'linux/ppc64le': 'ppc64el',
  'linux/s390x': 's390x',
  'linux/riscv64': 'riscv64',
  'linux/mips64le': 'mips64el',
};

/** The Debian architecture for an OCI platform string; USAGE for platforms Debian does not build. */
export function debianArchitecture(platform: string): string {
  const arch = DEBIAN_ARCH[platform];
  if (!arch) {
    fail('USAGE', `platform ${platform} has no Debian architecture`, {
      hint: `supported: ${Object.keys(DEBIAN_ARCH).join(', ')}`,
    });
  }
  return arch;
}
