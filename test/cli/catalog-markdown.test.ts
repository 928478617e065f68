import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOG_SCHEMA, type Catalog, type CatalogEntry, type CatalogVariant } from '../../src/catalog/model.ts';
import { catalogMarkdown } from '../../src/cli/catalog-markdown.ts';

function variant(name: string, platforms: string[]): CatalogVariant {
  return {
    variant: name,
    description: name,
    tags: ['1'],
    reference: `img:1${name === 'runtime' ? '' : `-${name}`}`,
    user: '65532',
    shell: false,
    packageManager: false,
    definedPlatforms: ['linux/amd64', 'linux/arm64'],
    image:
      platforms.length === 0
        ? null
        : {
            digest: `sha256:${'a'.repeat(64)}`,
            lastPatched: null,
            signed: false,
            tested: 'not-recorded',
            platforms: platforms.map((platform) => ({
              platform,
              digest: `sha256:${'b'.repeat(64)}`,
              compressedSize: 2048,
              layers: 1,
              packages: 2,
              vulnerabilities: null,
              suppressed: 0,
            })),
          },
  };
}

function entry(id: string, variants: CatalogVariant[]): CatalogEntry {
  return {
    id,
    name: id,
    description: id,
    distro: 'debian-13',
    overview: id,
    usage: [],
    links: [],
    release: null,
    endOfLife: null,
    pastEndOfLife: false,
    counterpart: null,
    peers: [],
    variants,
  };
}

test('catalog markdown: the platforms column names each variant’s platforms when the variants differ', () => {
  const catalog: Catalog = {
    schema: CATALOG_SCHEMA,
    vulnerabilityData: null,
    images: [
      entry('same', [
        variant('runtime', ['linux/arm64', 'linux/amd64']),
        variant('dev', ['linux/amd64', 'linux/arm64']),
      ]),
      entry('apart', [variant('runtime', ['linux/amd64', 'linux/arm64']), variant('dev', ['linux/amd64'])]),
      entry('unbuilt', [variant('runtime', ['linux/amd64']), variant('dev', [])]),
    ],
  };
  const column = (id: string) =>
    catalogMarkdown(catalog, 'linux/amd64')
      .split('\n')
      .find((l) => l.startsWith(`| ${id} `))
      ?.split(' | ')[4];
  assert.equal(column('same'), 'amd64, arm64');
  assert.equal(column('apart'), 'runtime: amd64, arm64; dev: amd64');
  assert.equal(column('unbuilt'), 'runtime: amd64; dev: none');
});
