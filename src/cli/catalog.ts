import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  type Catalog,
  type CatalogEntry,
  type CatalogVariant,
  type CollectedCatalog,
  collectCatalog,
  consumeCommands,
  findEntry,
  type PlatformSummary,
} from '../catalog/index.ts';
import { fail, jsonOutput } from '../core/index.ts';
import { formatPlatform, hostPlatform } from '../oci/index.ts';
import { exportSite, type SiteModel, siteModel } from '../server/index.ts';
import { countsLine } from '../vuln/index.ts';
import { catalogMarkdown } from './catalog-markdown.ts';
import type { VerbRegistrar } from './commands.ts';
import { imageBaseResolver } from './image-base.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { formatBytes, renderTable } from './table.ts';

export interface CatalogArgs {
  readonly format: string;
  /** Directory of image definitions; default `images` under the working directory. */
  readonly images?: string;
  /** Where the images are published (`HOST[/PREFIX]`), for the pull and verify commands shown. */
  readonly registry?: string;
}

const FORMATS = ['table', 'json'];
/** `catalog` also prints the README table; `catalog show` prints one image. */
const LIST_FORMATS = [...FORMATS, 'markdown'];

/** Collects the catalog for a verb; shared by `catalog`, `catalog show`, `catalog export` and `serve`. */
export async function loadCatalog(args: { readonly images?: string }, io: CliIO): Promise<CollectedCatalog> {
  // A customization of a published image is listed like any image; its base is verified with its key to read it.
  const load = { imageBase: imageBaseResolver(io) };
  return collectCatalog({ imagesDir: resolve(io.cwd, args.images ?? 'images'), load }, stageContext(io));
}

/** The web catalog's model: the catalog, the host platform first, and where images are published. */
export async function loadSiteModel(args: { images?: string; registry?: string }, io: CliIO): Promise<SiteModel> {
  const collected = await loadCatalog(args, io);
  const opts = {
    platform: formatPlatform(hostPlatform()),
    ...(args.registry !== undefined && { registry: args.registry }),
  };
  return siteModel(collected, opts, stageContext(io));
}

/** `ironclad catalog export DIR`: the web catalog as a static site (plus JSON), written atomically. */
export async function catalogExportCommand(
  dir: string,
  args: { images?: string; registry?: string },
  io: CliIO,
): Promise<ExitStatus> {
  const m = await loadSiteModel(args, io);
  const target = resolve(io.cwd, dir);
  const paths = await exportSite(m, target);
  io.stdout(`wrote ${paths.length} files (${m.catalog.images.length} images) to ${target}; open ${target}/index.html`);
  return 0;
}

function checkFormat(format: string, formats: readonly string[] = FORMATS): void {
  if (!formats.includes(format)) fail('USAGE', `--format ${format}`, { hint: `use one of ${formats.join(', ')}` });
}

/** `ironclad catalog`: every image of the catalog, one row per variant and platform. */
export async function catalogCommand(args: CatalogArgs, io: CliIO): Promise<ExitStatus> {
  checkFormat(args.format, LIST_FORMATS);
  const { catalog } = await loadCatalog(args, io);
  if (args.format === 'json') {
    io.stdout(JSON.stringify(catalog, null, 2));
    return 0;
  }
  if (args.format === 'markdown') {
    io.stdout(catalogMarkdown(catalog, formatPlatform(hostPlatform())));
    return 0;
  }
  const rows = catalog.images.flatMap((e) => e.variants.flatMap((v) => variantRows(e, v)));
  io.stdout(
    renderTable(
      [
        'IMAGE',
        'VARIANT',
        'TAGS',
        'PLATFORM',
        'SIZE',
        'PACKAGES',
        'VULNERABILITIES',
        'PATCHED',
        'EOL',
        'SIGNED',
        'TESTED',
      ],
      rows,
      [4, 5],
    ),
  );
  io.stdout(dataLine(catalog));
  return 0;
}

function variantRows(e: CatalogEntry, v: CatalogVariant): string[][] {
  const eol = e.endOfLife === null ? '-' : `${e.endOfLife}${e.pastEndOfLife ? ' (past)' : ''}`;
  const head = [e.id, v.variant, v.tags.join(',')];
  if (v.image === null) return [[...head, v.definedPlatforms.join(','), 'not built', '', '', '', eol, '', '']];
  const img = v.image;
  return img.platforms.map((p) => [
    ...head,
    p.platform,
    formatBytes(p.compressedSize),
    String(p.packages),
    vulnText(p),
    img.lastPatched ?? '-',
    eol,
    img.signed ? 'yes' : 'no',
    img.tested,
  ]);
}

function vulnText(p: PlatformSummary): string {
  if (p.vulnerabilities === null) return 'no database';
  return `${countsLine(p.vulnerabilities)}${p.suppressed > 0 ? ` (${p.suppressed} VEX)` : ''}`;
}

function dataLine(c: Catalog): string {
  return c.vulnerabilityData === null
    ? 'vulnerabilities: no database (ironclad db update)'
    : `vulnerabilities after VEX, data as of ${c.vulnerabilityData}`;
}

/** `ironclad catalog show NAME`: one image's page as text (or its catalog entry as JSON). */
export async function catalogShowCommand(name: string, args: CatalogArgs, io: CliIO): Promise<ExitStatus> {
  checkFormat(args.format);
  const { catalog } = await loadCatalog(args, io);
  const e = findEntry(catalog, name);
  if (args.format === 'json') {
    io.stdout(jsonOutput('catalog-entry', { vulnerabilityData: catalog.vulnerabilityData, image: e }));
    return 0;
  }
  const out = [`${e.id}: ${e.description}`, '', e.overview, ''];
  const eol = e.endOfLife === null ? 'unknown' : e.endOfLife;
  out.push(`distro ${e.distro}; released ${e.release ?? 'unknown'}; end of life ${eol}`);
  if (e.pastEndOfLife) out.push(`warning: past its upstream end of life (${e.endOfLife})`);
  if (e.usage.length > 0) out.push('', 'Usage:', ...e.usage.map((u) => `  - ${u}`));
  if (e.links.length > 0) out.push('', 'Links:', ...e.links.map((l) => `  ${l.title}: ${l.url}`));
  for (const v of e.variants) {
    out.push('', `${v.variant}: ${v.reference} (tags ${v.tags.join(', ')}; user ${v.user})`);
    if (v.image === null) {
      out.push(`  not in the local store; build it: ironclad build images/${e.id} --variant ${v.variant}`);
      continue;
    }
    out.push(`  digest ${v.image.digest}; last patched ${v.image.lastPatched ?? '-'}`);
    out.push(`  signed: ${v.image.signed ? 'yes' : 'no'}; tested: ${v.image.tested}`);
    const rows = v.image.platforms.map((p) => [
      p.platform,
      formatBytes(p.compressedSize),
      String(p.packages),
      vulnText(p),
    ]);
    out.push(indent(renderTable(['PLATFORM', 'SIZE', 'PACKAGES', 'VULNERABILITIES'], rows, [1, 2])));
    const cmd = consumeCommands(v, args.registry);
    out.push(`  pull:   ${cmd.pull}`, `  verify: ${cmd.verify}`, `  scan:   ${cmd.scan}`);
  }
  if (e.counterpart !== null) {
    const ref = e.variants[0]?.reference ?? e.name;
    out.push('', `compare with its conventional counterpart: ironclad compare ${ref} --to ${e.counterpart}`);
  }
  out.push('', dataLine(catalog));
  io.stdout(out.join('\n'));
  return 0;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

const EXAMPLES = `
Examples:
  ironclad catalog
  ironclad catalog --format json > catalog.json
  ironclad catalog --format markdown      # the README table: sizes, packages, CVEs after VEX, peers
  ironclad catalog show python:3.11
  ironclad catalog show node --registry registry.example.com/ironclad
  ironclad catalog export site/`;

export const registerCatalog: VerbRegistrar = (program: Command, io, run) => {
  const catalog = program
    .command('catalog')
    .summary('list every image of the catalog: tags, sizes, packages, vulnerabilities, end of life')
    .description(
      'Every image defined in images/, with its catalog metadata and, for each variant in the local store, its ' +
        'compressed size per platform, package count, vulnerabilities after VEX, last patch date, signature and tests.',
    )
    .option('--format <format>', 'table, json or markdown (one row per image, for a README)', 'table')
    .option('--images <dir>', 'directory of image definitions', 'images')
    .enablePositionalOptions()
    .addHelpText('after', EXAMPLES)
    .action((opts: CatalogArgs) => run(catalogCommand(opts, io)));
  catalog
    .command('show')
    .description('Show one image of the catalog: overview, usage, variants, sizes, vulnerabilities, commands')
    .argument('<name>', 'catalog id (python-3.13), NAME:TAG (python:3.13) or a name that is unique (node)')
    .option('--format <format>', 'table or json', 'table')
    .option('--images <dir>', 'directory of image definitions', 'images')
    .option('--registry <host/prefix>', 'where the images are published, for the pull and verify commands')
    .addHelpText(
      'after',
      '\nExamples:\n  ironclad catalog show python:3.11\n  ironclad catalog show node --format json',
    )
    .exitOverride()
    .action((name: string, opts: CatalogArgs) => run(catalogShowCommand(name, opts, io)));
  catalog
    .command('export')
    .description('Write the web catalog as a static site (HTML with relative links, plus JSON), atomically')
    .argument('<dir>', 'directory to write; an existing one must be empty or an earlier export')
    .option('--images <dir>', 'directory of image definitions', 'images')
    .option('--registry <host/prefix>', 'where the images are published, for the pull and verify commands')
    .addHelpText(
      'after',
      '\nExamples:\n  ironclad catalog export site/\n  ironclad catalog export public --registry registry.example.com/ironclad',
    )
    .exitOverride()
    .action((dir: string, opts: { images?: string; registry?: string }) => run(catalogExportCommand(dir, opts, io)));
};
