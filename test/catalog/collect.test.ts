import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collectCatalog } from '../../src/catalog/collect.ts';
import { findEntry } from '../../src/catalog/lookup.ts';
import { CATALOG_SCHEMA } from '../../src/catalog/model.ts';
import { runCli } from '../../src/cli/main.ts';
import { createContext } from '../../src/core/context.ts';
import { type CatalogFixture, createCatalogFixture } from '../support/catalog-fixture.ts';
import { captureIO } from '../support/cli-io.ts';

let fx: CatalogFixture;
before(async () => {
  fx = await createCatalogFixture();
});
after(async () => fx.close());

const cli = async (args: string[]) => {
  const io = captureIO(fx.imagesDir, { IRONCLAD_HOME: fx.home });
  const status = await runCli(args, io);
  return { status, out: io.out.join('\n'), err: io.err.join('\n') };
};

test('the catalog lists the definition with its metadata and what the store says about each variant', async () => {
  const { catalog, details } = await collectCatalog(
    { imagesDir: fx.imagesDir },
    createContext({ home: fx.home, now: () => new Date('2026-01-01T00:00:00Z') }),
  );
  assert.equal(catalog.schema, CATALOG_SCHEMA);
  assert.deepEqual(
    catalog.images.map((e) => e.id),
    ['def', 'two'],
  );
  const [entry] = catalog.images;
  assert.ok(entry);
  assert.equal(entry.id, 'def');
  assert.equal(entry.endOfLife, '2025-04-30');
  assert.equal(entry.pastEndOfLife, true);
  assert.deepEqual(
    entry.variants.map((v) => [v.variant, v.reference]),
    [
      ['runtime', 'fixture:1.0'],
      ['dev', 'fixture:1.0-dev'],
    ],
  );
  const runtime = entry.variants[0]?.image;
  assert.ok(runtime);
  assert.equal(runtime.signed, true);
  assert.equal(runtime.tested, 'not-recorded');
  const [amd64] = runtime.platforms;
  assert.equal(amd64?.platform, 'linux/amd64');
  assert.equal(amd64?.vulnerabilities?.high, 0, 'CVE-2025-0001 is not_affected by the attached VEX');
  assert.equal(amd64?.suppressed, 1);
  assert.equal(amd64?.vulnerabilities?.low, 1);
  const d = details.get('def')?.get('runtime')?.[0];
  assert.equal(d?.packages.length, amd64?.packages);
  assert.equal(d?.provenance?.buildType, 'https://ironclad.dev/build/v1');
  assert.ok((d?.provenance?.materials.length ?? 0) > 0);
  assert.equal(findEntry(catalog, 'fixture:1.0-dev').id, 'def');
});

test('catalog and catalog show agree with scan and sbom; json carries the schema', async () => {
  const scan = await cli(['scan', 'fixture:1.0']);
  const sbom = await cli(['sbom', 'fixture:1.0', '--format', 'table']);
  const table = await cli(['catalog', '--images', '.']);
  assert.equal(table.status, 0, table.err);
  const summary = /^(\d+C \d+H \d+M \d+L \d+N \d+\?)/m.exec(scan.out)?.[1];
  assert.ok(summary);
  assert.match(table.out, new RegExp(`def +runtime +1\\.0 +linux/amd64 .* ${summary.replace('?', '\\?')}`));
  const packages = /: (\d+) packages/.exec(sbom.out)?.[1];
  const json = await cli(['catalog', '--images', '.', '--format', 'json']);
  const parsed = JSON.parse(json.out);
  assert.equal(parsed.schema, CATALOG_SCHEMA);
  assert.equal(String(parsed.images[0].variants[0].image.platforms[0].packages), packages);
  const show = await cli(['catalog', 'show', 'fixture', '--images', '.', '--registry', 'registry.example/ic']);
  assert.equal(show.status, 0, show.err);
  assert.match(show.out, /past its upstream end of life \(2025-04-30\)/);
  assert.match(show.out, /ironclad pull registry\.example\/ic\/fixture:1\.0 fixture:1\.0/);
  const missing = await cli(['catalog', 'show', 'nope', '--images', '.']);
  assert.equal(missing.status, 2);
  assert.match(missing.err, /no image nope in the catalog/);
});
