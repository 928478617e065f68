import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ERROR_CODES, IroncladError, isIroncladError } from '../../src/core/index.ts';
import { loadDefinition, MAX_DEFINITION_BYTES, parseDefinition } from '../../src/definition/load.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ironclad-def-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The error parseDefinition throws for `text`, which must be invalid. */
function errorOf(text: string): IroncladError {
  try {
    parseDefinition(text, 'image.yaml');
  } catch (err) {
    assert.ok(err instanceof IroncladError);
    return err;
  }
  return assert.fail('expected DEFINITION_INVALID');
}

const valid = 'name: demo\ndistro: debian-12\npackages: [libc6]\n';

test('an unknown key is reported at its own line and column', () => {
  const err = errorOf(`${valid}entrypiont: [/bin/demo]\n`);
  assert.equal(err.code, 'DEFINITION_INVALID');
  assert.match(err.message, /image\.yaml:4:1: /);
  assert.match(err.hint ?? '', /definition\.schema\.json/);
});

test('an unknown key in a nested object points at that key', () => {
  const err = errorOf(`${valid}tests:\n  - name: t\n    run: [x]\n    stdot: y\n`);
  assert.match(err.message, /image\.yaml:7:5: tests\.0: /);
});

test('unknown keys get "did you mean" from the schema, at every level and in every kind of path', () => {
  const err = errorOf(
    `${valid}workdir: /srv\nrun-as: web\nstopsignal: SIGINT\npaths:\n  - {path: /x, type: file, content: a, mdoe: "0600"}\n` +
      'accounts:\n  users: [{name: web, uid: 101, hmoe: /srv}]\n',
  );
  assert.equal(err.code, 'DEFINITION_INVALID');
  assert.match(
    err.message,
    /image\.yaml:4:1: unknown keys "workdir" \(did you mean "work-dir"\?\), "run-as" \(did you mean "user"\?\), "stopsignal" \(did you mean "stop-signal"\?\)/,
  );
  assert.match(err.message, /image\.yaml:8:40: paths\.0: unknown key "mdoe" \(did you mean "mode"\?\)/);
  assert.match(err.message, /image\.yaml:10:33: accounts\.users\.0: unknown key "hmoe" \(did you mean "home"\?\)/);
  assert.match(errorOf(`${valid}zzzzzz: 1\n`).message, /unknown key "zzzzzz"$/m);
});

test('a wrong type is reported at the value', () => {
  const err = errorOf('name: demo\ndistro: debian-12\npackages: libc6\n');
  assert.match(err.message, /image\.yaml:3:11: packages: /);
});

test('all problems are reported at once, in one error', () => {
  const err = errorOf('name: Demo\ndistro: debian-12\npackages: [libc6]\nkind: soft\nplatforms: [amd64]\n');
  assert.match(err.message, /3 problems/);
  assert.match(err.message, /image\.yaml:1:7: name: /);
  assert.match(err.message, /image\.yaml:4:7: kind: /);
  assert.match(err.message, /image\.yaml:5:13: platforms\.0: /);
});

test('a bad record key is reported at the key', () => {
  const err = errorOf(`${valid}environment:\n  GOOD: x\n  BAD-NAME: y\n`);
  assert.match(err.message, /image\.yaml:6:3: environment\.BAD-NAME: /);
});

test('cross-field problems are reported once every field is well-formed', () => {
  const err = errorOf(`${valid}user: ghost\nexclude: [libc6]\n`);
  assert.match(err.message, /2 problems/);
  assert.match(err.message, /image\.yaml:4:7: user: /);
  assert.match(err.message, /image\.yaml:5:11: exclude\.0: /);
});

test("a service test's top-level timeout is an invalid definition (exit 2) at its line, not ignored", () => {
  const err = errorOf(
    `${valid}tests:\n  - name: serves\n    timeout: 300\n    service: {port: 8000}\n    probes: [{tcp: {}}]\n`,
  );
  assert.equal(err.code, 'DEFINITION_INVALID');
  assert.equal(ERROR_CODES[err.code], 2);
  assert.match(
    err.message,
    /image\.yaml:6:14: tests\.0\.timeout: a service test has no timeout of its own: .*ready-timeout/,
  );
});

test('a missing required key is reported at the enclosing mapping', () => {
  const err = errorOf('name: demo\npackages: [libc6]\n');
  assert.match(err.message, /image\.yaml:1:1: distro: /);
});

test('YAML syntax errors carry their position, all of them', () => {
  const err = errorOf('name: demo\ndistro: debian-12\npackages: [libc6\nuser: nonroot\nuser: root\n');
  assert.equal(err.code, 'DEFINITION_INVALID');
  assert.match(err.message, /image\.yaml:\d+:\d+: /);
  const dup = errorOf(`${valid}user: root\nuser: nonroot\n`);
  assert.match(dup.message, /image\.yaml:5:1: Map keys must be unique/);
});

test('multiple documents and empty files are refused', () => {
  assert.equal(errorOf(`${valid}---\nname: other\n`).code, 'DEFINITION_INVALID');
  assert.equal(errorOf('').code, 'DEFINITION_INVALID');
});

test('the digest ignores comments, formatting and key order, not values', () => {
  const a = parseDefinition(valid, 'a.yaml');
  const b = parseDefinition(
    '# a comment\npackages:\n  - "libc6"\ndistro: debian-12   # trailing\nname: demo\n',
    'b.yaml',
  );
  assert.deepEqual(a.raw, b.raw);
  const c = parseDefinition(valid.replace('libc6', 'libc6, libssl3'), 'c.yaml');
  assert.notDeepEqual(a.raw, c.raw);
});

test('loadDefinition reads image.yaml from a directory, or a file, and digests the document', async () => {
  const imageDir = join(dir, 'demo');
  await mkdir(imageDir);
  await writeFile(join(imageDir, 'image.yaml'), valid);
  const fromDir = await loadDefinition(imageDir);
  assert.equal(fromDir.path, join(imageDir, 'image.yaml'));
  assert.equal(fromDir.dir, imageDir);
  assert.equal(fromDir.definition.name, 'demo');
  assert.match(fromDir.digest, /^sha256:[0-9a-f]{64}$/);
  await writeFile(join(dir, 'other.yaml'), `# reformatted\n${valid.replace('[libc6]', '\n  - libc6')}`);
  const fromFile = await loadDefinition(join(dir, 'other.yaml'));
  assert.equal(fromFile.digest, fromDir.digest);
});

test('loadDefinition: missing paths, oversized and non-UTF-8 files', async () => {
  await assert.rejects(loadDefinition(join(dir, 'nope')), (e) => isIroncladError(e, 'NOT_FOUND'));
  await mkdir(join(dir, 'empty'));
  await assert.rejects(loadDefinition(join(dir, 'empty')), (e) => isIroncladError(e, 'NOT_FOUND'));
  await writeFile(join(dir, 'big.yaml'), `${valid}#${'x'.repeat(MAX_DEFINITION_BYTES)}\n`);
  await assert.rejects(loadDefinition(join(dir, 'big.yaml')), (e) => isIroncladError(e, 'DEFINITION_INVALID'));
  await writeFile(join(dir, 'latin1.yaml'), Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]));
  await assert.rejects(loadDefinition(join(dir, 'latin1.yaml')), (e) => isIroncladError(e, 'DEFINITION_INVALID'));
});

test('alias bombs are refused', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 0; i < 8; i++) {
    const prev = String.fromCharCode(97 + i);
    bomb.push(
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${prev}`).join(', ')}]`,
    );
  }
  assert.equal(errorOf(`${bomb.join('\n')}\n`).code, 'DEFINITION_INVALID');
});
