import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadDefinition } from '../../src/definition/load.ts';
import { ADVISORIES_FILE } from '../../src/image/advisories-vex.ts';
import { parseAdvisories } from '../../src/vuln/index.ts';

// What a reviewer reads about each catalog image: its advisories give the reason for every verdict, and its
// catalog text points upstream and has dates in order. images/reference/* is not part of the catalog.
const IMAGES = resolve(import.meta.dirname, '../../images');
const names = readdirSync(IMAGES)
  .filter((n) => n !== 'reference')
  .sort();

for (const name of names) {
  const path = join(IMAGES, name, ADVISORIES_FILE);
  if (!existsSync(path)) continue;
  test(`images/${name}/${ADVISORIES_FILE} gives a checkable reason for every verdict`, () => {
    const advisories = parseAdvisories(readFileSync(path, 'utf8'), path);
    assert.ok(advisories.length > 0);
    const seen = new Set<string>();
    for (const a of advisories) {
      const what = `${a.cve} (${a.package}, ${a.status})`;
      // A justification code alone names no file or setting a reviewer could check: the impact says which.
      if (a.status === 'not_affected') assert.ok(a.impact, `${what}: not_affected needs an impact statement`);
      if (a.status === 'fixed') assert.ok(a.notes, `${what}: fixed needs notes naming the fixing version`);
      if (a.status === 'under_investigation') assert.ok(a.notes, `${what}: under_investigation needs notes`);
      assert.ok(a.timestamp, `${what}: a verdict is dated`);
      assert.ok(!seen.has(`${a.cve} ${a.package}`), `${what}: one verdict per CVE and package`);
      seen.add(`${a.cve} ${a.package}`);
    }
  });
}

for (const name of names) {
  test(`images/${name} catalog text links upstream and dates its release before its end of life`, async () => {
    const { catalog } = (await loadDefinition(join(IMAGES, name))).definition;
    assert.ok(catalog?.overview, 'an overview');
    assert.ok(
      catalog.links.some((l) => !/^https:\/\/([a-z-]+\.)*debian\.org\//.test(l.url)),
      'a link beyond debian.org: the upstream project or, for a bare distribution image, its libraries',
    );
    assert.ok(catalog.release && catalog.endOfLife && catalog.release < catalog.endOfLife, 'release < end-of-life');
  });
}
