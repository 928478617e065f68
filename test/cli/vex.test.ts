import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/cli-io.ts';

test('vex create, add, show, merge and advisories', async () => {
  const work = await mkdtemp(join(tmpdir(), 'cli-vex-'));
  try {
    const io = captureIO(work, { IRONCLAD_HOME: join(work, 'home') });
    const out = io.out;
    const image = `pkg:oci/base@sha256%3A${'1'.repeat(64)}`;
    const created = await runCli(
      [
        'vex',
        'create',
        '--author',
        'me',
        '--vuln',
        'CVE-1',
        '--product',
        image,
        '--status',
        'not_affected',
        '--justification',
        'component_not_present',
        '--output',
        'a.json',
      ],
      io,
    );
    assert.equal(created, 0);
    assert.equal(
      await runCli(
        ['vex', 'add', 'a.json', '--vuln', 'CVE-2', '--product', image, '--status', 'affected', '--action', 'upgrade'],
        io,
      ),
      0,
    );
    const doc = JSON.parse(await readFile(join(work, 'a.json'), 'utf8'));
    assert.equal(doc.version, 2);
    assert.equal(doc.statements.length, 2);
    // affected without an action statement is refused.
    assert.equal(
      await runCli(['vex', 'add', 'a.json', '--vuln', 'CVE-3', '--product', image, '--status', 'affected'], io),
      2,
    );
    out.length = 0;
    assert.equal(await runCli(['vex', 'show', 'a.json'], io), 0);
    assert.match(out.join('\n'), /CVE-2\s+affected/);
    out.length = 0;
    assert.equal(await runCli(['vex', 'merge', 'a.json', 'a.json', '--author', 'm'], io), 0);
    assert.equal(JSON.parse(out.join('')).statements.length, 2);
    await writeFile(join(work, 'adv.yaml'), '- cve: CVE-9\n  package: zlib\n  status: fixed\n');
    out.length = 0;
    assert.equal(
      await runCli(
        ['vex', 'advisories', 'adv.yaml', '--image', 'base', '--digest', `sha256:${'1'.repeat(64)}`, '--author', 'me'],
        io,
      ),
      0,
    );
    assert.equal(JSON.parse(out.join('')).statements[0].products[0]['@id'], image);
    // A statement scoped to the runtime variant is left out of the dev variant's document.
    await writeFile(
      join(work, 'adv.yaml'),
      '- cve: CVE-9\n  package: zlib\n  status: fixed\n  notes: n\n  variants: [runtime]\n- cve: CVE-8\n  package: zlib\n  status: fixed\n  notes: n\n',
    );
    const digest = `sha256:${'1'.repeat(64)}`;
    for (const [variant, ids] of [
      ['runtime', ['CVE-9', 'CVE-8']],
      ['dev', ['CVE-8']],
    ] as const) {
      out.length = 0;
      const args = ['vex', 'advisories', 'adv.yaml', '--image', 'base', '--digest', digest, '--author', 'me'];
      assert.equal(await runCli([...args, '--variant', variant], io), 0);
      const names = JSON.parse(out.join('')).statements.map(
        (st: { vulnerability: { name: string } }) => st.vulnerability.name,
      );
      assert.deepEqual(names, ids, variant);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
