import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fail, IRONCLAD_VERSION, isIroncladError, writeFileAtomic } from '../core/index.ts';
import { formatPlatform, hostPlatform } from '../oci/index.ts';
import {
  type CheckResult,
  type FunctionalResult,
  failureOutput,
  reportFailed,
  siblingImage,
  type TestImageOptions,
  type TestReport,
  testImage,
  testSubjects,
  toCtrf,
} from '../testing/index.ts';
import type { VerbRegistrar } from './commands.ts';
import type { CliIO, ExitStatus } from './io.ts';
import { stageContext } from './io.ts';
import { collect } from './run.ts';
import { openSource, platformOption } from './source.ts';

const VERSION = IRONCLAD_VERSION;
const FORMATS = ['text', 'json'] as const;

export interface TestArgs {
  /** An image reference, or an image directory / definition file (its variants are looked up in the store). */
  readonly target: string;
  readonly platforms: readonly string[];
  readonly ctrf?: string;
  readonly format: string;
  readonly functional: boolean;
}

const MARK = { passed: '✔', failed: '✘', skipped: '–' } as const;

function line(r: CheckResult | FunctionalResult, prefix = ''): string {
  return `    ${MARK[r.status]} ${prefix}${r.name}  ${r.message}`;
}

/** The readable summary: one block per image, one line per check and test, grouped by platform. */
export function renderText(reports: readonly TestReport[]): string {
  const out: string[] = [];
  for (const r of reports) {
    out.push(`${r.image} (${r.variant})`);
    out.push('  image');
    for (const c of r.imageChecks) out.push(line(c));
    for (const p of r.platforms) {
      out.push(`  ${formatPlatform(p.platform)} ${p.digest}`);
      for (const c of p.checks) out.push(line(c));
      for (const t of p.tests) out.push(line(t, 'test '), ...failureOutput(t, '        '));
    }
  }
  const all = reports.flatMap((r) => [...r.imageChecks, ...r.platforms.flatMap((p) => [...p.checks, ...p.tests])]);
  const n = (s: CheckResult['status']) => all.filter((x) => x.status === s).length;
  out.push(`${reports.length} image(s): ${n('passed')} passed, ${n('failed')} failed, ${n('skipped')} skipped`);
  return out.join('\n');
}

/**
 * `ironclad test <image|image-dir>`: standards checks and functional tests; writes a CTRF report with `--ctrf`.
 * Exit status 1 when anything failed.
 */
export async function testCommand(args: TestArgs, io: CliIO): Promise<ExitStatus> {
  if (!FORMATS.includes(args.format as (typeof FORMATS)[number])) {
    fail('USAGE', `unknown format ${args.format}`, { hint: `use one of ${FORMATS.join(', ')}` });
  }
  const host = hostPlatform();
  const platforms = args.platforms.map((p) => platformOption(p)!);
  const ctx = stageContext(io);
  const reports: TestReport[] = [];
  const open = (ref: string) => openSource(ref, io);
  const all = await testSubjects(args.target, { cwd: io.cwd, open, log: io.log });
  for (const s of all) {
    const source = openSource(s.image, io);
    // For a definition, variants not built yet are skipped, not failed: `build` defaults to the runtime variant.
    if (s.variant !== undefined && all.length > 1) {
      const present = await source.top().then(
        () => true,
        (err: unknown) => (isIroncladError(err, 'NOT_FOUND') ? false : Promise.reject(err)),
      );
      if (!present) {
        io.log.warn(`${s.image} (${s.variant.variant}) is not in the local store; skipped`);
        continue;
      }
    }
    const opts: TestImageOptions = {
      host,
      platforms,
      functional: args.functional,
      // As `build --platform` does: an image tested for some platforms is held to declaring those.
      ...(s.variant !== undefined && {
        variant: args.platforms.length > 0 ? { ...s.variant, platforms: args.platforms } : s.variant,
      }),
      ...(s.siblings !== undefined && { variantImage: siblingImage(s.siblings, open) }),
    };
    reports.push(await testImage(source, opts, ctx));
  }
  if (reports.length === 0) {
    fail('NOT_FOUND', `no image of ${args.target} is in the local store`, {
      hint: `run: ironclad build ${args.target}`,
    });
  }
  const ctrf = toCtrf(reports, VERSION);
  if (args.ctrf !== undefined) await writeFileAtomic(resolve(io.cwd, args.ctrf), `${JSON.stringify(ctrf, null, 2)}\n`);
  io.stdout(args.format === 'json' ? JSON.stringify(ctrf, null, 2) : renderText(reports));
  return reports.some(reportFailed) ? 1 : 0;
}

const EXAMPLES = `
Examples:
  $ ironclad test python:3.11
  $ ironclad test images/python --ctrf report.ctrf.json
  $ ironclad test oci:./out:latest --platform linux/arm64 --format json`;

export const registerTest: VerbRegistrar = (program: Command, io: CliIO, run) => {
  program
    .command('test')
    .description('Check an image against the hardening standards and run its functional tests in runc')
    .argument(
      '<image>',
      'image reference (its definition, recorded in its labels, adds its tests), or an image directory (tests each variant built into the local store)',
    )
    .option('--platform <os/arch>', 'test only this platform (repeatable; default: every platform)', collect, [])
    .option('--ctrf <file>', 'write a CTRF JSON report')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
    .option('--no-functional', 'run the standards checks only')
    .addHelpText('after', EXAMPLES)
    .action((target: string, o: { platform: string[]; ctrf?: string; format: string; functional: boolean }) => {
      run(
        testCommand(
          {
            target,
            platforms: o.platform,
            format: o.format,
            functional: o.functional,
            ...(o.ctrf !== undefined && { ctrf: o.ctrf }),
          },
          io,
        ),
      );
    });
};
