import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { loadDefinition, writeLockfile } from '../../src/definition/index.ts';
import { buildImages, planLock } from '../../src/image/index.ts';

// Needs the real Debian archive and runc: a certificate a definition adds is trusted by the image's own
// openssl, run inside the image by the build's functional tests (a failing test fails the build).
describe('a CA certificate added through paths is trusted inside the image (e2e)', () => {
  let work = '';
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'ironclad-ca-e2e-'));
  });
  after(async () => rm(work, { recursive: true, force: true }));

  test('openssl verify inside the dev variant accepts a leaf signed by the added CA, and only that one', async () => {
    const def = join(work, 'def');
    await mkdir(def);
    const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: def, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=E2E Root']);
    openssl(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=leaf.example']);
    openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-out', 'leaf.pem', '-days', '7']);
    openssl([
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'other.key',
      '-out',
      'other.pem',
      '-days',
      '7',
      '-subj',
      '/CN=stranger',
    ]);
    const pin = async (f: string) =>
      createHash('sha256')
        .update(await readFile(join(def, f)))
        .digest('hex');
    await writeFile(
      join(def, 'image.yaml'),
      `name: ca-e2e
distro: debian-13
platforms: [linux/amd64]
packages: [openssl, ca-certificates]
exclude: [debconf, cdebconf]
paths:
  - {path: /usr/local/share/ca-certificates/e2e-root.crt, type: file, source: ca.crt, sha256: ${await pin('ca.crt')}}
  - {path: /srv/leaf.pem, type: file, source: leaf.pem, sha256: ${await pin('leaf.pem')}}
  - {path: /srv/other.pem, type: file, source: other.pem, sha256: ${await pin('other.pem')}}
variants:
  dev:
    packages: [bash]
    user: root
    shell: true
    tests:
      # openssl's default CA file is /usr/lib/ssl/cert.pem, the link to the bundle the build writes.
      - {name: added-ca-trusted, run: [openssl, verify, /srv/leaf.pem], stdout: "/srv/leaf.pem: OK"}
      - {name: stranger-refused, run: [openssl, verify, /srv/other.pem], exit-code: 2, stderr: "self-signed certificate"}
      - {name: bundle-has-it, run: [bash, -c, 'b=$(< /etc/ssl/certs/ca-certificates.crt); c=$(< /usr/local/share/ca-certificates/e2e-root.crt); [[ $b == *"$c"* ]] && echo found'], stdout: found}
`,
    );
    const ctx = createContext({ home: join(work, 'home') });
    const loaded = await loadDefinition(def);
    const plan = await planLock(loaded, { platforms: ['linux/amd64'] }, ctx);
    await writeLockfile(loaded.dir, plan.lock);
    const built = await buildImages(loaded, plan.lock, { variant: 'dev', out: join(work, 'out') }, ctx);
    const tests = built.images[0]?.testReport?.platforms.flatMap((p) => p.tests) ?? [];
    const status = Object.fromEntries(tests.map((t) => [t.name, t.status]));
    assert.equal(status['added-ca-trusted'], 'passed');
    assert.equal(status['stranger-refused'], 'passed');
    assert.equal(status['bundle-has-it'], 'passed');
  });
});
