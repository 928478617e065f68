import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CliIO } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { silentLogger } from '../../src/core/index.ts';

let work: string;
const out: string[] = [];
const io = (): CliIO => ({
  stdout: (t) => out.push(t),
  stderr: () => {},
  log: silentLogger,
  env: { IRONCLAD_HOME: join(work, 'home') },
  cwd: work,
  isTTY: false,
});

const osv = (id: string, pkg: string, fixed: string | null, urgency: string) => ({
  id,
  modified: '2025-01-01T00:00:00Z',
  affected: [
    {
      package: { ecosystem: 'Debian:12', name: pkg },
      ranges: [
        { type: 'ECOSYSTEM', events: fixed === null ? [{ introduced: '0' }] : [{ introduced: '0' }, { fixed }] },
      ],
      ecosystem_specific: { urgency },
    },
  ],
});

const purl = (name: string, version: string, src: string) =>
  `pkg:deb/debian/${name}@${version}?arch=amd64&upstream=${encodeURIComponent(src)}&distro=debian-12`;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'cli-scan-'));
  await mkdir(join(work, 'osv'));
  await writeFile(join(work, 'osv', 'a.json'), JSON.stringify(osv('CVE-2025-0001', 'zlib', '1.3-1', 'high')));
  await writeFile(join(work, 'osv', 'b.json'), JSON.stringify(osv('CVE-2025-0002', 'zlib', null, 'low')));
  await writeFile(
    join(work, 'sbom.json'),
    JSON.stringify({
      spdxVersion: 'SPDX-2.3',
      packages: [
        {
          name: 'zlib1g',
          externalRefs: [{ referenceType: 'purl', referenceLocator: purl('zlib1g', '1.2-1', 'zlib') }],
        },
      ],
    }),
  );
  assert.equal(await runCli(['db', 'import', 'osv'], io()), 0);
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('scan prints a table and the summary; --fail-on sets exit status 1', async () => {
  out.length = 0;
  assert.equal(await runCli(['scan', 'sbom.json'], io()), 0);
  assert.match(out.join('\n'), /CVE-2025-0001/);
  assert.match(out.join('\n'), /0C 1H 0M 1L 0N 0\?/);
  assert.equal(await runCli(['scan', 'sbom.json', '--fail-on', 'high'], io()), 1);
  assert.equal(await runCli(['scan', 'sbom.json', '--fail-on', 'critical'], io()), 0);
  assert.equal(await runCli(['scan', 'sbom.json', '--fail-on', 'low', '--ignore-unfixed'], io()), 1);
});

test('scan --format json and VEX suppression', async () => {
  const vex = {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'urn:test:1',
    author: 'me',
    timestamp: '2025-01-02T00:00:00Z',
    version: 1,
    statements: [
      {
        vulnerability: { name: 'CVE-2025-0001' },
        products: [{ '@id': 'pkg:deb/debian/zlib1g' }],
        status: 'not_affected',
        justification: 'component_not_present',
      },
    ],
  };
  await writeFile(join(work, 'vex.json'), JSON.stringify(vex));
  out.length = 0;
  assert.equal(
    await runCli(['scan', 'sbom.json', '--format', 'json', '--vex', 'vex.json', '--fail-on', 'high'], io()),
    0,
  );
  const report = JSON.parse(out.join(''));
  assert.deepEqual(
    report.findings.map((f: { id: string }) => f.id),
    ['CVE-2025-0002'],
  );
  assert.equal(report.suppressed[0].vex.justification, 'component_not_present');
});

test('usage errors exit 2; a missing database is reported with a hint', async () => {
  assert.equal(await runCli(['scan', 'sbom.json', '--format', 'xml'], io()), 2);
  assert.equal(await runCli(['scan', 'sbom.json', '--fail-on', 'severe'], io()), 2);
  assert.equal(await runCli(['scan', 'missing.json'], io()), 2);
  const noDb = { ...io(), env: { IRONCLAD_HOME: join(work, 'empty') } };
  assert.equal(await runCli(['scan', 'sbom.json'], noDb), 2);
});
