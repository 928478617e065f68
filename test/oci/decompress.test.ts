import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isIroncladError } from '../../src/core/index.ts';
import { sniffCompression } from '../../src/oci/decompress.ts';
import { readAll, readTar, tarBytes } from '../../src/oci/index.ts';
import { file } from '../support/oci-image.ts';

const tar = Buffer.from(tarBytes([file('a.txt', 'alpha'), file('b.txt', 'beta')]));
const zstd = execFileSync('zstd', ['-q', '-c'], { input: tar });

async function names(bytes: Buffer): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readTar(Readable.from([bytes]))) out.push(`${e.header.path}=${Buffer.from(await e.read(99))}`);
  return out;
}

test('readTar sniffs gzip, zstd (made by the zstd CLI) and plain tar', async () => {
  assert.equal(sniffCompression(gzipSync(tar)), 'gzip');
  assert.equal(sniffCompression(zstd), 'zstd');
  assert.equal(sniffCompression(tar), 'none');
  const want = ['a.txt=alpha', 'b.txt=beta'];
  for (const bytes of [tar, gzipSync(tar), zstd]) assert.deepEqual(await names(bytes), want);
});

test('corrupt compressed data is INVALID_INPUT', async () => {
  const broken = Buffer.from(gzipSync(tar));
  broken.fill(0x55, 20, 60);
  await assert.rejects(names(broken), (e: unknown) => isIroncladError(e, 'INVALID_INPUT'));
  await assert.rejects(readAll(Readable.from([Buffer.alloc(10)]), 5, 'x'), (e: unknown) =>
    isIroncladError(e, 'INVALID_INPUT'),
  );
});
