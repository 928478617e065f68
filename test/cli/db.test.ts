import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/cli-io.ts';

test('db import then db status (table and json)', async () => {
  const work = await mkdtemp(join(tmpdir(), 'cli-db-'));
  try {
    const io = captureIO(work, { IRONCLAD_HOME: join(work, 'home') });
    const out = io.out;
    await mkdir(join(work, 'osv'));
    await writeFile(
      join(work, 'osv', 'x.json'),
      JSON.stringify({
        id: 'CVE-2025-1',
        modified: '2025-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: 'zlib' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
          },
        ],
      }),
    );
    await writeFile(join(work, 'osv', 'broken.json'), '{');
    assert.equal(await runCli(['db', 'import', 'osv'], io), 0);
    assert.match(out.join('\n'), /imported 1 records/);
    out.length = 0;
    assert.equal(await runCli(['db', 'status', '--format', 'json'], io), 0);
    const status = JSON.parse(out.join(''));
    assert.equal(status.records, 1);
    assert.equal(status.sources[0].skipped, 1);
    assert.equal(status.stale, true);
    out.length = 0;
    assert.equal(await runCli(['db', 'status'], io), 0);
    assert.match(out.join('\n'), /Debian:12\s+1\s+1/);
    assert.equal(await runCli(['db', 'status', '--format', 'yaml'], io), 2);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
