import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createUpdateFixture, type UpdateFixture } from '../support/update-fixture.ts';

// `update --catalog FILE`: the images a catalog document lists (what `ironclad catalog --format json` prints),
// each from its directory under --images.

let fx: UpdateFixture;
let catalog: { schema: string; images: { id: string }[] };
before(async () => {
  fx = await createUpdateFixture();
  const r = await fx.cli('catalog', '--format', 'json');
  assert.equal(r.code, 0, r.err);
  catalog = JSON.parse(r.out);
});
after(() => fx.close());

const write = async (name: string, doc: unknown) => {
  await writeFile(join(fx.dir, name), typeof doc === 'string' ? doc : JSON.stringify(doc));
  return name;
};
const names = (out: string) => JSON.parse(out).images.map((i: { name: string }) => i.name);

test('update takes the images a catalog document lists, and only those', async () => {
  assert.deepEqual(
    catalog.images.map((i) => i.id),
    ['config', 'lib', 'tool'],
  );
  const whole = await write('catalog.json', catalog);
  const dry = await fx.cli('update', '--catalog', whole, '--distros', 'distros', '--dry-run', '--format', 'json');
  assert.equal(dry.code, 0, dry.err);
  assert.deepEqual(names(dry.out), ['config', 'lib', 'tool']);

  const two = await write('two.json', { ...catalog, images: catalog.images.filter((i) => i.id !== 'config') });
  const r = await fx.cli('update', '--catalog', two, '--distros', 'distros', '--no-test', '--format', 'json');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(names(r.out), ['lib', 'tool']);
  const built = await fx.cli('images', '--format', 'json');
  assert.equal(built.code, 0, built.err);
  assert.match(built.out, /"lib"/);
  assert.doesNotMatch(built.out, /"config"/, 'config was not built');
});

test('a file that is not a catalog, an id that is not a directory name, or a missing definition exits 2', async () => {
  const cases: [string, RegExp][] = [
    [await write('not-json.json', '{'), /not JSON/],
    [await write('other.json', { schema: 'https://example.com/x', images: [] }), /not a catalog document: schema/],
    [
      await write('escape.json', { ...catalog, images: [{ id: '../images/lib' }] }),
      /images\.0\.id: expected a directory/,
    ],
    [
      await write('gone.json', { ...catalog, images: [{ id: 'lib' }, { id: 'gone' }] }),
      /lists gone, not defined under/,
    ],
  ];
  for (const [file, message] of cases) {
    const r = await fx.cli('update', '--catalog', file, '--distros', 'distros', '--dry-run');
    assert.equal(r.code, 2, `${file}: ${r.err}`);
    assert.match(r.err, message);
  }
  const both = await fx.cli('update', 'images/lib', '--catalog', 'catalog.json', '--dry-run');
  assert.equal(both.code, 2);
  assert.match(both.err, /pass one or the other/);
  const missing = await fx.cli('update', '--catalog', 'nowhere.json', '--dry-run');
  assert.equal(missing.code, 2);
});
