import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { DEFINITION_SCHEMA_PATH, definitionJsonSchemaText } from '../../src/definition/json-schema.ts';

const ROOT = resolve(import.meta.dirname, '../..');

test('the committed JSON Schema is what the zod schema generates (run: npm run schema)', () => {
  assert.equal(readFileSync(join(ROOT, DEFINITION_SCHEMA_PATH), 'utf8'), definitionJsonSchemaText());
});

test('editors using the JSON Schema accept every catalog definition and catch typos', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(definitionJsonSchemaText()));
  // images/reference/* nests one level deeper: look-alikes of well-known images, built only to compare against.
  const catalog = readdirSync(join(ROOT, 'images')).flatMap((n) =>
    n === 'reference' ? readdirSync(join(ROOT, 'images', n)).map((r) => join(n, r)) : [n],
  );
  for (const name of catalog) {
    const doc: unknown = parse(readFileSync(join(ROOT, 'images', name, 'image.yaml'), 'utf8'));
    assert.equal(validate(doc), true, `${name}: ${JSON.stringify(validate.errors)}`);
  }
  assert.equal(validate({ name: 'x', distro: 'debian-12', packages: ['libc6'], entrypiont: ['/x'] }), false);
  assert.equal(
    validate({ name: 'x', distro: 'debian-12', packages: ['libc6'], paths: [{ path: '/x', type: 'dir', mode: 755 }] }),
    false,
  );
});

test('editors also see which keys belong to a command test and which to a service test', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(definitionJsonSchemaText()));
  const def = (t: Record<string, unknown>) => ({ name: 'x', distro: 'debian-12', packages: ['libc6'], tests: [t] });
  const serves = { name: 'serves', service: { port: 8000 }, probes: [{ tcp: {} }] };
  assert.equal(validate(def(serves)), true, JSON.stringify(validate.errors));
  assert.equal(validate(def({ name: 'v', run: ['a'], timeout: 60, 'exit-code': 1 })), true);
  for (const k of ['timeout', 'exit-code', 'stdout', 'user']) {
    assert.equal(validate(def({ ...serves, [k]: k === 'timeout' ? 300 : k === 'exit-code' ? 143 : 'a' })), false, k);
  }
  assert.equal(validate(def({ ...serves, run: ['a'] })), false);
  assert.equal(validate(def({ name: 'neither' })), false);
  assert.equal(validate(def({ name: 'no-probes', service: { port: 8000 } })), false);
  assert.equal(validate(def({ name: 'stray-probes', run: ['a'], probes: [{ tcp: {} }] })), false);
});

test('the JSON Schema describes customizations: extends by name, path or published image, and only what they may set', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(definitionJsonSchemaText()));
  const ok = [
    { extends: 'python', name: 'my-python', packages: ['python3-requests'], environment: { A: '1' } },
    { extends: '../python', name: 'my-python', variants: { dev: { packages: ['git'] } } },
    {
      extends: { image: `registry.example.com/team/python:3.11@sha256:${'a'.repeat(64)}`, key: 'team.pub' },
      name: 'my-python',
      user: 'app',
      accounts: { users: [{ name: 'app', uid: 1001 }] },
    },
  ];
  for (const doc of ok) assert.equal(validate(doc), true, `${JSON.stringify(doc)}: ${JSON.stringify(validate.errors)}`);
  const bad = [
    { extends: 'python', name: 'x', distro: 'debian-12' },
    { extends: 'python', name: 'x', platforms: ['linux/amd64'] },
    { extends: 'python' },
    { extends: { image: 'registry.example.com/team/python:3.11' }, name: 'x' },
    { extends: { image: 'r.example.com/p@sha256:aa', key: 'k.pub', keys: 'typo' }, name: 'x' },
    { extends: 'python', name: 'x', pakages: ['git'] },
  ];
  for (const doc of bad) assert.equal(validate(doc), false, JSON.stringify(doc));
});
