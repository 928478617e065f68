import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { collectCatalog } from '../../src/catalog/collect.ts';
import { findEntry } from '../../src/catalog/lookup.ts';
import { CATALOG_SCHEMA } from '../../src/catalog/model.ts';
import { runCli } from '../../src/cli/main.ts';
import { createContext } from '../../src/core/context.ts';
import { formatBytes } from '../../src/core/index.ts';
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

test('catalog --format markdown: one README row per image, figures from the store, peers as the definition gives them', async () => {
  const md = await cli(['catalog', '--images', '.', '--format', 'markdown']);
  assert.equal(md.status, 0, md.err);
  const parsed = JSON.parse((await cli(['catalog', '--images', '.', '--format', 'json'])).out);
  const [runtime, dev] = parsed.images[0].variants.map(
    (v: {
      image: { platforms: { compressedSize: number; packages: number; vulnerabilities: Record<string, number> }[] };
    }) => v.image.platforms[0],
  );
  const lines = md.out.split('\n');
  assert.match(lines[0] ?? '', /^\| image \| runtime \(linux\/amd64\) \| dev \(linux\/amd64\) \|/);
  const row = lines.find((l) => l.startsWith('| def '))?.split(' | ');
  assert.ok(row, md.out);
  assert.equal(row[0], '| def (fixture)');
  assert.equal(
    row[1],
    `${formatBytes(runtime.compressedSize)}, ${runtime.packages} package${runtime.packages === 1 ? '' : 's'}`,
  );
  assert.match(
    row[2] ?? '',
    new RegExp(`^${formatBytes(dev.compressedSize).replace('.', '\\.')}, ${dev.packages} packages$`),
  );
  const vuln = (c: Record<string, number>) => `${c.critical} / ${c.high}`;
  assert.equal(row[3], `${vuln(runtime.vulnerabilities)}; ${vuln(dev.vulnerabilities)}`);
  assert.equal(row[4], 'amd64');
  assert.equal(
    row[5],
    '[example.org/peer/fixture](https://example.org/peer): 2.50 MB, 3 packages (1.0 on linux/amd64, 2025-01-01) |',
  );
  const two = lines.find((l) => l.startsWith('| two '));
  assert.match(
    two ?? '',
    /^\| two \(fixture\) \| [\d.]+ KB, 1 package \| no dev variant \| \d+ \/ \d+ \| amd64 \| not known \|$/,
  );
  assert.match(md.out, /Generated by `ironclad catalog --format markdown`; vulnerability data as of /);
  const bad = await cli(['catalog', 'show', 'fixture', '--images', '.', '--format', 'markdown']);
  assert.equal(bad.status, 2, 'catalog show has no markdown format');
});
