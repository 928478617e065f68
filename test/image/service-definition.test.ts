import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Home, isIroncladError } from '../../src/core/index.ts';
import { loadDefinition } from '../../src/definition/index.ts';
import { buildImages } from '../../src/image/index.ts';
import { flattenImage, imageSourceFrom, layoutBlobStore } from '../../src/oci/index.ts';
import { createFixtureImage, type FixtureImage } from '../support/fixture-image.ts';

/** A CA and a server certificate it signed, made with the host's openssl (the judge of trust below). */
function makeCertificates(dir: string): { ca: Buffer; leaf: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key'].concat([
      '-out',
      'ca.crt',
      '-days',
      '3650',
      '-subj',
      '/CN=Fixture Corp Root',
    ]),
  );
  run(
    ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key'].concat([
      '-out',
      'leaf.csr',
      '-subj',
      '/CN=service.example',
    ]),
  );
  run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-out', 'leaf.pem', '-days', '30']);
  return { ca: execFileSync('cat', [join(dir, 'ca.crt')]), leaf: join(dir, 'leaf.pem') };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function definition(caSha: string, confSha: string): string {
  return `name: service
distro: fixture
platforms: [linux/amd64]
tags: ["1.0"]
packages: [fixtool]
exclude: [debconf]
accounts:
  groups:
    - {name: web, gid: 1200, members: [svc]}
  users:
    - {name: svc, uid: 1100, home: /var/lib/svc}
    - {name: helper, uid: 1101, gid: 1200, groups: [web]}
user: svc
entrypoint: [/usr/bin/fixtool]
work-dir: /var/lib/svc
ports: [8080, "53/udp"]
volumes: [/var/lib/svc/data]
stop-signal: SIGQUIT
labels:
  org.opencontainers.image.licenses: MIT
  org.opencontainers.image.vendor: Fixture Corp
annotations: {com.example.team: web}
paths:
  - {path: /var/lib/svc/data, type: dir, owner: svc, mode: "0750"}
  - {path: /var/cache/svc, type: dir, owner: "svc:web", mode: "0770"}
  - {path: /etc/fix.conf, type: file, content: "x=2\\n", owner: "0:1200", mode: "0640"}
  - {path: /etc/svc/svc.conf, type: file, source: svc.conf, sha256: ${confSha}}
  - {path: /var/log/svc.log, type: symlink, target: /dev/stdout}
  - {path: /usr/share/locale, type: delete}
  - {path: /usr/bin/fixhelper, type: delete}
  - {path: /usr/local/share/ca-certificates/fixture-root.crt, type: file, source: ca.crt, sha256: ${caSha}}
`;
}

describe('a service definition: paths, accounts, config and a CA certificate', () => {
  let fx: FixtureImage;
  let certs: { ca: Buffer; leaf: string };
  let work = '';
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'ironclad-svc-'));
    certs = makeCertificates(work);
    const conf = Buffer.from('listen 8080\n');
    fx = await createFixtureImage(definition(sha256(certs.ca), sha256(conf)));
    await writeFile(join(fx.loaded.dir, 'ca.crt'), certs.ca);
    await writeFile(join(fx.loaded.dir, 'svc.conf'), conf);
  });
  after(async () => {
    await fx.close();
    await rm(work, { recursive: true, force: true });
  });

  test('the layers hold exactly the declared files, owners and modes; the config has the process settings', async () => {
    const result = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro, test: false }, fx.ctx);
    const image = result.images[0]!;
    const source = imageSourceFrom(layoutBlobStore(new Home(fx.home).store), 'service:1.0');
    const resolved = await source.resolve();
    const fs = await flattenImage(resolved);
    const meta = (p: string) => {
      const e = fs.get(p);
      return e && { type: e.type, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, target: e.linkTarget };
    };
    const text = async (p: string) => new TextDecoder().decode(await fs.readFile(p, 1 << 20));
    assert.deepEqual(meta('var/lib/svc/data'), { type: 'dir', mode: 0o750, uid: 1100, gid: 1100, target: undefined });
    assert.deepEqual(meta('etc/fix.conf'), { type: 'file', mode: 0o640, uid: 0, gid: 1200, target: undefined });
    assert.equal(await text('etc/fix.conf'), 'x=2\n', 'a package file replaced by the definition');
    assert.equal(await text('etc/svc/svc.conf'), 'listen 8080\n');
    assert.deepEqual(meta('etc/svc'), { type: 'dir', mode: 0o755, uid: 0, gid: 0, target: undefined });
    assert.equal(meta('var/log/svc.log')?.target, '/dev/stdout');
    assert.ok(!fs.paths().some((p) => p.startsWith('usr/share/locale')), 'deleted tree');
    assert.equal(fs.get('usr/bin/fixhelper'), undefined);
    assert.ok(fs.get('usr/bin/fixtool'), 'the rest of the package stays');
    assert.deepEqual(meta('var/lib/svc'), { type: 'dir', mode: 0o700, uid: 1100, gid: 1100, target: undefined });

    assert.match(await text('etc/passwd'), /^svc:x:1100:1100:svc:\/var\/lib\/svc:\/usr\/sbin\/nologin$/m);
    assert.match(await text('etc/passwd'), /^helper:x:1101:1200:helper:\/nonexistent:\/usr\/sbin\/nologin$/m);
    const group = await text('etc/group');
    assert.match(group, /^svc:x:1100:$/m);
    assert.match(group, /^web:x:1200:svc,helper$/m);

    const cfg = image.platforms[0]!.config.config!;
    assert.equal(cfg.User, '1100:1100');
    assert.equal(cfg.WorkingDir, '/var/lib/svc');
    assert.deepEqual(cfg.ExposedPorts, { '53/udp': {}, '8080/tcp': {} });
    assert.deepEqual(cfg.Volumes, { '/var/lib/svc/data': {} });
    assert.equal(cfg.StopSignal, 'SIGQUIT');
    assert.equal(cfg.Labels?.['org.opencontainers.image.licenses'], 'MIT');
    const index = JSON.parse(
      new TextDecoder().decode(
        await readFile(join(new Home(fx.home).store, 'blobs', 'sha256', image.index.digest.slice(7))),
      ),
    );
    assert.equal(index.annotations['org.opencontainers.image.vendor'], 'Fixture Corp');
    assert.equal(index.annotations['org.opencontainers.image.licenses'], 'MIT');
    assert.equal(index.annotations['com.example.team'], 'web');
    const manifest = JSON.parse(new TextDecoder().decode(resolved.manifestBytes()));
    assert.equal(manifest.annotations['org.opencontainers.image.title'], 'service');

    // The certificate is in the bundle, as update-ca-certificates would put it, and host openssl trusts a
    // certificate it signed with that bundle and nothing else.
    const bundle = await fs.readFile('etc/ssl/certs/ca-certificates.crt', 1 << 22);
    assert.ok(Buffer.from(bundle).includes(certs.ca));
    assert.equal(meta('etc/ssl/certs/fixture-root.pem')?.target, '/usr/local/share/ca-certificates/fixture-root.crt');
    const bundleFile = join(work, 'bundle.crt');
    await writeFile(bundleFile, bundle);
    const verified = execFileSync('openssl', ['verify', '-CAfile', bundleFile, certs.leaf], { encoding: 'utf8' });
    assert.match(verified, /: OK$/m);
  });

  test('a source file that does not match its sha256 is refused with DIGEST_MISMATCH', async () => {
    await writeFile(join(fx.loaded.dir, 'svc.conf'), 'tampered\n');
    try {
      await assert.rejects(
        buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro, test: false }, fx.ctx),
        (err) => isIroncladError(err, 'DIGEST_MISMATCH'),
      );
    } finally {
      await writeFile(join(fx.loaded.dir, 'svc.conf'), 'listen 8080\n');
    }
  });

  test('deleting a missing path, or declaring a generated one, is refused with DEFINITION_INVALID', async () => {
    for (const extra of [
      '  - {path: /usr/bin/nothere, type: delete}\n',
      '  - {path: /etc/passwd, type: file, content: "root:x:0:0::/:/bin/sh\\n"}\n',
    ]) {
      await writeFile(
        join(fx.loaded.dir, 'image.yaml'),
        `${definition(sha256(certs.ca), sha256(Buffer.from('listen 8080\n')))}${extra}`,
      );
      const loaded = await loadDefinition(fx.loaded.dir);
      const lock = { ...fx.lock, definitionDigest: loaded.digest };
      await assert.rejects(
        buildImages(loaded, lock, { distroConfig: fx.archive.distro, test: false, out: join(work, 'out') }, fx.ctx),
        (err) => isIroncladError(err, 'DEFINITION_INVALID'),
        extra,
      );
    }
  });
});
