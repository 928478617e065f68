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

/** The OCI platform of this machine (`process.arch` naming → OCI naming). */
export function hostPlatform(nodeArch: string = process.arch): string {
  const map: Record<string, string> = {
    x64: 'linux/amd64',
    arm64: 'linux/arm64',
    arm: 'linux/arm/v7',
    ia32: 'linux/386',
    ppc64: 'linux/ppc64le',
    s390x: 'linux/s390x',
    riscv64: 'linux/riscv64',
  };
  return map[nodeArch] ?? `linux/${nodeArch}`;
}
