import { decompress } from '@napi-rs/lzma/xz';

/** The real Debian 12 main/amd64 Packages index: large, varied input for the Debian format e2e tests. */
export const BOOKWORM_MAIN_AMD64 = {
  suite: 'bookworm',
  component: 'main',
  baseUrl: 'https://deb.debian.org/debian',
  url: 'https://deb.debian.org/debian/dists/bookworm/main/binary-amd64/Packages.xz',
} as const;

let cached: Promise<string> | undefined;

/** Downloads and decompresses the index once per test process. */
export function fetchBookwormPackages(): Promise<string> {
  cached ??= (async () => {
    const res = await fetch(BOOKWORM_MAIN_AMD64.url);
    if (!res.ok) throw new Error(`GET ${BOOKWORM_MAIN_AMD64.url}: HTTP ${res.status}`);
    const xz = new Uint8Array(await res.arrayBuffer());
    return Buffer.from(await decompress(xz)).toString('utf8');
  })();
  return cached;
}
