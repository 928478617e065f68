import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createUpdateFixture, FIXED_CVE, FIXED_VERSION, type UpdateFixture } from '../support/update-fixture.ts';

let fx: UpdateFixture;
before(async () => {
  fx = await createUpdateFixture();
  await fx.importOsv();
});
after(() => fx.close());

interface Status {
  schema: string;
  offline: boolean;
  images: {
    tag: string;
    variant: string;
    digest: string | null;
    lockAgeDays: number | null;
    pending: { name: string; from: string; to: string }[];
    fixable: { id: string; fixInArchive: boolean; basis: string; fixableSince: string; daysFixable: number }[] | null;
  }[];
}

const status = async (...extra: string[]) => {
  const r = await fx.cli('status', '--distros', 'distros', '--format', 'json', ...extra);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out) as Status;
  return { s, byTag: new Map(s.images.map((i) => [i.tag, i])) };
};

test('before a fix is published: nothing pending, the high CVE of the library is fixable but not in the archive', async () => {
  const { s, byTag } = await status();
  assert.match(s.schema, /\/status\/v1$/);
  assert.deepEqual([...byTag.keys()].sort(), ['config:5', 'lib:1', 'tool:2']);
  for (const image of s.images) {
    assert.equal(image.digest, null, 'nothing is built yet');
    assert.deepEqual(image.pending, []);
    assert.ok(image.lockAgeDays !== null && image.lockAgeDays >= 0);
  }
  assert.deepEqual(byTag.get('config:5')?.fixable, []);
  for (const tag of ['lib:1', 'tool:2']) {
    const [f, ...rest] = byTag.get(tag)?.fixable ?? [];
    assert.deepEqual(rest, []);
    assert.equal(f?.id, FIXED_CVE);
    assert.equal(f?.fixInArchive, false);
    // The fixture record has no advisory: the record's last change is the (lower-bound) date.
    assert.equal(f?.basis, 'record-modified');
    assert.equal(f?.fixableSince, '2025-01-01T00:00:00Z');
  }
});

test('after the security update: the two images that ship the library have it pending and the fix in the archive', async () => {
  await fx.publishFix();
  const { byTag } = await status();
  assert.deepEqual(byTag.get('config:5')?.pending, []);
  for (const tag of ['lib:1', 'tool:2']) {
    const image = byTag.get(tag);
    assert.deepEqual(
      image?.pending.map((m) => [m.name, m.from, m.to]),
      [['libfix1', '1.2-3', FIXED_VERSION]],
    );
    assert.equal(image?.fixable?.[0]?.fixInArchive, true);
  }
  const table = await fx.cli('status', '--distros', 'distros');
  assert.match(table.out, /lib:1\s+runtime\s+not built\s+\d+d\s+1\s+0C 1H/);
  assert.match(table.out, /fixable: CVE-2025-1111 \(high, fixlib 1\.2-3 → 1\.2-4\).*the fix is in the archive/);
});

test('a DSA that ships the fix dates it: fixable since the advisory was published', async () => {
  await mkdir(join(fx.dir, 'dsa'));
  await writeFile(
    join(fx.dir, 'dsa', 'DSA-9999-1.json'),
    JSON.stringify({
      id: 'DSA-9999-1',
      published: '2025-01-10T00:00:00Z',
      modified: '2025-01-11T00:00:00Z',
      related: [FIXED_CVE],
      affected: [
        {
          package: { ecosystem: 'Debian:1', name: 'fixlib' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: FIXED_VERSION }] }],
        },
      ],
    }),
  );
  assert.equal((await fx.cli('db', 'import', 'osv', 'dsa')).code, 0);
  const { byTag } = await status('images/lib');
  const f = byTag.get('lib:1')?.fixable?.[0];
  assert.equal(f?.basis, 'advisory-published');
  assert.equal(f?.fixableSince, '2025-01-10T00:00:00Z');
});

test('--offline re-locks against the index fetched last, without asking the archive anything', async () => {
  const asked = fx.archive.requests.length;
  const { s, byTag } = await status('--offline');
  assert.equal(fx.archive.requests.length, asked);
  assert.equal(s.offline, true);
  assert.equal(byTag.get('lib:1')?.pending.length, 1);
  assert.equal((await fx.cli('status', '--format', 'yaml')).code, 2);
});
