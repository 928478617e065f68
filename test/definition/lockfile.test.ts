import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { documentDigest } from '../../src/definition/canonical.ts';
import type { LoadedDefinition } from '../../src/definition/load.ts';
import { parseDefinition } from '../../src/definition/load.ts';
import {
  assertLockFresh,
  isLockStale,
  LOCKFILE_NAME,
  lockPathFor,
  parseLockfile,
  readLockfile,
  serializeLockfile,
  writeLockfile,
} from '../../src/definition/lockfile.ts';
import type { LockedPackage, Lockfile } from '../../src/definition/lockfile-types.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ironclad-lock-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const hex = (c: string) => c.repeat(64);

function pkg(name: string, architecture: string): LockedPackage {
  // Keys deliberately out of order: serialisation must impose the declared order.
  return {
    sha256: hex('a'),
    size: 1234,
    filename: `pool/main/x/${name}/${name}_1.0-1_${architecture}.deb`,
    suite: 'bookworm',
    sourceVersion: '1.0-1',
    source: name,
    architecture,
    version: '1.0-1',
    name,
  };
}

const definitionText = 'name: demo\ndistro: debian-12\npackages: [libc6]\n';

function lockFor(digest: string): Lockfile {
  return {
    variants: {
      runtime: {
        platforms: {
          'linux/arm64': {
            platform: 'linux/arm64',
            architecture: 'arm64',
            suites: [],
            packages: [pkg('libc6', 'arm64')],
            excluded: [],
          },
          'linux/amd64': {
            excluded: ['perl-base', 'debconf'],
            packages: [pkg('tzdata', 'all'), pkg('libc6', 'amd64'), pkg('base-files', 'amd64')],
            suites: [
              {
                suite: 'bookworm',
                baseUrl: 'https://deb.debian.org/debian',
                date: 'Sat, 10 May 2025',
                inReleaseSha256: hex('b'),
              },
              {
                suite: 'bookworm-security',
                baseUrl: 'https://deb.debian.org/debian-security',
                date: 'Sun, 11 May 2025',
                inReleaseSha256: hex('c'),
              },
            ],
            architecture: 'amd64',
            platform: 'linux/amd64',
          },
        },
      },
      dev: { platforms: {} },
    },
    distro: 'debian-12',
    name: 'demo',
    definitionDigest: digest,
    lockfileVersion: 1,
  };
}

function loaded(text: string): LoadedDefinition {
  const { raw, definition } = parseDefinition(text, join(dir, 'image.yaml'));
  return { path: join(dir, 'image.yaml'), dir, raw, definition, digest: documentDigest(raw) };
}

test('serializeLockfile: declared key order, sorted packages/platforms/variants, trailing newline', () => {
  const text = serializeLockfile(lockFor(`sha256:${hex('d')}`));
  assert.ok(text.endsWith('}\n'));
  const json = JSON.parse(text) as Lockfile;
  assert.deepEqual(Object.keys(json), ['lockfileVersion', 'definitionDigest', 'name', 'distro', 'variants']);
  assert.deepEqual(Object.keys(json.variants), ['dev', 'runtime']);
  const amd64 = json.variants.runtime?.platforms['linux/amd64'];
  assert.ok(amd64);
  assert.deepEqual(Object.keys(json.variants.runtime?.platforms ?? {}), ['linux/amd64', 'linux/arm64']);
  assert.deepEqual(Object.keys(amd64), ['platform', 'architecture', 'suites', 'packages', 'excluded']);
  assert.deepEqual(
    amd64.packages.map((p) => p.name),
    ['base-files', 'libc6', 'tzdata'],
  );
  assert.deepEqual(Object.keys(amd64.packages[0] ?? {}), [
    'name',
    'version',
    'architecture',
    'source',
    'sourceVersion',
    'suite',
    'filename',
    'size',
    'sha256',
  ]);
  assert.deepEqual(
    amd64.suites.map((s) => s.suite),
    ['bookworm', 'bookworm-security'],
    'suite order is priority order and is kept',
  );
  assert.deepEqual(amd64.excluded, ['debconf', 'perl-base']);
  assert.match(text, /^ {2}"lockfileVersion": 1,$/m);
});

test('packages of the same name sort by architecture', () => {
  const lock = lockFor(`sha256:${hex('d')}`);
  const p = lock.variants.runtime?.platforms['linux/amd64'];
  assert.ok(p);
  const mixed: Lockfile = {
    ...lock,
    variants: {
      runtime: { platforms: { 'linux/amd64': { ...p, packages: [pkg('libc6', 'i386'), pkg('libc6', 'amd64')] } } },
    },
  };
  const out = parseLockfile(serializeLockfile(mixed), 'x');
  assert.deepEqual(
    out.variants.runtime?.platforms['linux/amd64']?.packages.map((q) => q.architecture),
    ['amd64', 'i386'],
  );
});

test('round trip: parse(serialize(lock)) is the same lock, and serialisation is idempotent', () => {
  const text = serializeLockfile(lockFor(`sha256:${hex('d')}`));
  const back = parseLockfile(text, 'ironclad.lock.json');
  assert.equal(serializeLockfile(back), text);
});

test('parseLockfile collects every problem into one INVALID_INPUT', () => {
  const json = JSON.parse(serializeLockfile(lockFor(`sha256:${hex('d')}`)));
  json.lockfileVersion = 2;
  json.extra = true;
  json.variants.runtime.platforms['linux/amd64'].packages[0].sha256 = 'nothex';
  json.variants.runtime.platforms['linux/amd64'].packages[1].filename = '../../etc/passwd';
  try {
    parseLockfile(JSON.stringify(json), 'ironclad.lock.json');
    assert.fail('expected INVALID_INPUT');
  } catch (err) {
    assert.ok(isIroncladError(err, 'INVALID_INPUT'));
    assert.equal(err.message.split('\n').length - 1, 4);
  }
  assert.throws(
    () => parseLockfile('{"lockfileVersion": 1,', 'x'),
    (e) => isIroncladError(e, 'INVALID_INPUT'),
  );
});

test('writeLockfile writes atomically beside the definition; readLockfile reads it back', async () => {
  const lock = lockFor(`sha256:${hex('d')}`);
  const path = await writeLockfile(dir, lock);
  assert.equal(path, join(dir, LOCKFILE_NAME));
  assert.equal(lockPathFor(join(dir, 'image.yaml')), path);
  assert.equal(await readFile(path, 'utf8'), serializeLockfile(lock));
  assert.deepEqual(
    (await readdir(dir)).filter((n) => n.endsWith('.tmp')),
    [],
  );
  assert.equal(serializeLockfile(await readLockfile(dir)), serializeLockfile(lock));
});

test('readLockfile: LOCK_MISSING when absent, INVALID_INPUT when malformed', async () => {
  const empty = await mkdtemp(join(dir, 'empty-'));
  await assert.rejects(readLockfile(empty), (e) => isIroncladError(e, 'LOCK_MISSING'));
  await writeFile(join(empty, LOCKFILE_NAME), 'not json');
  await assert.rejects(readLockfile(empty), (e) => isIroncladError(e, 'INVALID_INPUT'));
});

test('isLockStale: comments and formatting do not matter, a changed value does', () => {
  const def = loaded(definitionText);
  const lock = lockFor(def.digest);
  assert.equal(isLockStale(lock, def), false);
  assert.doesNotThrow(() => assertLockFresh(lock, def));
  const reformatted = loaded('# the demo image\nname: "demo"\npackages:\n  - libc6\ndistro: debian-12\n');
  assert.equal(isLockStale(lock, reformatted), false);
  const changed = loaded('name: demo\ndistro: debian-12\npackages: [libc6, libssl3]\n');
  assert.equal(isLockStale(lock, changed), true);
  assert.throws(
    () => assertLockFresh(lock, changed),
    (e) => isIroncladError(e, 'LOCK_STALE'),
  );
  const defaulted = loaded(`${definitionText}user: nonroot\n`);
  assert.equal(isLockStale(lock, defaulted), true, 'writing a default out is a change of the document');
});
