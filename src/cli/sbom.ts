import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fail, writeFileAtomic } from '../core/index.ts';
import { hostPlatform, openImageSource, parseImageRef, parsePlatform } from '../oci/index.ts';
import {
  generateSbom,
  isoFromEpoch,
  SBOM_TABLE_HEADER,
  sbomSummaryLine,
  sbomTableRows,
  writeCycloneDxJson,
  writeSpdxJson,
} from '../sbom/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { renderTable } from './table.ts';

const FORMATS = ['spdx-json', 'cyclonedx-json', 'table'] as const;
type SbomFormat = (typeof FORMATS)[number];

export interface SbomArgs {
  readonly image: string;
  readonly format: string;
  readonly platform?: string;
  readonly output?: string;
  readonly files: boolean;
}

/** SOURCE_DATE_EPOCH (reproducible-builds.org/specs/source-date-epoch) → creation time; undefined when unset. */
function createdFromEnv(io: CliIO): string | undefined {
  const raw = io.env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) fail('USAGE', `SOURCE_DATE_EPOCH=${raw}: expected whole seconds since 1970`);
  return isoFromEpoch(Number(raw));
}

/**
 * `ironclad sbom <image-ref>`: catalogs one platform's image and prints (or writes with `-o`) its SBOM.
 * The creation time is SOURCE_DATE_EPOCH when set, else the image's own `created`, so reruns are identical.
 */
export async function sbomCommand(args: SbomArgs, io: CliIO): Promise<ExitStatus> {
  if (!FORMATS.includes(args.format as SbomFormat)) {
    fail('USAGE', `unknown format ${args.format}`, { hint: `use one of ${FORMATS.join(', ')}` });
  }
  const format = args.format as SbomFormat;
  const platform = args.platform === undefined ? undefined : parsePlatform(args.platform);
  if (args.platform !== undefined && platform === undefined) {
    fail('USAGE', `--platform ${args.platform}: expected os/arch[/variant], e.g. linux/arm64`);
  }
  const ctx = stageContext(io);
  const source = openImageSource(parseImageRef(args.image), { home: ctx.home, platform: hostPlatform() });
  const created = createdFromEnv(io);
  const doc = await generateSbom(
    source,
    { files: args.files, ...(platform !== undefined && { platform }), ...(created !== undefined && { created }) },
    ctx,
  );
  let text: string;
  switch (format) {
    case 'spdx-json':
      text = new TextDecoder().decode(writeSpdxJson(doc));
      break;
    case 'cyclonedx-json':
      text = new TextDecoder().decode(writeCycloneDxJson(doc));
      break;
    case 'table':
      text = `${renderTable(SBOM_TABLE_HEADER, sbomTableRows(doc))}\n${sbomSummaryLine(doc)}\n`;
      break;
  }
  if (args.output !== undefined) {
    await writeFileAtomic(resolve(io.cwd, args.output), text);
    io.log.info(sbomSummaryLine(doc));
  } else io.stdout(text);
  return 0;
}

const EXAMPLES = `
Examples:
  $ ironclad sbom python:3.11
  $ ironclad sbom oci:./layout:latest --format cyclonedx-json -o sbom.cdx.json
  $ ironclad sbom docker-archive:image.tar --format table
  $ ironclad sbom oci:./layout --platform linux/arm64 --files -o sbom.spdx.json
  $ SOURCE_DATE_EPOCH=1700000000 ironclad sbom python:3.11 > sbom.spdx.json`;

export const registerSbom: VerbRegistrar = (program: Command, io: CliIO, run) => {
  program
    .command('sbom')
    .description('Generate an SBOM (SPDX 2.3 or CycloneDX 1.6 JSON) for any image: Debian, Python, npm and Go packages')
    .argument('<image-ref>', 'oci:DIR[:TAG], docker-archive:FILE, or a local NAME[:TAG]')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'spdx-json')
    .option('--platform <os/arch[/variant]>', 'image of a multi-platform index to describe (default: this host)')
    .option('-o, --output <file>', 'write the SBOM to FILE (atomically) instead of stdout')
    .option('--files', 'also list the files of each package, with SHA-1 and SHA-256 (SPDX)', false)
    .addHelpText('after', EXAMPLES)
    .action((image: string, o: { format: string; platform?: string; output?: string; files: boolean }) => {
      run(
        sbomCommand(
          {
            image,
            format: o.format,
            files: o.files,
            ...(o.platform !== undefined && { platform: o.platform }),
            ...(o.output !== undefined && { output: o.output }),
          },
          io,
        ),
      );
    });
};
