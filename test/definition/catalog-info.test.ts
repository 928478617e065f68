import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { IroncladError } from '../../src/core/index.ts';
import { loadDefinition, parseDefinition } from '../../src/definition/load.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ironclad-catalog-info-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = 'name: demo\ndistro: debian-12\npackages: [libc6]\n';
const block = [
  'catalog:',
  '  overview: A demo image.',
  '  usage: [Runs as nonroot.]',
  '  links: [{title: Home, url: "https://example.org/"}]',
  '  release: "2022-04-19"',
  '  end-of-life: "2025-04-30"',
  '  counterpart: {name: demo-conventional, tag: "1-conventional"}',
  '  peers: [{name: cgr.dev/chainguard/demo, packages: 3}, {name: dhi.io/demo, size: 2.5MB, describes: "1.0 on linux/amd64, 2025-01-01", source: "https://example.org/d"}]',
  '',
].join('\n');

test('the catalog block parses into the camelCase model', () => {
  const { definition } = parseDefinition(base + block, 'image.yaml');
  assert.deepEqual(definition.catalog, {
    overview: 'A demo image.',
    usage: ['Runs as nonroot.'],
    links: [{ title: 'Home', url: 'https://example.org/' }],
    release: '2022-04-19',
    endOfLife: '2025-04-30',
    counterpart: { name: 'demo-conventional', tag: '1-conventional' },
    peers: [
      { name: 'cgr.dev/chainguard/demo', packages: 3 },
      {
        name: 'dhi.io/demo',
        size: 2_500_000,
        describes: '1.0 on linux/amd64, 2025-01-01',
        source: 'https://example.org/d',
      },
    ],
  });
});

test('bad catalog fields are reported with their path', () => {
  const bad = `${base}catalog:\n  overview: x\n  end-of-life: "2025-02-30"\n  links: [{title: t, url: "http://x"}]\n  peers: [{name: p}]\n`;
  try {
    parseDefinition(bad, 'image.yaml');
    assert.fail('expected DEFINITION_INVALID');
  } catch (err) {
    assert.ok(err instanceof IroncladError);
    assert.equal(err.code, 'DEFINITION_INVALID');
    assert.match(err.message, /catalog\.end-of-life: not a calendar date/);
    assert.match(err.message, /catalog\.links\.0\.url: an https:\/\/ URL/);
    assert.match(err.message, /catalog\.peers\.0: a peer needs a size or a package count/);
  }
});

test('catalog text does not change the definition digest (a lock stays fresh)', async () => {
  await writeFile(join(dir, 'plain.yaml'), base);
  await writeFile(join(dir, 'with-catalog.yaml'), base + block);
  await writeFile(join(dir, 'other-build.yaml'), `${base}user: root\n${block}`);
  const plain = await loadDefinition(join(dir, 'plain.yaml'));
  const withCatalog = await loadDefinition(join(dir, 'with-catalog.yaml'));
  const otherBuild = await loadDefinition(join(dir, 'other-build.yaml'));
  assert.equal(withCatalog.digest, plain.digest);
  assert.notEqual(otherBuild.digest, plain.digest);
});
