import type { Descriptor, Platform } from './types.ts';

/**
 * The platform of this machine, in OCI terms (image-index.md, platform: GOOS/GOARCH values). The CLI computes
 * it once and passes it down; stages never call this.
 */
export function hostPlatform(arch: string = process.arch): Platform {
  const map: Readonly<Record<string, Platform>> = {
    x64: { os: 'linux', architecture: 'amd64' },
    arm64: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    arm: { os: 'linux', architecture: 'arm', variant: 'v7' },
    ppc64: { os: 'linux', architecture: 'ppc64le' },
    s390x: { os: 'linux', architecture: 's390x' },
    riscv64: { os: 'linux', architecture: 'riscv64' },
    ia32: { os: 'linux', architecture: '386' },
  };
  return map[arch] ?? { os: 'linux', architecture: arch };
}

/** `os/arch[/variant]`, as docker and skopeo print it. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== '').join('/');
}

/** Parses `os/arch[/variant]`; undefined when malformed. */
export function parsePlatform(s: string): Platform | undefined {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((x) => !/^[a-z0-9._-]+$/.test(x))) return undefined;
  const [os, architecture, variant] = parts as [string, string, string?];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** arm64 images are published both with and without `v8`; treat the two as the same (containerd does). */
function normalVariant(p: Platform): string | undefined {
  if (p.architecture === 'arm64' && (p.variant === undefined || p.variant === 'v8')) return undefined;
  return p.variant === '' ? undefined : p.variant;
}

/**
 * Whether an index entry's platform satisfies a wanted one: os and architecture equal; variant equal when
 * the wanted platform names one, otherwise any.
 */
export function platformMatches(have: Platform, want: Platform): boolean {
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  const w = normalVariant(want);
  return w === undefined || normalVariant(have) === w;
}

/**
 * Picks the manifest for `want` from index entries: first exact variant match, then any match, in index order.
 * Entries without a platform or for `unknown/unknown` (buildkit attestation manifests) are never picked.
 */
export function pickPlatform(entries: readonly Descriptor[], want: Platform): Descriptor | undefined {
  const candidates = entries.filter(
    (e) => e.platform !== undefined && e.platform.os !== 'unknown' && platformMatches(e.platform, want),
  );
  return candidates.find((e) => normalVariant(e.platform!) === normalVariant(want)) ?? candidates[0];
}
