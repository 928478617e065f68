import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { createContext } from '../../src/core/context.ts';
import { isIroncladError, type StageContext } from '../../src/core/index.ts';
import { type Archive, fetchDebs, openArchive } from '../../src/debian/index.ts';
import { fetchPackageFile } from '../../src/debian/package-download.ts';
import { createFixtureArchive, type FixtureArchive } from '../support/fixture-archive.ts';

const run = promisify(execFile);
let fx: FixtureArchive;
let ctx: StageContext;
let archive: Archive;
const entry = (name: string) => archive.packages.find((p) => p.name === name)!;

before(async () => {
  fx = await createFixtureArchive({
    suites: [
      {
        name: 'fixture',
        packages: [
          {
            name: 'hello',
            version: '1.0+b1',
            files: [{ path: '/usr/bin/hello', content: '#!/bin/sh\necho hi\n', mode: 0o755 }],
          },
          { name: 'tzinfo', version: '2025b-0+deb12u1', architecture: 'all' },
          ...['a', 'b', 'c', 'd', 'e'].map((n) => ({ name: `pkg-${n}`, version: '1' })),
        ],
      },
    ],
  });
  ctx = createContext({ home: await mkdtemp(join(tmpdir(), 'ironclad-debs-')) });
  archive = await openArchive(fx.distro, ctx, { architecture: 'amd64' });
});
after(async () => {
  await fx.close();
  await rm(ctx.home.root, { recursive: true, force: true });
});

test('fetches a verified .deb that dpkg-deb can read, then serves it from the cache', async () => {
  const path = await fetchPackageFile(entry('hello'), ctx);
  const { stdout } = await run('dpkg-deb', ['--field', path, 'Package', 'Version']);
  assert.equal(stdout, 'Package: hello\nVersion: 1.0+b1\n');
  fx.requests.length = 0;
  assert.equal(await fetchPackageFile(entry('hello'), ctx), path);
  assert.deepEqual(fx.requests, []);
});

test('a corrupt cached .deb is fetched again', async () => {
  const path = await fetchPackageFile(entry('tzinfo'), ctx);
  const good = await readFile(path);
  await writeFile(path, Buffer.concat([good.subarray(0, 100), Buffer.alloc(good.length - 100)]));
  fx.requests.length = 0;
  assert.equal(await fetchPackageFile(entry('tzinfo'), ctx), path);
  assert.deepEqual(await readFile(path), good);
  assert.equal(fx.requests.length, 1);
});

test('a .deb that differs from its Packages entry is DIGEST_MISMATCH', async () => {
  const e = entry('pkg-a');
  const onDisk = join(fx.root, e.filename);
  const good = await readFile(onDisk);
  await writeFile(
    onDisk,
    Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([good[good.length - 1]! ^ 1])]),
  );
  try {
    await assert.rejects(fetchPackageFile(e, ctx), (err: unknown) => isIroncladError(err, 'DIGEST_MISMATCH'));
  } finally {
    await writeFile(onDisk, good);
  }
});

test('unsafe filenames and malformed digests are refused before any request', async () => {
  const e = entry('pkg-b');
  fx.requests.length = 0;
  const invalid = (err: unknown) => isIroncladError(err, 'INVALID_INPUT');
  await assert.rejects(fetchPackageFile({ ...e, filename: '../../etc/passwd' }, ctx), invalid);
  await assert.rejects(fetchPackageFile({ ...e, sha256: 'ABC' }, ctx), invalid);
  assert.deepEqual(fx.requests, []);
});

test('fetchDebs downloads in parallel and returns paths in input order', async () => {
  const refs = ['pkg-e', 'pkg-d', 'pkg-c', 'pkg-b', 'hello'].map(entry);
  const paths = await fetchDebs(refs, ctx, { concurrency: 3 });
  assert.equal(paths.length, refs.length);
  for (const [i, ref] of refs.entries()) assert.ok(paths[i]!.endsWith(ref.sha256));
  await assert.rejects(
    fetchDebs([...refs, { ...refs[0]!, sha256: 'f'.repeat(64) }], ctx, { concurrency: 2 }),
    (err: unknown) => isIroncladError(err, 'DIGEST_MISMATCH'),
  );
});
