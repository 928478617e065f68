import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import type { StageContext } from '../../src/core/index.ts';
import { loadDistro } from '../../src/debian/index.ts';
import { loadDefinition, readLockfile } from '../../src/definition/index.ts';
import { readAdvisories } from '../../src/image/advisories-vex.ts';
import { lockFindings } from '../../src/update/vulns.ts';
import { advisoriesFor, importOsv, openVulnDb, type VulnDb } from '../../src/vuln/index.ts';

// Every critical or high finding of a catalog image, runtime and dev, has a verdict in its advisories.yaml that
// holds for that variant: the review is done for what the image ships, not only for what it shipped when the
// advisories were written. Matched from the committed locks (every locked platform) against the shared OSV
// snapshot the README's figures use, so no image is built; the catalog e2e test scans the built images.
// The snapshot lies beside the main checkout (shared/data), which a linked worktree finds through git.
const REPO = resolve(import.meta.dirname, '../..');
const IMAGES = join(REPO, 'images');
const OSV = resolve(mainCheckout(), '..', 'shared', 'data', 'osv-debian-2025-02-12.tar.xz');
const names = readdirSync(IMAGES)
  .filter((n) => n !== 'reference')
  .sort();

/** The main working tree of this repository: this one, unless it is a linked worktree (or not a git checkout). */
function mainCheckout(): string {
  try {
    const common = execFileSync('git', ['rev-parse', '--git-common-dir'], { cwd: REPO, encoding: 'utf8' }).trim();
    return dirname(resolve(REPO, common));
  } catch {
    return REPO;
  }
}

describe('catalog advisories cover every critical and high finding', () => {
  let work: string;
  let ctx: StageContext;
  let db: VulnDb;

  before(async () => {
    assert.ok(existsSync(OSV), `the shared OSV snapshot ${OSV}`);
    work = await mkdtemp(join(tmpdir(), 'ironclad-catalog-advisories-'));
    ctx = createContext({ home: join(work, 'home') });
    await importOsv([OSV], ctx);
    db = openVulnDb(ctx.home);
  });
  after(async () => {
    db?.close();
    await rm(work, { recursive: true, force: true });
  });

  for (const name of names) {
    test(`images/${name}: a verdict for each critical and high finding of each variant`, async () => {
      const dir = join(IMAGES, name);
      const { definition } = await loadDefinition(dir);
      const lock = await readLockfile(dir);
      const distro = await loadDistro(definition.distro);
      const advisories = (await readAdvisories(dir)) ?? [];
      const missing: string[] = [];
      for (const variant of Object.keys(lock.variants).sort()) {
        const held = advisoriesFor(advisories, variant);
        for (const f of lockFindings(db, lock, variant, distro)) {
          if (f.severity !== 'critical' && f.severity !== 'high') continue;
          const ids = new Set([f.id, ...f.aliases]);
          if (!held.some((a) => a.package === f.sourceName && ids.has(a.cve)))
            missing.push(`${variant}: ${f.id} (${f.severity}) in ${f.sourceName} ${f.installedVersion}`);
        }
      }
      assert.deepEqual([...new Set(missing)], [], `images/${name}/advisories.yaml has no verdict for these`);
    });
  }
});
