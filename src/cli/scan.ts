import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fail, IRONCLAD_VERSION } from '../core/index.ts';
import { parseImageRef } from '../oci/index.ts';
import {
  cyclonedxVexReport,
  type Distro,
  exceedsThreshold,
  FAIL_ON_LEVELS,
  type FailOn,
  jsonReport,
  judgeScanData,
  type OpenVexDocument,
  parseOpenVex,
  resolveScanInput,
  type ScanTarget,
  sarifReport,
  scan,
  summaryLine,
  TABLE_HEADER,
  tableRows,
} from '../vuln/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { readInputFile } from './input-file.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { openRef } from './source.ts';
import { renderTable } from './table.ts';

const VERSION = IRONCLAD_VERSION;
const FORMATS = ['table', 'json', 'sarif', 'cyclonedx-vex'] as const;
type ScanFormat = (typeof FORMATS)[number];

export interface ScanArgs {
  readonly input: string;
  readonly format: string;
  readonly failOn?: string;
  readonly ignoreUnfixed: boolean;
  readonly showSuppressed: boolean;
  readonly vex: readonly string[];
  /** `debian:12` style override of the distribution found in the input. */
  readonly distro?: string;
  readonly imageDigest?: string;
}

function parseDistro(text: string): Distro {
  const m = /^([a-z]+)[:-](\d+(?:\.\d+)*)$/.exec(text);
  if (m?.[1] === undefined || m[2] === undefined) fail('USAGE', `--distro ${text}: expected e.g. debian:12`);
  return { id: m[1], versionId: m[2] };
}

function checkArgs(args: ScanArgs): { format: ScanFormat; failOn: FailOn | undefined } {
  if (!FORMATS.includes(args.format as ScanFormat)) {
    fail('USAGE', `unknown format ${args.format}`, { hint: `use one of ${FORMATS.join(', ')}` });
  }
  if (args.failOn !== undefined && !FAIL_ON_LEVELS.includes(args.failOn as FailOn)) {
    fail('USAGE', `--fail-on ${args.failOn}`, { hint: `use one of ${FAIL_ON_LEVELS.join(', ')}` });
  }
  return { format: args.format as ScanFormat, failOn: args.failOn as FailOn | undefined };
}

/** The `--vex FILE` documents, relative to the invocation's directory (scan and compare). */
export async function readVex(paths: readonly string[], io: CliIO): Promise<OpenVexDocument[]> {
  const read = async (p: string) => parseOpenVex(await readInputFile(p, io, 'an OpenVEX JSON document (--vex)'), p);
  return Promise.all(paths.map(read));
}

/**
 * `ironclad scan <input>`: scans the packages of an SBOM (or, once registered, an image) against the
 * local database. Exit status 1 when `--fail-on` is given and an active finding is at or above it.
 */
export async function scanCommand(args: ScanArgs, io: CliIO): Promise<ExitStatus> {
  const { format, failOn } = checkArgs(args);
  const ctx = stageContext(io);
  const input = await resolveScanInput(
    args.input,
    {
      fileExists: (path) => existsSync(resolve(io.cwd, path)),
      readFile: (path) => readInputFile(path, io, 'an SPDX 2.3 or CycloneDX JSON SBOM file'),
      openImage: (ref) => openRef(parseImageRef(ref), io),
    },
    ctx,
  );
  const distro = args.distro !== undefined ? parseDistro(args.distro) : input.distro;
  if (distro === null) {
    fail('INVALID_INPUT', `${args.input}: the distribution is unknown`, { hint: 'pass --distro debian:12' });
  }
  const imageDigest = args.imageDigest ?? input.imageDigest;
  const vex = [...input.vex, ...(await readVex(args.vex, io))];
  const result = await scan(
    {
      packages: input.packages,
      distro,
      vex,
      ignoreUnfixed: args.ignoreUnfixed,
      ...(imageDigest !== null && { imageDigest }),
    },
    ctx,
  );
  const target: ScanTarget = { kind: input.kind, ref: args.input, imageDigest };
  switch (format) {
    case 'json':
      io.stdout(jsonReport(result, target));
      break;
    case 'sarif':
      io.stdout(sarifReport(result, target, VERSION));
      break;
    case 'cyclonedx-vex':
      io.stdout(cyclonedxVexReport(result, target, VERSION, ctx.now()));
      break;
    case 'table': {
      const shown = args.showSuppressed ? [...result.findings, ...result.suppressed] : result.findings;
      if (shown.length > 0) io.stdout(renderTable(TABLE_HEADER, tableRows(shown)));
      const hidden = result.suppressed.length > 0 && !args.showSuppressed ? ' (--show-suppressed to list)' : '';
      io.stdout(
        `${summaryLine(result.findings)}  ${result.findings.length} findings, ${result.suppressed.length} suppressed by VEX${hidden}`,
      );
      break;
    }
  }
  if (result.packagesNotCovered > 0)
    io.log.info(`${result.packagesNotCovered} package(s) of other ecosystems not covered`);
  // Said on stderr whatever the format, so a JSON or SARIF consumer's logs carry it too.
  const data = judgeScanData(result, ctx.now());
  for (const w of data.warnings) io.stderr(`WARNING: ${w}`);
  if (!data.judgeable && failOn !== undefined) {
    io.stderr(`error: --fail-on ${failOn}: there is no vulnerability data to judge ${args.input} by`);
    return 1;
  }
  return exceedsThreshold(result, failOn) ? 1 : 0;
}

const EXAMPLES = `
Examples:
  $ ironclad scan python:3.11                      # an image in the local store, with the VEX attached to it
  $ ironclad scan docker://registry.example.com/team/python:3.11 --fail-on critical
  $ ironclad scan oci:./out:3.11 --format json
  $ ironclad scan sbom.spdx.json
  $ ironclad scan sbom.cdx.json --fail-on high --ignore-unfixed
  $ ironclad scan sbom.spdx.json --vex image.openvex.json --show-suppressed
  $ ironclad scan sbom.spdx.json --format sarif > results.sarif`;

export const registerScan: VerbRegistrar = (program: Command, io: CliIO, run) => {
  program
    .command('scan')
    .description('Scan an image or an SBOM for known vulnerabilities (Debian security data, OSV format), applying VEX')
    .argument(
      '<input>',
      'image reference (python:3.11, oci:DIR:TAG, docker://HOST/REPO:TAG) or an SPDX 2.3 / CycloneDX JSON SBOM file',
    )
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'table')
    .option(
      '--fail-on <severity>',
      `exit 1 when a finding is at or above: ${FAIL_ON_LEVELS.join(', ')}; also when the database has no data for the distribution`,
    )
    .option('--ignore-unfixed', 'leave out findings without a fixed version', false)
    .option('--vex <file...>', 'OpenVEX documents to apply')
    .option('--show-suppressed', 'also list findings VEX marked not_affected or fixed', false)
    .option('--distro <id:version>', 'distribution when the SBOM does not say, e.g. debian:12')
    .option('--image-digest <digest>', 'digest of the scanned image, for VEX statements about it')
    .addHelpText('after', EXAMPLES)
    .action(
      (
        input: string,
        o: {
          format: string;
          failOn?: string;
          ignoreUnfixed: boolean;
          vex?: string[];
          showSuppressed: boolean;
          distro?: string;
          imageDigest?: string;
        },
      ) => {
        run(
          scanCommand(
            {
              input,
              format: o.format,
              ignoreUnfixed: o.ignoreUnfixed,
              showSuppressed: o.showSuppressed,
              vex: o.vex ?? [],
              ...(o.failOn !== undefined ? { failOn: o.failOn } : {}),
              ...(o.distro !== undefined ? { distro: o.distro } : {}),
              ...(o.imageDigest !== undefined ? { imageDigest: o.imageDigest } : {}),
            },
            io,
          ),
        );
      },
    );
};
