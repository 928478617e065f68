import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { Home, isIroncladError } from '../../src/core/index.ts';
import { expandVariants, READ_ONLY_ROOT_LABEL } from '../../src/definition/index.ts';
import { parseDefinition } from '../../src/definition/load.ts';
import { hostPlatform, openImageSource, type TarEntry } from '../../src/oci/index.ts';
import { reportFailed, type TestReport, testImage } from '../../src/testing/index.ts';
import { mirrorHostPaths, type RunnableImageOptions, writeRunnableImage } from '../support/runnable-image.ts';

const host = hostPlatform();
let dir: string;
let n = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'test-image-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const enc = (s: string) => new TextEncoder().encode(s);
const meta = { uid: 0, gid: 0, mtime: 1700000000 };
const d = (path: string, mode = 0o755): TarEntry => ({ type: 'dir', path, mode, ...meta });
const f = (path: string, text: string, mode = 0o644): TarEntry => ({
  type: 'file',
  path,
  mode,
  data: enc(text),
  ...meta,
});

const STATUS =
  'Package: libfoo1\nVersion: 1.2-3\nArchitecture: amd64\nSource: foo (1.2-3)\nStatus: install ok installed\n';
const SBOM = JSON.stringify({
  spdxVersion: 'SPDX-2.3',
  packages: [
    { name: 'img', versionInfo: 'sha256:x' },
    {
      name: 'libfoo1',
      versionInfo: '1.2-3',
      externalRefs: [{ referenceType: 'purl', referenceLocator: 'pkg:deb/debian/libfoo1@1.2-3?arch=amd64' }],
    },
  ],
});

/** A well-formed hardened image: numeric non-root user, dpkg status.d, matching embedded SBOM, sticky /tmp. */
const goodExtra: TarEntry[] = [
  d('tmp', 0o1777),
  d('etc'),
  f('etc/os-release', 'ID=debian\nVERSION_ID="12"\n'),
  d('var'),
  d('var/lib'),
  d('var/lib/dpkg'),
  d('var/lib/dpkg/status.d'),
  f('var/lib/dpkg/status.d/libfoo1', STATUS),
  d('usr/share'),
  d('usr/share/sbom'),
  f('usr/share/sbom/ironclad.spdx.json', SBOM),
];

const LABELS = { 'dev.ironclad.variant': 'runtime', 'dev.ironclad.shell': 'false' };

async function run(o: RunnableImageOptions, variant?: Parameters<typeof testImage>[1]['variant']): Promise<TestReport> {
  const tag = `t${n++}`;
  await writeRunnableImage(join(dir, 'layout'), { tag, index: true, ...o });
  const source = openImageSource({ kind: 'oci-layout', dir: join(dir, 'layout'), tag }, { home: new Home(dir) });
  const ctx = createContext({ home: join(dir, 'home') });
  return testImage(source, { host, ...(variant !== undefined && { variant }) }, ctx);
}

function status(r: TestReport, name: string): string | undefined {
  return [...r.imageChecks, ...r.platforms.flatMap((p) => [...p.checks, ...p.tests])].find((c) => c.name === name)
    ?.status;
}

function variantOf(yaml: string) {
  return expandVariants(parseDefinition(yaml, 'image.yaml').definition)[0]!;
}

const BASE_YAML = 'name: tiny\ndistro: debian-12\nplatforms: [linux/amd64]\npackages: [libfoo1]\n';

test('a hardened image passes every check and its functional tests', async () => {
  const variant = variantOf(
    `${BASE_YAML}size-budget: 50MB\npackage-budget: 1\ntests:\n  - {name: hello, run: [echo, hello], stdout: hello}\n  - {name: uid, run: [id, -u], stdout-regex: "^65532$"}\n`,
  );
  const r = await run({ extra: goodExtra, config: { User: '65532:65532', Labels: LABELS } }, variant);
  const all = [...r.imageChecks, ...r.platforms.flatMap((p) => [...p.checks, ...p.tests])];
  const notPassed = all.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`);
  // The vulnerability check needs a database, which this test does not import.
  assert.deepEqual(notPassed, [
    'no-fixable-critical-high: no vulnerability database (run `ironclad db update`)',
    'writable-paths: the image declares no volumes',
    'starts: the image has no Entrypoint or Cmd',
  ]);
  assert.equal(reportFailed(r), false);
  assert.equal(r.variant, 'runtime');
});

test('a shell in a runtime image fails no-shell, found through symlinks', async () => {
  const extra = [
    ...goodExtra,
    ...mirrorHostPaths(['/bin/dash']),
    { type: 'symlink', path: 'usr/bin/sh', target: 'dash', mode: 0o777, ...meta } as TarEntry,
  ];
  const r = await run({ extra, config: { User: '65532:65532', Labels: LABELS } });
  assert.equal(status(r, 'no-shell'), 'failed');
  assert.equal(reportFailed(r), true);
  const dev = await run({
    extra,
    config: { User: '0', Labels: { 'dev.ironclad.variant': 'dev', 'dev.ironclad.shell': 'true' } },
  });
  assert.equal(status(dev, 'no-shell'), 'passed', 'a dev variant may have a shell');
  assert.equal(status(dev, 'non-root-user'), 'skipped');
});

test('an image running as root fails non-root-user and kubernetes-compatible', async () => {
  const r = await run({ extra: goodExtra, config: { User: 'root', Labels: LABELS, ExposedPorts: { '80/tcp': {} } } });
  assert.equal(status(r, 'non-root-user'), 'failed');
  assert.equal(status(r, 'kubernetes-compatible'), 'failed');
});

test('a reference image (dev.ironclad.kind reference) reports broken hardening rules without failing', async () => {
  // perl without its libraries: the linkage a conventional image's optional plugins also break.
  const extra = [...goodExtra, f('usr/bin/su', 'x', 0o4755), ...mirrorHostPaths(['/usr/bin/perl'])];
  const r = await run({ extra, config: { User: 'root', Labels: { ...LABELS, 'dev.ironclad.kind': 'reference' } } });
  assert.equal(status(r, 'non-root-user'), 'skipped');
  assert.equal(status(r, 'no-setuid'), 'skipped');
  const linkage = r.platforms[0]!.checks.find((c) => c.name === 'linkage')!;
  assert.equal(linkage.status, 'skipped');
  assert.match(
    linkage.message,
    /^reference image, not hardened: missing libraries: \/usr\/bin\/perl: lib\S+ not found/,
  );
  assert.equal(reportFailed(r), false);
  const hardened = await run({ extra, config: { User: '65532:65532', Labels: LABELS } });
  assert.equal(status(hardened, 'linkage'), 'failed', 'the same image, hardened, fails linkage');
});

test('a setuid file fails no-setuid; a world-writable file fails no-world-writable', async () => {
  const r = await run({
    extra: [...goodExtra, f('usr/bin/su', 'x', 0o4755), f('etc/open', 'x', 0o666)],
    config: { User: '65532:65532', Labels: LABELS },
  });
  assert.equal(status(r, 'no-setuid'), 'failed');
  assert.equal(status(r, 'no-world-writable'), 'failed');
  assert.equal(status(r, 'no-shell'), 'passed');
});

test('a package manager fails no-package-manager', async () => {
  const r = await run({
    extra: [...goodExtra, f('usr/bin/dpkg', '#!', 0o755)],
    config: { User: '1:1', Labels: LABELS },
  });
  assert.equal(status(r, 'no-package-manager'), 'failed');
});

test('a functional test printing the wrong thing fails, with the reason', async () => {
  const variant = variantOf(
    `${BASE_YAML}tests:\n  - {name: greet, run: [echo, goodbye], stdout: hello}\n  - {name: code, run: [cat, /missing], exit-code: 0}\n`,
  );
  const r = await run({ extra: goodExtra, config: { User: '65532:65532', Labels: LABELS } }, variant);
  const tests = r.platforms[0]!.tests;
  assert.deepEqual(
    tests.map((t) => [t.name, t.status]),
    [
      ['starts', 'skipped'],
      ['greet', 'failed'],
      ['code', 'failed'],
    ],
  );
  assert.match(tests[1]!.message, /does not contain "hello"/);
  assert.equal(tests[2]!.exitCode, 1);
});

test('test runs an image labelled read-only-root read-only (/tmp writable); without the label, as before', async () => {
  const variant = variantOf(
    `${BASE_YAML}read-only-root: true\ntests:\n  - {name: root, run: [sh, -c, "echo x > /w/x"], exit-code: 0}\n  - {name: tmp, run: [sh, -c, "echo t > /tmp/t && cat /tmp/t"], stdout: t}\n`,
  );
  assert.equal(variant.readOnlyRoot, true);
  const extra = [...goodExtra, d('w', 0o777), ...mirrorHostPaths(['/bin/dash'])];
  const sh = { type: 'symlink', path: 'usr/bin/sh', target: 'dash', mode: 0o777, ...meta } as TarEntry;
  const labels = { ...LABELS, [READ_ONLY_ROOT_LABEL]: 'true' };
  const tests = async (l: Record<string, string>) =>
    (await run({ extra: [...extra, sh], config: { User: '65532:65532', Labels: l } }, variant)).platforms[0]!.tests;
  const statuses = async (l: Record<string, string>) => (await tests(l)).map((t) => `${t.name}:${t.status}`);
  assert.deepEqual(await statuses(labels), ['starts:skipped', 'root:failed', 'tmp:passed']);
  assert.deepEqual(await statuses(LABELS), ['starts:skipped', 'root:passed', 'tmp:passed']);
});

test('an image over its size budget fails size-budget; a missing platform fails declared-platforms', async () => {
  const variant = variantOf(
    `name: tiny\ndistro: debian-12\nplatforms: [linux/amd64, linux/arm64]\npackages: [libfoo1]\nsize-budget: 1000\n`,
  );
  const r = await run({ extra: goodExtra, config: { User: '65532:65532', Labels: LABELS } }, variant);
  assert.equal(status(r, 'size-budget'), 'failed');
  assert.equal(status(r, 'declared-platforms'), 'failed');
});

test('the embedded SBOM must list exactly the installed packages; foreign images skip the check', async () => {
  const extra = goodExtra.map((e) =>
    e.path === 'var/lib/dpkg/status.d/libfoo1' ? f(e.path, STATUS.replace('1.2-3\nArch', '1.2-4\nArch')) : e,
  );
  const r = await run({ extra, config: { User: '65532:65532', Labels: LABELS } });
  assert.equal(status(r, 'embedded-sbom'), 'failed');
  const foreign = await run({ extra, config: { User: '65532:65532' } });
  assert.equal(status(foreign, 'embedded-sbom'), 'skipped');
});

test('asking for a platform the image does not have is USAGE', async () => {
  await writeRunnableImage(join(dir, 'layout'), { tag: 'plain', index: true });
  const source = openImageSource(
    { kind: 'oci-layout', dir: join(dir, 'layout'), tag: 'plain' },
    { home: new Home(dir) },
  );
  await assert.rejects(
    testImage(
      source,
      { host, platforms: [{ os: 'linux', architecture: 'riscv64' }] },
      createContext({ home: new Home(dir) }),
    ),
    (e) => isIroncladError(e, 'USAGE'),
  );
});

test('a wrong entrypoint fails starts, naming the command: one missing from the image, one that exits at once', async () => {
  const missing = await run({
    extra: goodExtra,
    config: { User: '65532:65532', Labels: LABELS, Entrypoint: ['/usr/sbin/nginxx'], Cmd: ['-g', 'daemon off;'] },
  });
  const startsOf = (r: TestReport) => r.platforms[0]!.tests.find((t) => t.name === 'starts')!;
  assert.equal(startsOf(missing).status, 'failed');
  assert.match(startsOf(missing).message, /^\/usr\/sbin\/nginxx -g daemon off;: exited with code \d+/);
  assert.equal(reportFailed(missing), true);
  const exits = await run({
    extra: [...goodExtra, ...mirrorHostPaths(['/usr/bin/false'])],
    config: { User: '65532:65532', Labels: LABELS, Entrypoint: ['/usr/bin/false'] },
  });
  assert.equal(startsOf(exits).status, 'failed');
  assert.match(startsOf(exits).message, /^\/usr\/bin\/false: exited with code 1 within 3 s$/);
});
