import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/cli-io.ts';
import { commandPaths, fullProgram } from '../support/cli-tree.ts';
import { file, writeTestImage } from '../support/oci-image.ts';

// Every verb, and each of its subcommands, run with bad input exits with the code the README's exit-code table
// gives for that kind of failure, says `error:` and never prints a stack trace.

const REPO = resolve(import.meta.dirname, '../..');

/** The README's table: `| 2 | **invalid input**: ... |` → 'invalid input' → [2]. */
async function readmeExitCodes(): Promise<Map<string, number[]>> {
  const table = new Map<string, number[]>();
  for (const m of (await readFile(join(REPO, 'README.md'), 'utf8')).matchAll(/^\| ([\d, ]+) \| \*\*([^*]+)\*\*/gm)) {
    table.set(m[2]!, m[1]!.split(',').map(Number));
  }
  return table;
}

type Kind = 'invalid input' | 'policy failed' | 'integrity' | 'network';

let work: string;
let codes: Map<string, number[]>;

async function cli(argv: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIO(work, { IRONCLAD_HOME: join(work, 'home'), ...env });
  const status = await runCli(argv, io);
  return { status, err: io.err.join('\n') };
}

async function expectExit(kind: Kind, argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const r = await cli(argv, env);
  const want = codes.get(kind);
  assert.ok(want !== undefined, `the README's exit-code table has no row "${kind}"`);
  assert.ok(
    want.includes(r.status),
    `ironclad ${argv.join(' ')}: exit ${r.status}, the README says ${kind} is ${want}\n${r.err}`,
  );
  if (kind !== 'policy failed') assert.match(r.err, /error/, `ironclad ${argv.join(' ')} says what went wrong`);
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'ironclad-exit-codes-'));
  codes = await readmeExitCodes();
  // An unsigned image in a layout, and a public key it is not signed with.
  await writeTestImage(join(work, 'layout'), [[file('etc/hello', 'hi\n')]]);
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(join(work, 'other.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  // A definition changed after its lock was made.
  await cp(join(REPO, 'images', 'static'), join(work, 'stale'), { recursive: true });
  const yaml = join(work, 'stale', 'image.yaml');
  await writeFile(yaml, `${await readFile(yaml, 'utf8')}\n# changed after locking\nlabels: {changed: 'yes'}\n`);
  // An SBOM with a package the database has a high finding for.
  await mkdir(join(work, 'osv'));
  const osv = {
    id: 'CVE-2025-0001',
    modified: '2025-01-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'zlib' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.3-1' }] }],
        ecosystem_specific: { urgency: 'high' },
      },
    ],
  };
  await writeFile(join(work, 'osv', 'a.json'), JSON.stringify(osv));
  const purl = 'pkg:deb/debian/zlib1g@1.2-1?arch=amd64&upstream=zlib&distro=debian-12';
  const sbom = {
    spdxVersion: 'SPDX-2.3',
    packages: [{ name: 'zlib1g', externalRefs: [{ referenceType: 'purl', referenceLocator: purl }] }],
  };
  await writeFile(join(work, 'sbom.json'), JSON.stringify(sbom));
  assert.equal((await cli(['db', 'import', 'osv'])).status, 0);
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('the README has an exit-code table with the four documented classes', () => {
  assert.deepEqual(codes.get('ok'), [0]);
  assert.deepEqual(codes.get('policy failed'), [1]);
  assert.deepEqual(codes.get('invalid input'), [2]);
  assert.deepEqual(codes.get('integrity'), [3]);
  assert.deepEqual(codes.get('network'), [4]);
});

test('every command and subcommand refuses an unknown flag as invalid input', async () => {
  const paths = commandPaths(await fullProgram(captureIO(work)));
  assert.ok(paths.length > 30, 'the whole command tree is walked');
  for (const { path } of paths) await expectExit('invalid input', [...path, '--no-such-flag']);
  await expectExit('invalid input', ['no-such-verb']);
});

describe('invalid input: exit 2 with a message, per verb', () => {
  const cases: (readonly string[])[] = [
    ['lock', 'no-such-dir'],
    ['lock', 'stale', '--format', 'yaml'],
    ['build'],
    ['build', 'no-such-dir'],
    // A lock made for another version of its definition is input to fix (re-lock), not a policy verdict.
    ['build', 'stale'],
    ['images', '--format', 'yaml'],
    ['rmi', 'no-such-image:1'],
    ['inspect', 'no-such-image:1'],
    ['keygen', '--output-key-prefix', join('no-such-dir', 'k')],
    ['db', 'import', 'no-such-dir'],
    ['db', 'status', '--format', 'yaml'],
    ['scan', 'no-such-sbom.spdx.json'],
    ['scan', './no-such-file'],
    ['scan', 'sbom.json', '--format', 'yaml'],
    ['scan', 'sbom.json', '--vex', 'no-such.openvex.json'],
    ['vex', 'show', 'no-such.openvex.json'],
    ['vex', 'create', '--author', 'me'],
    [
      'vex',
      'add',
      'no-such.openvex.json',
      '--vuln',
      'CVE-2025-0001',
      '--product',
      'pkg:deb/debian/zlib1g@1',
      '--status',
      'fixed',
    ],
    ['vex', 'merge', 'no-such.openvex.json', '--author', 'me'],
    ['vex', 'repo', 'export', 'out'],
    ['compare', 'oci:layout'],
    ['compare', 'oci:layout', '--to', 'no-such-image:1'],
    ['sbom', 'no-such-image:1'],
    ['sbom', 'oci:layout', '--format', 'yaml'],
    ['run', 'no-such-image:1'],
    ['test', 'no-such-image:1'],
    ['login', 'not a host'],
    ['logout', 'not a host'],
    ['push', 'no-such-image:1', '127.0.0.1:1/x:1'],
    ['pull', 'not a reference'],
    ['copy', 'oci:no-such-dir', 'oci:out'],
    ['mirror', 'not a repo', '127.0.0.1:1/x'],
    ['sign', 'oci:layout', '--key', 'no-such.key'],
    ['attest', 'oci:layout', '--key', 'no-such.key', '--predicate', 'no-such.json', '--type', 'https://example.com/p'],
    ['attest', 'list', 'no-such-image:1'],
    ['attest', 'get', 'no-such-image:1', '--predicate-type', 'https://slsa.dev/provenance/v1'],
    ['verify', 'oci:layout'],
    ['verify', 'oci:layout', '--key', 'no-such.pub'],
    ['policy', 'export', 'gatekeeper', '--key', 'other.pub', '--images', 'r.example/x/*'],
    ['policy', 'export', 'kyverno', '--key', 'no-such.pub', '--images', 'r.example/x/*'],
    ['policy', 'export', 'kyverno', '--key', 'other.pub', '--images', '*'],
    ['rebuild', 'no-such-image:1'],
    ['catalog', '--format', 'yaml'],
    ['catalog', 'show', 'no-such-image'],
    ['serve', '--port', 'not-a-port'],
    ['cache', 'verify', '--format', 'yaml'],
    ['store', 'verify', '--format', 'yaml'],
  ];
  for (const argv of cases) test(`ironclad ${argv.join(' ')}`, () => expectExit('invalid input', argv));
});

test('policy failed: scan over --fail-on exits 1', () =>
  expectExit('policy failed', ['scan', 'sbom.json', '--fail-on', 'high']));

test('integrity: verify of an image not signed with the key exits 3', () =>
  expectExit('integrity', ['verify', 'oci:layout', '--key', 'other.pub']));

test('network: pull from a registry that is not there exits 4', () =>
  expectExit('network', ['pull', 'docker://127.0.0.1:1/x:1', 'oci:pulled'], {
    IRONCLAD_NETWORK_DEADLINE: '1',
    IRONCLAD_NETWORK_TIMEOUT: '1',
  }));
