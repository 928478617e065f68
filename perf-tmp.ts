import { readFileSync } from 'node:fs';
import { decompress } from '@napi-rs/lzma/xz';
import { parsePackagesIndex, compareVersions } from './src/debian/index.ts';
const buf = await decompress(readFileSync('/tmp/pk.xz'));
const text = Buffer.from(buf).toString('utf8');
console.log('bytes', buf.length);
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const e = parsePackagesIndex(text, { suite: 'bookworm', component: 'main', baseUrl: 'https://deb.debian.org/debian' });
  console.log(e.length, (performance.now() - t).toFixed(0), 'ms');
}
