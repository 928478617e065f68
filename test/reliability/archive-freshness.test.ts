import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/cli-io.ts';
import { createFixtureArchive, type FixtureArchive, writeFixtureDistroFile } from '../support/fixture-archive.ts';

/**
 * Issue 12, item 2: archive rollback and freshness, as apt judges them. A mirror replays an older, correctly
 * signed InRelease (with a Valid-Until still in the future, or none, as Debian's main suites have), publishes one
 * dated in the future, or one signed by a pinned key that has expired since: `lock` refuses each with exit 3,
 * naming the rule, and the lockfile stays as it was.
 */

const DAY = 86_400_000;
const DEFINITION = `name: tool
distro: fixture
platforms: [linux/amd64]
tags: ["1"]
packages: [hello]
`;
const PACKAGES = [{ name: 'hello', version: '1.0', files: [{ path: '/usr/bin/hello', content: 'hi\n' }] }];

async function workspace(fx: FixtureArchive) {
  const dir = await mkdtemp(join(tmpdir(), 'rel-archive-'));
  await mkdir(join(dir, 'distros'));
  await writeFixtureDistroFile(fx, join(dir, 'distros'));
  await mkdir(join(dir, 'tool'));
  await writeFile(join(dir, 'tool/image.yaml'), DEFINITION);
  const lock = async (...extra: string[]) => {
    const io = captureIO(dir, { IRONCLAD_HOME: join(dir, 'home') });
    const status = await runCli(['lock', 'tool', '--distros', 'distros', ...extra], io);
    return { status, out: io.out.join('\n'), err: io.err.join('\n') };
  };
  const lockfile = () => readFile(join(dir, 'tool', 'ironclad.lock.json'));
  return { dir, lock, lockfile };
}

/** Re-publishes the fixture suite's InRelease with other dates (the indices, and their hashes, stay the same). */
async function publish(fx: FixtureArchive, date: Date, validUntil: Date | null): Promise<void> {
  const release = (await readFile(join(fx.root, 'dists/fixture/Release'), 'utf8'))
    .replace(/^Date: .*$/m, `Date: ${date.toUTCString()}`)
    .replace(/^Valid-Until: .*\n/m, validUntil === null ? '' : `Valid-Until: ${validUntil.toUTCString()}\n`);
  await writeFile(join(fx.root, 'dists/fixture/InRelease'), await fx.sign(release));
}

describe('archive rollback and freshness', () => {
  let fx: FixtureArchive;
  let ws: Awaited<ReturnType<typeof workspace>>;
  const now = Date.now();

  before(async () => {
    fx = await createFixtureArchive({ suites: [{ name: 'fixture', packages: PACKAGES }] });
    ws = await workspace(fx);
    await publish(fx, new Date(now - 60_000), new Date(now + 7 * DAY));
    const first = await ws.lock();
    assert.equal(first.status, 0, first.err);
  });
  after(async () => {
    await fx.close();
    await rm(ws.dir, { recursive: true, force: true });
  });

  test('a replayed InRelease 30 days older, Valid-Until still ahead: refused as a rollback', async () => {
    const before = await ws.lockfile();
    await publish(fx, new Date(now - 30 * DAY), new Date(now + 5 * DAY));
    const r = await ws.lock();
    assert.equal(r.status, 3, r.err);
    assert.match(r.err, /fixture: InRelease is older than one already seen \(rollback or replay\)/);
    assert.match(r.err, /30 days before/);
    assert.match(r.err, /hint: .*--allow-archive-rollback/);
    assert.deepEqual(await ws.lockfile(), before);
    // Checking against the lock does not get around it either.
    assert.equal((await ws.lock('--check')).status, 3);
  });

  test('a replayed InRelease 400 days older without Valid-Until (as Debian main suites): refused', async () => {
    const before = await ws.lockfile();
    await publish(fx, new Date(now - 400 * DAY), null);
    const r = await ws.lock();
    assert.equal(r.status, 3, r.err);
    assert.match(r.err, /rollback or replay/);
    assert.match(r.err, /400 days before/);
    assert.deepEqual(await ws.lockfile(), before);
  });

  test('--allow-archive-rollback accepts the older one and keeps the newest seen', async () => {
    await publish(fx, new Date(now - 30 * DAY), new Date(now + 5 * DAY));
    const r = await ws.lock('--allow-archive-rollback');
    assert.equal(r.status, 0, r.err);
    assert.equal((await ws.lock()).status, 3, 'still refused without the flag');
  });

  test('an InRelease dated 30 days in the future: refused, and it does not become the newest seen', async () => {
    await publish(fx, new Date(now + 30 * DAY), new Date(now + 40 * DAY));
    const before = await ws.lockfile();
    const r = await ws.lock();
    assert.equal(r.status, 3, r.err);
    assert.match(r.err, /fixture: InRelease is dated in the future: Date .* is 30 days ahead of this machine's clock/);
    assert.match(r.err, /hint: check this machine's clock/);
    assert.deepEqual(await ws.lockfile(), before);
    await publish(fx, new Date(now), new Date(now + 7 * DAY));
    const current = await ws.lock();
    assert.equal(current.status, 0, current.err);
  });

  test('a Valid-Until in the past: refused as expired', async () => {
    await publish(fx, new Date(now), new Date(now - 60_000));
    const r = await ws.lock();
    assert.equal(r.status, 3, r.err);
    assert.match(r.err, /fixture: InRelease expired \(Valid-Until/);
  });
});

test('an InRelease signed while the pinned key was valid, by a key that has expired since: refused', async () => {
  // The key lived from 10 days ago to 3 days ago; it signed 5 days ago, with a Valid-Until still ahead.
  const now = Date.now();
  const fx = await createFixtureArchive({
    suites: [{ name: 'fixture', packages: PACKAGES, date: new Date(now - 5 * DAY), validUntil: new Date(now + DAY) }],
    signingKey: { created: new Date(now - 10 * DAY), expiresInSeconds: 7 * 86_400 },
    signedAt: new Date(now - 5 * DAY),
  });
  const ws = await workspace(fx);
  try {
    const r = await ws.lock();
    assert.equal(r.status, 3, r.err);
    assert.match(r.err, new RegExp(`fixture: InRelease is signed only by expired keys: ${fx.fingerprint} expired on`));
    assert.match(r.err, /hint: the archive's signing key has expired/);
    await assert.rejects(ws.lockfile(), 'no lockfile was written');
  } finally {
    await fx.close();
    await rm(ws.dir, { recursive: true, force: true });
  }
});
