import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { runCli } from '../../src/cli/main.ts';
import type { TarEntry } from '../../src/oci/index.ts';
import { captureIO as recordIO } from '../support/cli-io.ts';
import { mirrorHostPaths, writeRunnableImage } from '../support/runnable-image.ts';

let home: string;
const meta = { uid: 0, gid: 0, mtime: 1700000000 };
const labels = { 'dev.ironclad.variant': 'runtime', 'dev.ironclad.shell': 'false' };

function captureIO() {
  return recordIO(home, { IRONCLAD_HOME: home });
}

const DEFINITION = `name: tiny
distro: debian-12
platforms: [linux/amd64]
packages: [libfoo1]
tags: ["1"]
tests:
  - {name: hello, run: [echo, hello], stdout: hello}
variants:
  dev: {shell: true, user: root}
`;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'cli-test-'));
  const store = join(home, 'store');
  // tiny:1 is the runtime variant; it has no embedded SBOM, so that check fails as it should.
  await writeRunnableImage(store, { tag: 'tiny:1', index: true, config: { User: '65532:65532', Labels: labels } });
  const shell = [
    ...mirrorHostPaths(['/bin/dash']),
    { type: 'symlink', path: 'usr/bin/sh', target: 'dash', mode: 0o777, ...meta } as TarEntry,
  ];
  await writeRunnableImage(store, {
    tag: 'tiny:1-dev',
    index: true,
    extra: shell,
    config: { User: '0', Labels: { ...labels, 'dev.ironclad.variant': 'dev', 'dev.ironclad.shell': 'true' } },
  });
  await writeRunnableImage(store, {
    tag: 'shelly:1',
    index: true,
    extra: shell,
    config: { User: '65532:65532', Labels: labels },
  });
  await writeRunnableImage(store, {
    tag: 'plain:1',
    index: true,
    config: { User: '65532:65532', Cmd: ['/usr/bin/true'] },
  });
  await mkdir(join(home, 'images', 'tiny'), { recursive: true });
  await writeFile(join(home, 'images', 'tiny', 'image.yaml'), DEFINITION);
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

test('a foreign image that meets the rules exits 0 and prints a summary', async () => {
  const io = captureIO();
  assert.equal(await runCli(['test', 'plain:1'], io), 0, io.out.join('\n'));
  const text = io.out.join('\n');
  assert.match(text, /✔ no-shell/);
  assert.match(text, /– embedded-sbom/);
  assert.match(text, /linux\/amd64 sha256:/);
});

test('a runtime image with a shell exits 1, naming the check', async () => {
  const io = captureIO();
  assert.equal(await runCli(['test', 'shelly:1'], io), 1);
  assert.match(io.out.join('\n'), /✘ no-shell {2}shell found: .*\/usr\/bin\/sh/);
});

test('an image directory tests each variant from the store and writes a valid CTRF report', async () => {
  const io = captureIO();
  const status = await runCli(['test', 'images/tiny', '--ctrf', 'out/report.json', '--format', 'json'], io);
  assert.equal(status, 1, 'tiny:1 has no embedded SBOM');
  const doc = JSON.parse(await readFile(join(home, 'out', 'report.json'), 'utf8')) as {
    results: { tests: { name: string; status: string; suite: string[] }[] };
  };
  assert.deepEqual(JSON.parse(io.out.join('')), doc, '--format json prints the CTRF document');
  const schema = JSON.parse(
    await readFile(join(import.meta.dirname, '../fixtures/testing/ctrf.schema.json'), 'utf8'),
  ) as object;
  const ajv = new Ajv({ strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  assert.equal(validate(doc), true, JSON.stringify(validate.errors));
  const find = (image: string, name: string) =>
    doc.results.tests.find((t) => t.suite[0] === image && t.name === name)?.status;
  assert.equal(find('tiny:1', 'hello'), 'passed');
  assert.equal(find('tiny:1', 'embedded-sbom'), 'failed');
  assert.equal(find('tiny:1-dev', 'no-shell'), 'passed');
  assert.equal(find('tiny:1-dev', 'hello'), 'passed');
});

test('unknown formats are usage errors; --no-functional skips the tests', async () => {
  assert.equal(await runCli(['test', 'plain:1', '--format', 'xml'], captureIO()), 2);
  const io = captureIO();
  await runCli(['test', 'images/tiny', '--no-functional'], io);
  assert.doesNotMatch(io.out.join('\n'), /test hello/);
});
