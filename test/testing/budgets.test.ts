import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext, Home } from '../../src/core/index.ts';
import { expandVariants } from '../../src/definition/index.ts';
import { parseDefinition } from '../../src/definition/load.ts';
import { hostPlatform, openImageSource, type TarEntry } from '../../src/oci/index.ts';
import { type CheckResult, testImage } from '../../src/testing/index.ts';
import { writeRunnableImage } from '../support/runnable-image.ts';

const host = hostPlatform();
let dir: string;
let n = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'budgets-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const meta = { uid: 0, gid: 0, mtime: 1700000000 };
const statusOf = (name: string): TarEntry => ({
  type: 'file',
  path: `var/lib/dpkg/status.d/${name}`,
  mode: 0o644,
  data: new TextEncoder().encode(`Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\n`),
  ...meta,
});

/** The budget checks of an image with `packages` in its dpkg database, held to the definition `yaml` adds. */
async function budgets(packages: number, yaml: string): Promise<CheckResult[]> {
  const tag = `b${n++}`;
  const layout = join(dir, 'layout');
  const extra = Array.from({ length: packages }, (_, i) => statusOf(`lib${i}`));
  await writeRunnableImage(layout, { tag, index: true, binaries: ['/usr/bin/true'], extra });
  const def = `name: tiny\ndistro: debian-13\nplatforms: [linux/amd64]\npackages: [libfoo1]\n${yaml}`;
  const variant = expandVariants(parseDefinition(def, 'image.yaml').definition)[0]!;
  const source = openImageSource({ kind: 'oci-layout', dir: layout, tag }, { home: new Home(dir) });
  const report = await testImage(source, { host, variant, functional: false }, createContext({ home: new Home(dir) }));
  return report.platforms[0]!.checks.filter((c) => c.name.endsWith('-budget'));
}

test('package-budget counts the dpkg database: within it passes, over it fails, none declared is skipped', async () => {
  assert.deepEqual(await budgets(3, 'package-budget: 3\n'), [
    { name: 'size-budget', status: 'skipped', message: (await budgets(3, ''))[0]!.message },
    { name: 'package-budget', status: 'passed', message: '3 packages, budget 3' },
  ]);
  const over = (await budgets(4, 'package-budget: 3\n'))[1]!;
  assert.deepEqual(over, { name: 'package-budget', status: 'failed', message: 'over budget: 4 packages, budget 3' });
  const none = (await budgets(1, ''))[1]!;
  assert.deepEqual(none, {
    name: 'package-budget',
    status: 'skipped',
    message: 'no package budget declared (image has 1 package)',
  });
});

test('size-budget and package-budget are judged the same way, each on its own figure', async () => {
  const [size, packages] = await budgets(2, 'size-budget: 1000\npackage-budget: 10\n');
  assert.equal(size?.status, 'failed');
  assert.match(size?.message ?? '', /^over budget: \d+\.\d\d MB compressed, budget 0\.00 MB$/);
  assert.deepEqual(packages, { name: 'package-budget', status: 'passed', message: '2 packages, budget 10' });
  const [roomy] = await budgets(0, 'size-budget: 50MB\n');
  assert.match(roomy?.message ?? '', /^\d+\.\d\d MB compressed, budget 50\.00 MB$/);
  assert.equal(roomy?.status, 'passed');
  const [unset] = await budgets(0, '');
  assert.match(unset?.message ?? '', /^no size budget declared \(image is \d+\.\d\d MB\)$/);
});
