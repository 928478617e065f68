import type { Command } from 'commander';
import {
  type CompareResult,
  compareImages,
  exitOnReasons,
  parseExitOn,
  renderCompareJson,
  renderCompareMarkdown,
  renderCompareText,
} from '../compare/index.ts';
import { fail, type Home, isIroncladError } from '../core/index.ts';
import { parseImageRef } from '../oci/index.ts';
import { openVulnDb, type VulnDb } from '../vuln/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { readVex } from './scan.ts';
import { openRef, platformOption } from './source.ts';

const FORMATS = ['text', 'markdown', 'json'] as const;
type CompareFormat = (typeof FORMATS)[number];

export interface CompareArgs {
  readonly image: string;
  readonly to: string;
  readonly platform?: string;
  readonly ignoreUnchanged: boolean;
  readonly format: string;
  readonly exitOn?: string;
  /** OpenVEX files applied to both images, after the VEX attached to each. */
  readonly vex: readonly string[];
}

/** The local database when there is one; a missing database only means no vulnerability columns. */
function optionalDb(home: Home, io: CliIO): VulnDb | undefined {
  try {
    return openVulnDb(home);
  } catch (err) {
    if (isIroncladError(err, 'NOT_FOUND')) return undefined;
    io.log.warn(`vulnerability database unusable, comparing without it: ${(err as Error).message}`);
    return undefined;
  }
}

function render(result: CompareResult, format: CompareFormat, ignoreUnchanged: boolean): string {
  const o = { ignoreUnchanged };
  switch (format) {
    case 'json':
      return renderCompareJson(result, o);
    case 'markdown':
      return renderCompareMarkdown(result, o);
    case 'text':
      return renderCompareText(result, o);
  }
}

/**
 * `ironclad compare <image> --to <baseline>`: compares two images and prints the differences. Exit status 1
 * when an `--exit-on` condition is met (more vulnerabilities, different packages), 0 otherwise.
 */
export async function compareCommand(args: CompareArgs, io: CliIO): Promise<ExitStatus> {
  if (!FORMATS.includes(args.format as CompareFormat)) {
    fail('USAGE', `--format ${args.format}: unknown format`, { hint: `use one of ${FORMATS.join(', ')}` });
  }
  const conditions = args.exitOn === undefined ? [] : parseExitOn(args.exitOn);
  const platform = platformOption(args.platform);
  const ctx = stageContext(io);
  const vexDocs = await readVex(args.vex, io);
  const vex = vexDocs.map((document, i) => ({ name: args.vex[i] ?? '', document }));
  const db = optionalDb(ctx.home, io);
  let result: CompareResult;
  try {
    const target = openRef(parseImageRef(args.image), io);
    // An image compared with itself (a check that compare counts as scan does) is read once.
    const baseline = args.to === args.image ? target : openRef(parseImageRef(args.to), io);
    result = await compareImages(
      target,
      baseline,
      { ...(platform !== undefined && { platform }), ...(db !== undefined && { db }), vex },
      ctx,
    );
  } finally {
    db?.close();
  }
  io.stdout(render(result, args.format as CompareFormat, args.ignoreUnchanged));
  const reasons = exitOnReasons(result, conditions);
  for (const r of reasons) io.stderr(`exit-on: ${r}`);
  return reasons.length > 0 ? 1 : 0;
}

const EXAMPLES = `
Examples:
  $ ironclad compare python:3.11 --to python-conventional:3.11-conventional
  $ ironclad compare python:3.11 --to docker://docker.io/library/python:3.11-slim --platform linux/amd64
  $ ironclad compare oci:build/layout:new --to python:3.11 --ignore-unchanged --format markdown >> "$GITHUB_STEP_SUMMARY"
  $ ironclad compare python:3.11 --to python:3.11-previous --exit-on vulnerability,package
  $ ironclad compare python:3.11 --to python-conventional:3.11-conventional --vex triage.openvex.json

References use skopeo's transports (oci:DIR[:TAG], docker://HOST/REPO:TAG, docker-archive:FILE); a bare
NAME:TAG is looked up in the local store. Deltas are target minus baseline (--to). Vulnerabilities are counted
as \`ironclad scan\` counts them: the VEX attached to each image, and every --vex file, is applied, and findings
a not_affected or fixed statement covers are left out (the report says how many, and which documents).`;

export const registerCompare: VerbRegistrar = (program: Command, io: CliIO, run) => {
  program
    .command('compare')
    .description('Compare two images: size, packages, vulnerabilities, attack surface, environment and labels')
    .argument('<image>', 'target image reference')
    .requiredOption('--to <image>', 'baseline image reference to compare against')
    .option('--platform <os/arch>', 'platform to compare when the references are multi-platform')
    .option('--ignore-unchanged', 'list only packages that changed', false)
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
    .option('--exit-on <conditions>', 'exit 1 when: vulnerability (more in the target), package (any difference)')
    .option('--vex <file...>', 'OpenVEX documents to apply to both images, after the VEX attached to each')
    .addHelpText('after', EXAMPLES)
    .action(
      (
        image: string,
        o: {
          to: string;
          platform?: string;
          ignoreUnchanged: boolean;
          format: string;
          exitOn?: string;
          vex?: string[];
        },
      ) => {
        run(
          compareCommand(
            {
              image,
              to: o.to,
              ignoreUnchanged: o.ignoreUnchanged,
              format: o.format,
              vex: o.vex ?? [],
              ...(o.platform !== undefined && { platform: o.platform }),
              ...(o.exitOn !== undefined && { exitOn: o.exitOn }),
            },
            io,
          ),
        );
      },
    );
};
