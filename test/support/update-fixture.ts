import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from './cli-io.ts';
import { createFixtureArchive, type FixtureArchive, writeFixtureDistroFile } from './fixture-archive.ts';
import { FIXTURE_PACKAGES } from './fixture-image.ts';

/**
 * A three-image catalog over a fixture archive with a security suite, for the maintenance loop: `tool` and `lib`
 * ship libfix1 (source fixlib), `config` does not. Locked through the CLI into `images/`. `importOsv()` imports a
 * vulnerability database with one high record that the library's security update fixes (an image matching it
 * fails the build's no-fixable-critical-high check once the fix exists); `publishFix()` publishes that update.
 */
export const SECURITY_SUITE = 'fixture-security';
export const FIXED_CVE = 'CVE-2025-1111';
export const FIXED_VERSION = '1.2-4';

const DEFINITIONS: Readonly<Record<string, string>> = {
  tool: 'name: tool\ndistro: fixture\nplatforms: [linux/amd64]\ntags: ["2"]\npackages: [fixtool]\nexclude: [debconf]\n',
  lib: 'name: lib\ndistro: fixture\nplatforms: [linux/amd64]\ntags: ["1"]\npackages: [libfix1]\n',
  config: 'name: config\ndistro: fixture\nplatforms: [linux/amd64]\ntags: ["5"]\npackages: [fix-config]\n',
};

export interface UpdateFixture {
  readonly archive: FixtureArchive;
  /** Working directory: `images/<name>/image.yaml` and `distros/fixture.yaml`. */
  readonly dir: string;
  readonly env: Readonly<Record<string, string>>;
  /** Runs the CLI in `dir` with `env`; resolves with the exit code and the output. */
  cli(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  /** Imports the vulnerability database: one high record of fixlib, fixed in 1.2-4. */
  importOsv(): Promise<void>;
  /** Publishes libfix1 1.2-4 (same files, one changed) into the security suite. */
  publishFix(): Promise<void>;
  close(): Promise<void>;
}

export async function createUpdateFixture(): Promise<UpdateFixture> {
  const archive = await createFixtureArchive({
    suites: [
      { name: 'fixture', packages: FIXTURE_PACKAGES },
      { name: SECURITY_SUITE, packages: [], architectures: ['amd64'] },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'ironclad-update-'));
  const env = { IRONCLAD_HOME: join(dir, 'home'), IRONCLAD_PASSWORD: 'pw' };
  const cli = async (...args: string[]) => {
    const io = captureIO(dir, env);
    const code = await runCli(args, io);
    return { code, out: io.out.join('\n'), err: io.err.join('\n') };
  };
  await mkdir(join(dir, 'distros'));
  await writeFixtureDistroFile(archive, join(dir, 'distros'));
  for (const [name, text] of Object.entries(DEFINITIONS)) {
    await mkdir(join(dir, 'images', name), { recursive: true });
    await writeFile(join(dir, 'images', name, 'image.yaml'), text);
    const r = await cli('lock', `images/${name}`, '--distros', 'distros');
    if (r.code !== 0) throw new Error(`lock ${name} exited ${r.code}: ${r.err}`);
  }
  return {
    archive,
    dir,
    env,
    cli,
    importOsv: () => writeOsv(dir, cli),
    async publishFix() {
      const lib = FIXTURE_PACKAGES.find((p) => p.name === 'libfix1');
      if (lib === undefined) throw new Error('libfix1 is not a fixture package');
      const files = (lib.files ?? []).map((f) =>
        f.path.endsWith('.so.1') ? { ...f, content: 'ELF-ish library bytes, bounds checked\n' } : f,
      );
      await archive.publish(SECURITY_SUITE, [{ ...lib, version: FIXED_VERSION, files }]);
    },
    async close() {
      await archive.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function writeOsv(dir: string, cli: UpdateFixture['cli']): Promise<void> {
  const osvDir = join(dir, 'osv');
  await mkdir(osvDir);
  const record = {
    id: FIXED_CVE,
    modified: '2025-01-01T00:00:00Z',
    summary: 'overflow in fixlib',
    affected: [
      {
        package: { ecosystem: 'Debian:1', name: 'fixlib' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: FIXED_VERSION }] }],
        ecosystem_specific: { urgency: 'high' },
      },
    ],
  };
  await writeFile(join(osvDir, `${FIXED_CVE}.json`), JSON.stringify(record));
  const r = await cli('db', 'import', osvDir);
  if (r.code !== 0) throw new Error(`db import exited ${r.code}: ${r.err}`);
}
