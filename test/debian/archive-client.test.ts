import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compress as xzCompress } from '@napi-rs/lzma/xz';
import * as openpgp from 'openpgp';
import { createContext } from '../../src/core/context.ts';
import { isIroncladError, type StageContext, sha256Hex } from '../../src/core/index.ts';
import { openArchive, toLockedSuite } from '../../src/debian/index.ts';
import { createFixtureArchive, type FixtureArchive } from '../support/fixture-archive.ts';

const PACKAGES = [
  {
    name: 'hello',
    version: '1.0-1',
    depends: 'libgreet1 (>= 1.0)',
    files: [{ path: '/usr/bin/hello', content: '#!/bin/true\n', mode: 0o755 }],
  },
  { name: 'libgreet1', version: '1:1.2-3', source: 'greet', multiArch: 'same' as const },
  { name: 'greet-data', version: '1.2-3', architecture: 'all', source: 'greet (1.2-3)' },
];

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function withHome<T>(fn: (ctx: StageContext) => Promise<T>): Promise<T> {
  const home = await mkdtemp(join(tmpdir(), 'ironclad-home-'));
  try {
    return await fn(createContext({ home }));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => isIroncladError(err) && err.code === code);
}

const FAST = { http: { attempts: 3, baseDelayMs: 1 } };

describe('openArchive on a fixture archive', () => {
  let fx: FixtureArchive;
  before(async () => {
    fx = await createFixtureArchive({ suites: [{ name: 'fixture', packages: PACKAGES }], extraSigners: 1 });
  });
  after(() => fx.close());

  test('offline: the last fetched InRelease and its indices are read from the cache, verified, without network', async () => {
    await withHome(async (ctx) => {
      const noNetwork = { ...ctx, fetch: (() => Promise.reject(new Error('no network'))) as typeof fetch };
      await rejectsWith(openArchive(fx.distro, noNetwork, { architecture: 'amd64', offline: true }), 'NETWORK');
      const online = await openArchive(fx.distro, ctx, { architecture: 'amd64', ...FAST });
      const offline = await openArchive(fx.distro, noNetwork, { architecture: 'amd64', offline: true });
      assert.deepEqual(offline.suites.map(toLockedSuite), online.suites.map(toLockedSuite));
      assert.deepEqual(offline.packages, online.packages);
      // A cached InRelease that was tampered with is refused like a downloaded one.
      const entry = join(
        ctx.home.cache('sha256'),
        online.suites[0]!.inReleaseSha256.slice(0, 2),
        online.suites[0]!.inReleaseSha256,
      );
      const bytes = await readFile(entry);
      await writeFile(entry, Buffer.from(bytes.toString('utf8').replace('Suite: fixture', 'Suite: fixturx')));
      await rejectsWith(openArchive(fx.distro, noNetwork, { architecture: 'amd64', offline: true }), 'NETWORK');
    });
  });

  test('verifies the InRelease and returns every entry, arch-all included', async () => {
    await withHome(async (ctx) => {
      const archive = await openArchive(fx.distro, ctx, { architecture: 'amd64', ...FAST });
      assert.deepEqual(archive.packages.map((p) => p.name).sort(), ['greet-data', 'hello', 'libgreet1']);
      const hello = archive.packages.find((p) => p.name === 'hello')!;
      assert.equal(hello.suite, 'fixture');
      assert.equal(hello.baseUrl, fx.url);
      assert.equal(hello.sha256, fx.debs.get('hello_1.0-1_amd64')!.sha256);
      const [suite] = archive.suites;
      const inRelease = await readFile(join(fx.root, 'dists/fixture/InRelease'));
      assert.equal(suite!.inReleaseSha256, sha256(inRelease));
      // Signed by the pinned key and an unpinned one: only the pinned one counts.
      assert.deepEqual(suite!.signers, [fx.fingerprint]);
      assert.deepEqual(Object.keys(toLockedSuite(suite!)).sort(), ['baseUrl', 'date', 'inReleaseSha256', 'suite']);
    });
  });

  test('a warm run downloads only the InRelease', async () => {
    await withHome(async (ctx) => {
      await openArchive(fx.distro, ctx, { architecture: 'amd64', ...FAST });
      fx.requests.length = 0;
      await openArchive(fx.distro, ctx, { architecture: 'amd64', ...FAST });
      assert.deepEqual(fx.requests, ['/dists/fixture/InRelease']);
    });
  });

  test('a corrupt cache entry is detected and fetched again', async () => {
    await withHome(async (ctx) => {
      await openArchive(fx.distro, ctx, { architecture: 'amd64', ...FAST });
      const xz = await readFile(join(fx.root, 'dists/fixture/main/binary-amd64/Packages.xz'));
      const entry = join(ctx.home.cache('sha256'), sha256(xz).slice(0, 2), sha256(xz));
      const bytes = await readFile(entry);
      bytes[bytes.length - 1]! ^= 0xff;
      await writeFile(entry, bytes);
      fx.requests.length = 0;
      const archive = await openArchive(fx.distro, ctx, { architecture: 'amd64', ...FAST });
      assert.equal(archive.packages.length, 3);
      assert.deepEqual(fx.requests, ['/dists/fixture/InRelease', '/dists/fixture/main/binary-amd64/Packages.xz']);
      assert.deepEqual(await readFile(entry), xz);
    });
  });

  test('an unknown architecture is NOT_FOUND', async () => {
    await withHome((ctx) =>
      rejectsWith(openArchive(fx.distro, ctx, { architecture: 'riscv64', ...FAST }), 'NOT_FOUND'),
    );
  });

  test('transient server errors are retried', async () => {
    await withHome(async (ctx) => {
      fx.failNext('/dists/fixture/InRelease', 503, 2);
      const archive = await openArchive(fx.distro, ctx, { architecture: 'amd64', ...FAST });
      assert.equal(archive.suites.length, 1);
    });
  });
});

describe('openArchive refuses an archive it cannot trust', () => {
  let fx: FixtureArchive;
  let inRelease: Buffer;
  let packagesXz: Buffer;
  const inReleasePath = () => join(fx.root, 'dists/fixture/InRelease');
  const xzPath = () => join(fx.root, 'dists/fixture/main/binary-amd64/Packages.xz');
  before(async () => {
    fx = await createFixtureArchive({ suites: [{ name: 'fixture', packages: PACKAGES }] });
    inRelease = await readFile(inReleasePath());
    packagesXz = await readFile(xzPath());
  });
  after(() => fx.close());

  async function withInRelease(bytes: Uint8Array, fn: () => Promise<void>): Promise<void> {
    await writeFile(inReleasePath(), bytes);
    try {
      await fn();
    } finally {
      await writeFile(inReleasePath(), inRelease);
    }
  }

  test('a one-byte change to the InRelease is ARCHIVE_UNTRUSTED', async () => {
    const text = inRelease.toString('utf8');
    const at = text.indexOf('Label: Fixture') + 'Label: Fixtur'.length;
    const tampered = Buffer.from(inRelease);
    tampered[at] = 'f'.charCodeAt(0);
    await withInRelease(tampered, () =>
      withHome((ctx) =>
        rejectsWith(openArchive(fx.distro, ctx, { architecture: 'amd64', ...FAST }), 'ARCHIVE_UNTRUSTED'),
      ),
    );
  });

  test('an unsigned Release served as InRelease is ARCHIVE_UNTRUSTED', async () => {
    const release = await readFile(join(fx.root, 'dists/fixture/Release'));
    await withInRelease(release, () =>
      withHome((ctx) =>
        rejectsWith(openArchive(fx.distro, ctx, { architecture: 'amd64', ...FAST }), 'ARCHIVE_UNTRUSTED'),
      ),
    );
  });

  test('a signature by a key in the keyring that is not pinned is ARCHIVE_UNTRUSTED', async () => {
    const { privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: 'Intruder' }],
      format: 'object',
    });
    const release = await readFile(join(fx.root, 'dists/fixture/Release'), 'utf8');
    const signed = await openpgp.sign({
      message: await openpgp.createCleartextMessage({ text: release }),
      signingKeys: privateKey,
    });
    const keyring = join(fx.root, '..', 'with-intruder.gpg');
    await writeFile(keyring, Buffer.concat([await readFile(fx.keyringPath), privateKey.toPublic().write()]));
    await withInRelease(Buffer.from(signed), () =>
      withHome((ctx) =>
        rejectsWith(
          openArchive({ ...fx.distro, keyring }, ctx, { architecture: 'amd64', ...FAST }),
          'ARCHIVE_UNTRUSTED',
        ),
      ),
    );
  });

  test('a keyring without any pinned key is ARCHIVE_UNTRUSTED', async () => {
    const distro = { ...fx.distro, signingKeys: [{ fingerprint: 'A'.repeat(40), description: 'other' }] };
    await withHome((ctx) =>
      rejectsWith(openArchive(distro, ctx, { architecture: 'amd64', ...FAST }), 'ARCHIVE_UNTRUSTED'),
    );
  });

  test('an expired Valid-Until is ARCHIVE_UNTRUSTED, unless the distro is a snapshot', async () => {
    const release = await readFile(join(fx.root, 'dists/fixture/Release'), 'utf8');
    const past = new Date(Date.UTC(2020, 0, 1)).toUTCString();
    const expired = await fx.sign(release.replace(/^Valid-Until: .*$/m, `Valid-Until: ${past}`));
    await withInRelease(Buffer.from(expired), async () => {
      await withHome(async (ctx) => {
        await assert.rejects(openArchive(fx.distro, ctx, { architecture: 'amd64', ...FAST }), (err: unknown) => {
          return isIroncladError(err, 'ARCHIVE_UNTRUSTED') && err.message.startsWith('fixture:');
        });
        const snapshot = { ...fx.distro, checkValidUntil: false };
        const archive = await openArchive(snapshot, ctx, { architecture: 'amd64', ...FAST });
        assert.equal(archive.packages.length, 3);
      });
    });
  });

  test('a Packages index that differs from the Release is DIGEST_MISMATCH', async () => {
    const other = await xzCompress(Buffer.from('Package: evil\nVersion: 1\nArchitecture: amd64\n'));
    await writeFile(xzPath(), other);
    try {
      await withHome(async (ctx) => {
        await rejectsWith(openArchive(fx.distro, ctx, { architecture: 'amd64', ...FAST }), 'DIGEST_MISMATCH');
        // Nothing unverified may land in the cache: only the verified InRelease is kept (for offline reads).
        const cacheDir = ctx.home.cache('sha256');
        const dirs = await readdir(cacheDir).catch(() => []);
        const inRelease = sha256Hex(await readFile(join(fx.root, 'dists', 'fixture', 'InRelease')));
        for (const d of dirs) for (const f of await readdir(join(cacheDir, d))) assert.equal(f, inRelease);
      });
    } finally {
      await writeFile(xzPath(), packagesXz);
    }
  });
});

describe('openArchive layout variants', () => {
  test('separate binary-all index, by-hash downloads, and a Release for the wrong suite', async () => {
    const fx = await createFixtureArchive({
      suites: [
        { name: 'one', packages: PACKAGES, separateArchAll: true, acquireByHash: true },
        { name: 'two', packages: [{ name: 'tool', version: '2.0' }], validUntil: null },
      ],
    });
    try {
      await withHome(async (ctx) => {
        const archive = await openArchive(fx.distro, ctx, { architecture: 'amd64', ...FAST });
        assert.deepEqual(archive.packages.map((p) => `${p.suite}/${p.name}`).sort(), [
          'one/greet-data',
          'one/hello',
          'one/libgreet1',
          'two/tool',
        ]);
        assert.ok(fx.requests.some((r) => r.startsWith('/dists/one/main/binary-all/by-hash/SHA256/')));
        assert.ok(fx.requests.includes('/dists/two/main/binary-amd64/Packages.xz'));
      });
      // A correctly signed Release of another suite served in place of this one.
      await writeFile(join(fx.root, 'dists/two/InRelease'), await readFile(join(fx.root, 'dists/one/InRelease')));
      await withHome((ctx) =>
        rejectsWith(openArchive(fx.distro, ctx, { architecture: 'amd64', ...FAST }), 'ARCHIVE_UNTRUSTED'),
      );
    } finally {
      await fx.close();
    }
  });
});
