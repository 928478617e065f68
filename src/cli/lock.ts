import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fail, isIroncladError, jsonOutput } from '../core/index.ts';
import { compareVersions, whyPaths } from '../debian/index.ts';
import {
  type LockedPackage,
  type Lockfile,
  loadDefinition,
  lockPathFor,
  readLockfile,
  writeLockfile,
} from '../definition/index.ts';
import { describeLockChange, diffLocks, type LockChange, type LockedTarget, planLock } from '../image/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { imageBaseResolver } from './image-base.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { formatBytes, renderTable } from './table.ts';

export interface LockArgs {
  readonly definition: string;
  readonly platform?: string;
  readonly variant: string;
  readonly why?: string;
  readonly check: boolean;
  readonly format: string;
  readonly mirror?: string;
  readonly securityMirror?: string;
  readonly snapshot?: string;
  readonly distros?: string;
  /** False with --no-cache. */
  readonly cache?: boolean;
  readonly allowArchiveRollback?: boolean;
  /** The public key a published base (`extends: {image}`) must verify with, instead of the definition's. */
  readonly baseKey?: string;
}

/** `ironclad lock`: resolve a definition against the verified archive and write (or check) its lockfile. */
export async function lockCommand(args: LockArgs, io: CliIO): Promise<ExitStatus> {
  if (!['table', 'json'].includes(args.format)) fail('USAGE', `--format ${args.format}: expected table or json`);
  const ctx = stageContext(io);
  const loaded = await loadDefinition(resolve(io.cwd, args.definition), {
    imageBase: imageBaseResolver(io, args.baseKey),
  });
  const previous = await readLockfile(loaded.dir).catch((err: unknown) => {
    if (isIroncladError(err, 'LOCK_MISSING')) return undefined;
    throw err;
  });
  const platforms = args.platform
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const plan = await planLock(
    loaded,
    {
      variant: args.variant,
      fresh: args.why !== undefined,
      noCache: args.cache === false,
      allowRollback: args.allowArchiveRollback === true,
      ...(platforms ? { platforms } : {}),
      ...(previous ? { previous } : {}),
      distro: {
        ...(args.mirror ? { mirror: args.mirror } : {}),
        ...(args.securityMirror ? { securityMirror: args.securityMirror } : {}),
        ...(args.snapshot ? { snapshot: args.snapshot } : {}),
        ...(args.distros ? { dir: resolve(io.cwd, args.distros) } : {}),
      },
    },
    ctx,
  );
  if (args.why !== undefined) return renderWhy(args.why, plan.targets, args.format, io);
  if (args.check) return checkLock(previous, plan.lock, loaded.path, args.format, io);

  const path = await writeLockfile(loaded.dir, plan.lock);
  if (args.format === 'json') io.stdout(jsonOutput('lock', summaryJson(plan.targets, path)));
  else io.stdout(renderTargets(plan.targets, path));
  return 0;
}

function checkLock(
  previous: Lockfile | undefined,
  fresh: Lockfile,
  defPath: string,
  format: string,
  io: CliIO,
): ExitStatus {
  if (!previous) fail('LOCK_MISSING', `no lockfile for ${defPath}`, { hint: `run: ironclad lock ${defPath}` });
  const changes = diffLocks(previous, fresh, compareVersions);
  if (format === 'json') {
    const upToDate = changes.length === 0;
    io.stdout(jsonOutput('lock-check', { lockfile: lockPathFor(defPath), upToDate, changes: changes.map(changeJson) }));
    return upToDate ? 0 : 1;
  }
  if (changes.length === 0) {
    io.stdout(`${lockPathFor(defPath)} is up to date`);
    return 0;
  }
  io.stdout(`${lockPathFor(defPath)} is stale (${changes.length} change${changes.length === 1 ? '' : 's'}):`);
  for (const c of changes) io.stdout(`  ${describeLockChange(c)}`);
  io.stderr(`hint: run: ironclad lock ${defPath}`);
  return 1;
}

/** One change for scripts: what kind, where, which package versions, and the line the text output prints. */
function changeJson(c: LockChange): object {
  const pkg = (p: LockedPackage) => ({ name: p.name, version: p.version });
  const where = c.kind === 'definition' ? {} : { variant: c.variant, platform: c.platform };
  const what =
    c.kind === 'added' || c.kind === 'removed'
      ? { package: pkg(c.pkg) }
      : c.kind === 'upgraded' || c.kind === 'downgraded' || c.kind === 'rebuilt'
        ? { from: pkg(c.from), to: pkg(c.to) }
        : {};
  return { kind: c.kind, ...where, ...what, description: describeLockChange(c) };
}

function renderWhy(name: string, targets: readonly LockedTarget[], format: string, io: CliIO): ExitStatus {
  const found = targets.flatMap((t) => {
    const paths = t.resolution ? whyPaths(t.resolution, name) : [];
    if (paths.length === 0) return [];
    const excluded = t.resolution?.excluded.some((x) => x.name === name) === true;
    return [{ variant: t.variant, platform: t.platform, excluded, paths }];
  });
  if (found.length === 0) {
    fail('NOT_FOUND', `${name} is not in any resolved closure`, {
      hint: 'check the spelling, or the --variant and --platform you chose',
    });
  }
  if (format === 'json') {
    io.stdout(jsonOutput('lock-why', { package: name, targets: found }));
    return 0;
  }
  for (const t of found) {
    io.stdout(`${t.variant} ${t.platform}${t.excluded ? ' (excluded, not shipped)' : ''}:`);
    for (const p of t.paths) io.stdout(`  ${p.join(' → ')}`);
  }
  return 0;
}

function renderTargets(targets: readonly LockedTarget[], path: string): string {
  const out: string[] = [];
  for (const t of targets) {
    const pkgs = t.locked.packages;
    const total = pkgs.reduce((n, p) => n + p.size, 0);
    out.push(`${t.variant} ${t.platform} (${t.locked.architecture})`);
    out.push(
      renderTable(
        ['PACKAGE', 'VERSION', 'SOURCE', 'SIZE'],
        pkgs.map((p) => [p.name, p.version, p.source === p.name ? '' : p.source, formatBytes(p.size)]),
        [3],
      ),
    );
    const excluded = t.locked.excluded.length > 0 ? `; excluded: ${t.locked.excluded.join(', ')}` : '';
    out.push(`total: ${pkgs.length} packages, ${formatBytes(total)} of .debs${excluded}`, '');
  }
  out.push(`wrote ${path}`);
  return out.join('\n');
}

function summaryJson(targets: readonly LockedTarget[], path: string): object {
  return {
    lockfile: path,
    targets: targets.map((t) => ({
      variant: t.variant,
      platform: t.platform,
      packages: t.locked.packages.map((p) => ({ name: p.name, version: p.version, source: p.source, size: p.size })),
      totalSize: t.locked.packages.reduce((n, p) => n + p.size, 0),
      excluded: t.locked.excluded,
    })),
  };
}

export const registerLock: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('lock')
    .summary('resolve a definition against the verified Debian archive and write its lockfile')
    .description(
      'Resolves every package of the definition (and its dependencies) against the distro archive, verifying the ' +
        'InRelease signature and every index hash, and writes ironclad.lock.json beside the definition.',
    )
    .argument('<definition>', 'image directory or definition YAML file')
    .option('--platform <list>', 'comma-separated platforms to lock (default: the definition platforms)')
    .option('--variant <name>', 'runtime, dev, all, or another variant name', 'all')
    .option('--why <package>', 'print the dependency paths that pull <package> in, and write nothing')
    .option('--check', 'exit 1 when the lock is stale (definition changed or newer packages), write nothing', false)
    .option('--format <format>', 'table or json', 'table')
    .option('--mirror <url>', 'use this Debian archive mirror')
    .option('--security-mirror <url>', 'use this Debian security archive mirror')
    .option('--distros <dir>', 'read distro configs from this folder instead of the built-in distros/')
    .option('--snapshot <timestamp>', 'resolve against snapshot.debian.org at this time, e.g. 20250520T000000Z')
    .option('--no-cache', 'resolve from the verified indices; read and write no cached resolution')
    .option(
      '--base-key <file>',
      "public key a published base (extends: {image: ...}) must verify with, instead of the definition's",
    )
    .option(
      '--allow-archive-rollback',
      'accept an InRelease older than one already seen for its suite (refused otherwise: a replay holds back updates)',
    )
    .addHelpText(
      'after',
      `
Examples:
  ironclad lock images/python
  ironclad lock images/python --platform linux/amd64,linux/arm64 --variant runtime
  ironclad lock images/python --why libkrb5-3
  ironclad lock images/python --check        # CI: fail when the archive has newer packages
  ironclad lock images/python --no-cache     # resolve again even when a resolution is cached
  ironclad lock images/python --snapshot 20250520T000000Z   # go back in time on purpose
  ironclad lock images/my-python --base-key team.pub       # extends: {image: REF@sha256:...}, verified with team.pub

Each suite's InRelease must be signed by a pinned key that is valid now and was valid when it signed, dated
no more than 5 minutes ahead of this machine's clock, within its Valid-Until, and not older than the newest
already seen for that suite (remembered under IRONCLAD_HOME/archive-state). A failed rule exits 3 and is named.
--allow-archive-rollback accepts an older one (e.g. after switching to a mirror that lags behind).`,
    )
    .action((definition: string, opts: Omit<LockArgs, 'definition'>) => run(lockCommand({ definition, ...opts }, io)));
};
