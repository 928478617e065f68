import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { imageSourceFrom, layoutBlobStore } from '../../src/oci/index.ts';
import { captureIO } from '../support/cli-io.ts';

const REPO = resolve(import.meta.dirname, '../..');

// Needs the real Debian archive. Kept cheap: the runtime variant on linux/amd64 only.
describe('a customization of the real python image: python3-requests and a company CA (e2e)', () => {
  let work: string;
  const cli = (...args: string[]) => {
    const io = captureIO(work, { IRONCLAD_HOME: join(work, 'home') });
    return runCli(args, io).then((code) => ({ code, out: io.out.join('\n'), err: io.err.join('\n') }));
  };
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `ironclad ${args.join(' ')}\n${r.out}\n${r.err}`);
    return r;
  };
  const layers = async (tag: string) =>
    (
      await imageSourceFrom(layoutBlobStore(join(work, 'home/store')), tag).resolve({
        os: 'linux',
        architecture: 'amd64',
      })
    )
      .manifest()
      .layers.map((l) => l.digest);

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'ironclad-extends-e2e-'));
    await mkdir(join(work, 'images/python'), { recursive: true });
    await mkdir(join(work, 'images/my-python'), { recursive: true });
    // A copy of the catalog definition, locked afresh: the committed lock may pin versions the archive dropped.
    await copyFile(join(REPO, 'images/python/image.yaml'), join(work, 'images/python/image.yaml'));
    const ca = join(work, 'images/my-python/corp-root.crt');
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30'];
    execFileSync('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      join(work, 'ca.key'),
      '-out',
      ca,
      '-subj',
      '/CN=E2E Corp Root',
    ]);
    const sha = createHash('sha256')
      .update(await readFile(ca))
      .digest('hex');
    await writeFile(
      join(work, 'images/my-python/image.yaml'),
      `extends: python
name: my-python
packages: [python3-requests]
paths:
  - {path: /usr/local/share/ca-certificates/corp-root.crt, type: file, source: corp-root.crt, sha256: ${sha}}
tests:
  - {name: imports-requests, run: [python3, -c, "import requests"]}
`,
    );
    const only = ['--platform', 'linux/amd64', '--variant', 'runtime'];
    await ok('lock', 'images/python', ...only);
    await ok('lock', 'images/my-python', ...only);
    await ok('build', 'images/python', '--platform', 'linux/amd64', '--no-test');
    // Tested: the base's tests and the customization's run on the customized image.
    await ok('build', 'images/my-python', '--platform', 'linux/amd64');
  });
  after(async () => rm(work, { recursive: true, force: true }));

  test('the base layers are the python image layers, unchanged', async () => {
    const base = await layers('python:3.11');
    const mine = await layers('my-python:3.11');
    assert.deepEqual(mine.slice(0, base.length), base);
    assert.ok(mine.length > base.length);
  });

  test('requests imports as 65532, and trusts the company CA through the system bundle', async () => {
    const script = [
      'import os, ssl, requests',
      "names = [dict(x[0] for x in c['subject']).get('commonName') for c in ssl.create_default_context().get_ca_certs()]",
      "print(os.getuid(), requests.certs.where(), 'E2E Corp Root' in names)",
    ].join('\n');
    const r = await ok('run', 'my-python:3.11', '--user', '65532', '--entrypoint', 'python3', '--', '-c', script);
    assert.match(r.out, /^65532 \/etc\/ssl\/certs\/ca-certificates\.crt True$/m);
  });

  test('compare against python shows the added packages', async () => {
    const r = await ok('compare', 'my-python:3.11', '--to', 'python:3.11', '--format', 'json');
    const report = JSON.parse(r.out);
    const added = report.packages
      .filter((p: { change: string }) => p.change === 'added')
      .map((p: { name: string }) => p.name);
    assert.ok(added.includes('python3-requests'), added.join(', '));
    assert.ok(
      report.packages.filter((p: { change: string }) => p.change !== 'added' && p.change !== 'unchanged').length === 0,
      'nothing of the base changed',
    );
  });
});
