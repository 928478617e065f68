import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { flattenImage, imageSourceFrom, layoutBlobStore, type ResolvedImage } from '../../src/oci/index.ts';
import { captureIO } from '../support/cli-io.ts';
import { createFixtureArchive, type FixtureArchive, writeFixtureDistroFile } from '../support/fixture-archive.ts';
import { FIXTURE_PACKAGES } from '../support/fixture-image.ts';

const PROVENANCE = 'https://slsa.dev/provenance/v1';

const BASE = `name: lib
distro: fixture
platforms: [linux/amd64]
tags: ["1"]
packages: [libfix1]
labels: {org.opencontainers.image.vendor: Fixture}
tests:
  - {name: base-test, run: [/nonexistent]}
`;

/** A customization adding one package, one CA certificate, one config file and a non-root data directory. */
const customization = (caSha: string) => `extends: lib
name: my-lib
tags: ["1-corp"]
packages: [fix-config]
accounts:
  users: [{name: app, uid: 1001}]
user: app
environment: {APP_MODE: corp}
labels: {com.example.team: payments}
paths:
  - {path: /usr/local/share/ca-certificates/corp-root.crt, type: file, source: corp-root.crt, sha256: ${caSha}}
  - {path: /etc/app/app.conf, type: file, content: "mode=corp\\n", owner: app, mode: "0640"}
  - {path: /var/lib/app, type: dir, owner: app, mode: "0750"}
tests:
  - {name: own-test, run: [/nonexistent]}
`;

describe('extends: a customization of a fixture image', () => {
  let fx: FixtureArchive;
  let dir: string;
  const home = () => join(dir, 'home');
  const cli = (...args: string[]) => {
    const io = captureIO(dir, { IRONCLAD_HOME: home(), IRONCLAD_PASSWORD: 'pw' });
    return runCli([...args], io).then((code) => ({ code, out: io.out.join('\n'), err: io.err.join('\n') }));
  };
  const image = async (tag: string): Promise<ResolvedImage> =>
    imageSourceFrom(layoutBlobStore(join(home(), 'store')), tag).resolve();
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }).toString();

  before(async () => {
    fx = await createFixtureArchive({ suites: [{ name: 'fixture', packages: FIXTURE_PACKAGES }] });
    dir = await mkdtemp(join(tmpdir(), 'ironclad-extends-'));
    await mkdir(join(dir, 'distros'));
    await writeFixtureDistroFile(fx, join(dir, 'distros'));
    await mkdir(join(dir, 'images/lib'), { recursive: true });
    await mkdir(join(dir, 'images/my-lib'), { recursive: true });
    await writeFile(join(dir, 'images/lib/image.yaml'), BASE);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl([
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'images/my-lib/corp-root.crt',
      '-days',
      '30',
      '-subj',
      '/CN=Corp Root',
    ]);
    openssl(['req', '-new', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=app.corp']);
    openssl([
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'images/my-lib/corp-root.crt',
      '-CAkey',
      'ca.key',
      '-out',
      'leaf.pem',
      '-days',
      '7',
    ]);
    const ca = await readFile(join(dir, 'images/my-lib/corp-root.crt'));
    await writeFile(
      join(dir, 'images/my-lib/image.yaml'),
      customization(createHash('sha256').update(ca).digest('hex')),
    );
  });
  after(async () => {
    await fx.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('locking the customization first asks for the base lock', async () => {
    const r = await cli('lock', 'images/my-lib', '--distros', 'distros');
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /extends lib, which has no lock/);
    assert.match(r.err, /hint: lock the base first: ironclad lock .*images\/lib/);
  });

  test('lock pins the base packages and adds the customization', async () => {
    assert.equal((await cli('lock', 'images/lib', '--distros', 'distros')).code, 0);
    const r = await cli('lock', 'images/my-lib', '--distros', 'distros');
    assert.equal(r.code, 0, r.err);
    const base = JSON.parse(await readFile(join(dir, 'images/lib/ironclad.lock.json'), 'utf8'));
    const mine = JSON.parse(await readFile(join(dir, 'images/my-lib/ironclad.lock.json'), 'utf8'));
    const pkgs = (l: typeof base) => l.variants.runtime.platforms['linux/amd64'].packages;
    const names = pkgs(mine).map((p: { name: string }) => p.name);
    assert.ok(names.includes('fix-config'));
    for (const p of pkgs(base))
      assert.deepEqual(
        pkgs(mine).find((q: { name: string }) => q.name === p.name),
        p,
      );
  });

  test('build puts the base image layers first, unchanged, and the customization on top', async () => {
    const b = await cli('build', 'images/lib', '--distros', 'distros', '--no-test');
    assert.equal(b.code, 0, b.err);
    const r = await cli('build', 'images/my-lib', '--distros', 'distros', '--no-test');
    assert.equal(r.code, 0, r.err);
    const base = await image('lib:1');
    const mine = await image('my-lib:1-corp');
    const baseLayers = base.manifest().layers.map((l) => l.digest);
    const myLayers = mine.manifest().layers.map((l) => l.digest);
    assert.deepEqual(myLayers.slice(0, baseLayers.length), baseLayers, 'the base layers, same digests, in order');
    assert.ok(myLayers.length > baseLayers.length);
    const config = await mine.config();
    const labels = config.config?.Labels ?? {};
    assert.equal(labels['org.opencontainers.image.base.name'], 'lib:1');
    assert.equal(labels['org.opencontainers.image.base.digest'], base.digest);
    assert.equal(labels['org.opencontainers.image.vendor'], 'Fixture', 'base labels are inherited');
    assert.equal(labels['com.example.team'], 'payments');
    assert.equal(config.config?.User, '1001:1001');
    assert.ok(config.config?.Env?.includes('APP_MODE=corp'));
    const comments = (config.history ?? []).map((h) => h.comment);
    assert.deepEqual(comments.slice(-3), ['fix-config', 'ironclad-customization', 'ironclad-sbom']);
  });

  test('the certificate is in the bundle and trusted; the file and directory have their owner and mode', async () => {
    const fs = await flattenImage(await image('my-lib:1-corp'));
    const bundle = await fs.readFile('/etc/ssl/certs/ca-certificates.crt', 1 << 20);
    const ca = await readFile(join(dir, 'images/my-lib/corp-root.crt'));
    assert.ok(Buffer.from(bundle).includes(ca), 'the company CA is in the bundle');
    await writeFile(join(dir, 'bundle.crt'), bundle);
    assert.match(openssl(['verify', '-CAfile', 'bundle.crt', 'leaf.pem']), /leaf.pem: OK/);
    assert.equal(fs.get('etc/ssl/certs/corp-root.pem')?.linkTarget, '/usr/local/share/ca-certificates/corp-root.crt');
    const conf = fs.get('etc/app/app.conf');
    assert.deepEqual([conf?.uid, conf?.gid, (conf?.mode ?? 0) & 0o7777], [1001, 1001, 0o640]);
    const data = fs.get('var/lib/app');
    assert.deepEqual([data?.type, data?.uid, (data?.mode ?? 0) & 0o7777], ['dir', 1001, 0o750]);
    assert.equal(Buffer.from(await fs.readFile('/etc/fix.conf', 100)).toString(), 'x=1\n', 'the added package');
    assert.match(Buffer.from(await fs.readFile('/etc/passwd', 1 << 16)).toString(), /^app:x:1001:1001:/m);
  });

  test('signed: provenance names the base, the SBOM lists base and added packages, verify and rebuild pass', async () => {
    assert.equal((await cli('keygen')).code, 0);
    const r = await cli('build', 'images/my-lib', '--distros', 'distros', '--no-test', '--key', 'ironclad.key');
    assert.equal(r.code, 0, r.err);
    const prov = await cli('attest', 'get', 'my-lib:1-corp', '--predicate-type', PROVENANCE, '--predicate');
    assert.equal(prov.code, 0, prov.err);
    const params = JSON.parse(prov.out).buildDefinition.externalParameters;
    const base = await image('lib:1');
    assert.equal(params.base.name, 'lib:1');
    assert.equal(`sha256:${params.base.digest.sha256}`, base.digest);
    assert.equal(params.base.definition.path, 'images/lib/image.yaml');
    assert.equal(params.definition.path, 'images/my-lib/image.yaml');
    assert.deepEqual(params.base.packages, ['libfix1']);
    const sbom = await cli('sbom', 'my-lib:1-corp', '--format', 'spdx-json');
    assert.equal(sbom.code, 0, sbom.err);
    const names = JSON.parse(sbom.out).packages.map((p: { name: string }) => p.name);
    assert.ok(names.includes('libfix1') && names.includes('fix-config'), names.join(', '));
    const v = await cli('verify', 'my-lib:1-corp', '--key', 'ironclad.pub', '--require', 'provenance,sbom');
    assert.equal(v.code, 0, `${v.out}\n${v.err}`);
    const again = await cli('rebuild', 'my-lib:1-corp', '--verify', '--key', 'ironclad.pub', '--distros', 'distros');
    assert.equal(again.code, 0, `${again.out}\n${again.err}`);
  });

  test('compare against the base shows what the customization added', async () => {
    const r = await cli('compare', 'my-lib:1-corp', '--to', 'lib:1', '--format', 'json');
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out);
    const added = report.packages.filter((c: { change: string }) => c.change === 'added');
    assert.deepEqual(
      added.map((c: { name: string }) => c.name),
      ['fix-config'],
    );
    const paths = (list: { path: string }[]) => list.map((f) => f.path);
    const addedPaths = paths(report.files.added);
    for (const p of ['/etc/fix.conf', '/etc/app/app.conf', '/var/lib/app', '/etc/ssl/certs/ca-certificates.crt']) {
      assert.ok(addedPaths.includes(p), `${p} added`);
    }
    assert.deepEqual(report.files.removed, []);
    assert.ok(paths(report.files.changed).includes('/etc/passwd'), 'the account is added to /etc/passwd');
    const text = await cli('compare', 'my-lib:1-corp', '--to', 'lib:1');
    assert.match(text.out, /^## Files$/m);
    assert.match(text.out, /^ {2}\+ \/etc\/app\/app\.conf$/m);
  });

  test('the base tests are inherited, beside the customization own', async () => {
    const r = await cli('build', 'images/my-lib', '--distros', 'distros', '--no-test', '--format', 'json');
    assert.equal(r.code, 0, r.err);
    const { loadDefinition, expandVariants } = await import('../../src/definition/index.ts');
    const loaded = await loadDefinition(join(dir, 'images/my-lib'));
    const [runtime] = expandVariants(loaded.definition);
    assert.deepEqual(
      runtime?.tests.map((t) => t.name),
      ['base-test', 'own-test'],
    );
    assert.equal(loaded.extends?.base.definition.name, 'lib');
  });

  test('a customization that brings a shell into a runtime image must declare it (exit 2, with a hint)', async () => {
    await mkdir(join(dir, 'images/with-shell'));
    const yaml = 'extends: lib\nname: with-shell\npackages: [bash]\n';
    await writeFile(join(dir, 'images/with-shell/image.yaml'), yaml);
    assert.equal((await cli('lock', 'images/with-shell', '--distros', 'distros')).code, 0);
    const r = await cli('build', 'images/with-shell', '--distros', 'distros', '--no-test');
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /bring a shell into the image/);
    assert.match(r.err, /hint: declare it with "shell: true"/);
    await writeFile(join(dir, 'images/with-shell/image.yaml'), `${yaml}shell: true\n`);
    assert.equal((await cli('lock', 'images/with-shell', '--distros', 'distros')).code, 0);
    const ok = await cli('build', 'images/with-shell', '--distros', 'distros', '--no-test');
    assert.equal(ok.code, 0, ok.err);
    const labels = (await (await image('with-shell:1')).config()).config?.Labels ?? {};
    assert.equal(labels['dev.ironclad.shell'], 'true');
  });

  test('a customization of a customization rebuilds from provenance: base, then middle, then top', async () => {
    await mkdir(join(dir, 'images/top-lib'));
    const top = 'extends: my-lib\nname: top-lib\ntags: ["1-top"]\nenvironment: {TOP: "1"}\n';
    const conf = 'paths:\n  - {path: /etc/top.conf, type: file, content: "top\\n", mode: "0644"}\n';
    await writeFile(join(dir, 'images/top-lib/image.yaml'), top + conf);
    assert.equal((await cli('lock', 'images/top-lib', '--distros', 'distros')).code, 0);
    const b = await cli('build', 'images/top-lib', '--distros', 'distros', '--no-test', '--key', 'ironclad.key');
    assert.equal(b.code, 0, b.err);
    const middle = (await image('my-lib:1-corp')).manifest().layers.map((l) => l.digest);
    const mine = (await image('top-lib:1-top')).manifest().layers.map((l) => l.digest);
    assert.deepEqual(mine.slice(0, middle.length), middle, "the middle image's layers, its base's first");
    const prov = await cli('attest', 'get', 'top-lib:1-top', '--predicate-type', PROVENANCE, '--predicate');
    const params = JSON.parse(prov.out).buildDefinition.externalParameters;
    assert.equal(params.base.name, 'my-lib:1-corp');
    assert.equal(params.base.base.name, 'lib:1', 'the chain is recorded down to the bottom');
    assert.deepEqual(params.base.base.packages, ['libfix1']);
    const again = await cli('rebuild', 'top-lib:1-top', '--verify', '--key', 'ironclad.pub', '--distros', 'distros');
    assert.equal(again.code, 0, `${again.out}\n${again.err}`);
  });

  test('a customization may not change what decides the base layers, nor overlay a missing variant', async () => {
    await mkdir(join(dir, 'images/bad'));
    await writeFile(join(dir, 'images/bad/image.yaml'), 'extends: lib\nname: bad\ndistro: other\n');
    const r = await cli('lock', 'images/bad', '--distros', 'distros');
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown key "distro"/);
    await writeFile(join(dir, 'images/bad/image.yaml'), 'extends: lib\nname: bad\nvariants: {dev: {}}\n');
    const v = await cli('lock', 'images/bad', '--distros', 'distros');
    assert.equal(v.code, 2);
    assert.match(v.err, /the base has no variant "dev"/);
    await writeFile(join(dir, 'images/bad/image.yaml'), 'extends: nowhere\nname: bad\n');
    const n = await cli('lock', 'images/bad', '--distros', 'distros');
    assert.equal(n.code, 2);
    assert.match(n.err, /extends: nowhere: no image definition/);
  });
});
