import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { attachBuildAttestations, keySigner } from '../../src/attest/index.ts';
import { runCli } from '../../src/cli/main.ts';
import { loadDefinition, writeLockfile } from '../../src/definition/index.ts';
import { buildImages, planLock } from '../../src/image/index.ts';
import { captureIO } from './cli-io.ts';
import { createFixtureImage, type FixtureImage } from './fixture-image.ts';

/**
 * A one-image catalog over the fixture archive, built (runtime and dev) into a fresh home's store and signed,
 * with provenance and SBOM attestations, plus a vulnerability database with two records for its packages: what
 * the catalog, serve and VEX repository tests read.
 */
export const CATALOG_DEFINITION = `name: fixture
description: Test image over the fixture archive <b>escaped</b>
distro: fixture
platforms: [linux/amd64]
tags: ["1.0"]
packages: [fixtool]
exclude: [debconf]
variants:
  dev: {packages: [bash], user: root, shell: true}
catalog:
  overview: A fixture image <script>alert(1)</script> for the catalog tests.
  usage: [Runs as nonroot.]
  links: [{title: Fixture home, url: "https://example.org/fixture"}]
  release: "2022-04-19"
  end-of-life: "2025-04-30"
  peers:
    - {name: example.org/peer/fixture, size: 2.5MB, packages: 3, describes: "1.0 on linux/amd64, 2025-01-01", source: "https://example.org/peer"}
`;

/** A second image of the same archive, so the list has something to filter. */
export const SECOND_DEFINITION = `name: fixture-two
description: Second fixture image with only the library
distro: fixture
platforms: [linux/amd64]
tags: ["2.0"]
packages: [libfix1]
catalog:
  overview: The library alone.
  end-of-life: "2099-12-31"
`;

export interface CatalogFixture {
  readonly image: FixtureImage;
  /** Holds two definition directories: `def` (fixture:1.0, runtime and dev) and `two` (fixture-two:2.0). */
  readonly imagesDir: string;
  readonly home: string;
  close(): Promise<void>;
}

const osv = (id: string, pkg: string, fixed: string | null, urgency: string, summary: string) => ({
  id,
  modified: '2025-01-01T00:00:00Z',
  summary,
  affected: [
    {
      package: { ecosystem: 'Debian:1', name: pkg },
      ranges: [
        { type: 'ECOSYSTEM', events: fixed === null ? [{ introduced: '0' }] : [{ introduced: '0' }, { fixed }] },
      ],
      ecosystem_specific: { urgency },
    },
  ],
});

/** The maintainers' verdict on one of the two CVEs, compiled to OpenVEX at build time and attached to the image. */
const ADVISORIES = `- cve: CVE-2025-0001
  package: fixlib
  status: not_affected
  justification: vulnerable_code_not_present
  impact: The <overflow> is in code the image does not ship.
  timestamp: "2025-01-02T00:00:00Z"
`;

export async function createCatalogFixture(): Promise<CatalogFixture> {
  const image = await createFixtureImage(CATALOG_DEFINITION);
  await writeFile(join(image.loaded.dir, 'advisories.yaml'), ADVISORIES);
  const result = await buildImages(
    image.loaded,
    image.lock,
    { distroConfig: image.archive.distro, test: false, variant: 'all' },
    image.ctx,
  );
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await attachBuildAttestations(result, keySigner(privateKey), image.ctx, { definitionPath: 'def/image.yaml' });
  await mkdir(join(image.dir, 'two'));
  await writeFile(join(image.dir, 'two', 'image.yaml'), SECOND_DEFINITION);
  const two = await loadDefinition(join(image.dir, 'two'));
  const plan = await planLock(two, { distroConfig: image.archive.distro }, image.ctx);
  await writeLockfile(two.dir, plan.lock);
  await buildImages(two, plan.lock, { distroConfig: image.archive.distro, test: false }, image.ctx);
  const osvDir = join(image.dir, 'osv');
  await mkdir(osvDir);
  await writeFile(
    join(osvDir, 'a.json'),
    JSON.stringify(osv('CVE-2025-0001', 'fixlib', '1.2-4', 'high', 'overflow in <fixlib> & friends')),
  );
  await writeFile(join(osvDir, 'b.json'), JSON.stringify(osv('CVE-2025-0002', 'fixtool', null, 'low', 'fixtool leak')));
  const status = await runCli(['db', 'import', osvDir], captureIO(image.dir, { IRONCLAD_HOME: image.home }));
  if (status !== 0) throw new Error(`db import exited ${status}`);
  return { image, imagesDir: image.dir, home: image.home, close: () => image.close() };
}
