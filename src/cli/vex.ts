import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fail, jsonOutput, writeFileAtomic } from '../core/index.ts';
import {
  addStatement,
  advisoriesFor,
  buildStatement,
  compileAdvisories,
  createVexDocument,
  JUSTIFICATIONS,
  type Justification,
  mergeVexDocuments,
  type OpenVexDocument,
  parseAdvisories,
  parseOpenVex,
  parseSbomForScan,
  type StatementInput,
  serializeOpenVex,
  type VexStatus,
  vexRows,
} from '../vuln/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { readInputFile } from './input-file.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { renderTable } from './table.ts';
import { registerVexRepo } from './vex-repo.ts';

const STATUSES: readonly VexStatus[] = ['not_affected', 'affected', 'fixed', 'under_investigation'];

/** Flags describing one statement (`vex create`, `vex add`). */
export interface StatementFlags {
  readonly vuln: string;
  readonly product: readonly string[];
  readonly subcomponent?: readonly string[];
  readonly status: string;
  readonly justification?: string;
  readonly impact?: string;
  readonly action?: string;
  readonly notes?: string;
}

function statementInput(f: StatementFlags): StatementInput {
  if (!STATUSES.includes(f.status as VexStatus)) fail('USAGE', `--status ${f.status}: use ${STATUSES.join(', ')}`);
  if (f.justification !== undefined && !JUSTIFICATIONS.includes(f.justification as Justification)) {
    fail('USAGE', `--justification ${f.justification}: use ${JUSTIFICATIONS.join(', ')}`);
  }
  return {
    vulnerability: f.vuln,
    products: f.product,
    status: f.status as VexStatus,
    ...(f.subcomponent !== undefined ? { subcomponents: f.subcomponent } : {}),
    ...(f.justification !== undefined ? { justification: f.justification as Justification } : {}),
    ...(f.impact !== undefined ? { impactStatement: f.impact } : {}),
    ...(f.action !== undefined ? { actionStatement: f.action } : {}),
    ...(f.notes !== undefined ? { statusNotes: f.notes } : {}),
  };
}

async function readDoc(path: string, io: CliIO): Promise<OpenVexDocument> {
  return parseOpenVex(await readInputFile(path, io, 'an OpenVEX JSON document'), path);
}

async function emit(doc: OpenVexDocument, output: string | undefined, io: CliIO): Promise<void> {
  if (output === undefined) io.stdout(serializeOpenVex(doc));
  else await writeFileAtomic(resolve(io.cwd, output), serializeOpenVex(doc));
}

/** `vex create`: a new document with one statement, on stdout or `--output`. */
export async function vexCreateCommand(
  f: StatementFlags & { author: string; id?: string; output?: string },
  io: CliIO,
  now: Date,
): Promise<ExitStatus> {
  const statement = buildStatement(statementInput(f), now);
  const doc = createVexDocument({ author: f.author, ...(f.id !== undefined ? { id: f.id } : {}) }, [statement], now);
  await emit(doc, f.output, io);
  return 0;
}

/** `vex add DOC`: appends a statement, rewriting DOC in place (atomically) unless `--output` is given. */
export async function vexAddCommand(
  path: string,
  f: StatementFlags & { output?: string },
  io: CliIO,
  now: Date,
): Promise<ExitStatus> {
  const doc = addStatement(await readDoc(path, io), buildStatement(statementInput(f), now), now);
  await emit(doc, f.output ?? path, io);
  return 0;
}

/** `vex merge DOC...`: newest statement per (vulnerability, product) wins. */
export async function vexMergeCommand(
  paths: readonly string[],
  o: { author: string; id?: string; output?: string },
  io: CliIO,
  now: Date,
): Promise<ExitStatus> {
  const docs = await Promise.all(paths.map((p) => readDoc(p, io)));
  const merged = mergeVexDocuments(docs, { author: o.author, ...(o.id !== undefined ? { id: o.id } : {}) }, now);
  await emit(merged, o.output, io);
  return 0;
}

/** `vex show DOC`: the statements as a table, or the validated document as JSON. */
export async function vexShowCommand(path: string, format: string, io: CliIO): Promise<ExitStatus> {
  if (format !== 'table' && format !== 'json') fail('USAGE', `--format ${format}: expected table or json`);
  const doc = await readDoc(path, io);
  if (format === 'json') {
    io.stdout(jsonOutput('vex-show', { file: path, document: doc }));
    return 0;
  }
  io.stdout(`${doc['@id']}  author: ${doc.author}  version: ${doc.version}  timestamp: ${doc.timestamp}`);
  io.stdout(renderTable(['VULNERABILITY', 'STATUS', 'PRODUCTS', 'REASON', 'TIMESTAMP'], vexRows(doc)));
  return 0;
}

/** `vex advisories FILE`: compiles an image's advisories.yaml into OpenVEX for one image digest. */
export async function vexAdvisoriesCommand(
  path: string,
  o: { image: string; digest: string; author: string; variant: string; sbom?: string; output?: string },
  io: CliIO,
  now: Date,
): Promise<ExitStatus> {
  const all = parseAdvisories((await readInputFile(path, io, 'an advisories.yaml file')).toString('utf8'), path);
  const advisories = advisoriesFor(all, o.variant);
  const packages =
    o.sbom !== undefined
      ? parseSbomForScan(await readInputFile(o.sbom, io, 'an SPDX or CycloneDX JSON SBOM'), o.sbom).packages
      : undefined;
  const input = { imageName: o.image, imageDigest: o.digest, author: o.author, ...(packages ? { packages } : {}) };
  await emit(compileAdvisories(advisories, input, now), o.output, io);
  return 0;
}

type StatementOpts = {
  vuln: string;
  product: string[];
  subcomponent?: string[];
  status: string;
  justification?: string;
  impact?: string;
  action?: string;
  notes?: string;
  output?: string;
};

function statementOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--vuln <id>', 'vulnerability id, e.g. CVE-2024-1234')
    .requiredOption('--product <purl...>', 'product ids: pkg:oci/NAME@sha256:..., pkg:deb/debian/NAME@VERSION')
    .option('--subcomponent <purl...>', 'package purls inside the product the statement is about')
    .requiredOption('--status <status>', STATUSES.join(' | '))
    .option('--justification <j>', `for not_affected: ${JUSTIFICATIONS.join(' | ')}`)
    .option('--impact <text>', 'impact statement (not_affected)')
    .option('--action <text>', 'action statement (required for affected)')
    .option('--notes <text>', 'status notes')
    .option('--output <file>', 'write here instead of stdout');
}

const strip = (o: StatementOpts): StatementFlags => ({
  vuln: o.vuln,
  product: o.product,
  status: o.status,
  ...(o.subcomponent !== undefined ? { subcomponent: o.subcomponent } : {}),
  ...(o.justification !== undefined ? { justification: o.justification } : {}),
  ...(o.impact !== undefined ? { impact: o.impact } : {}),
  ...(o.action !== undefined ? { action: o.action } : {}),
  ...(o.notes !== undefined ? { notes: o.notes } : {}),
});

const opt = <K extends string, V>(k: K, v: V | undefined) =>
  (v !== undefined ? { [k]: v } : {}) as Partial<Record<K, V>>;

export const registerVex: VerbRegistrar = (program: Command, io: CliIO, run) => {
  const now = () => stageContext(io).now();
  const vex = program
    .command('vex')
    .description('Create, extend, merge and show OpenVEX 0.2.0 documents')
    .addHelpText(
      'after',
      `
Examples:
  ironclad vex create --author sec@example.com --vuln CVE-2023-45853 --product pkg:oci/python@sha256:... \\
    --status not_affected --justification vulnerable_code_not_in_execute_path --output python.openvex.json
  ironclad vex show python.openvex.json
  ironclad scan python:3.11 --vex python.openvex.json`,
    );
  statementOptions(vex.command('create').description('Create a document with one statement'))
    .requiredOption('--author <author>', 'document author, e.g. an email or URL')
    .option('--id <iri>', 'document @id (default: derived from the content)')
    .addHelpText(
      'after',
      `
Examples:
  ironclad vex create --author sec@example.com --vuln CVE-2023-45853 \\
    --product pkg:oci/python@sha256:... --subcomponent pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1 \\
    --status not_affected --justification vulnerable_code_not_in_execute_path --output python.openvex.json
  ironclad vex create --author sec@example.com --vuln CVE-2024-0001 --product pkg:oci/python@sha256:... \\
    --status affected --action 'upgrade to 3.11-debian12 once rebuilt'`,
    )
    .action((o: StatementOpts & { author: string; id?: string }) =>
      run(
        vexCreateCommand({ ...strip(o), author: o.author, ...opt('id', o.id), ...opt('output', o.output) }, io, now()),
      ),
    );
  statementOptions(vex.command('add').description('Add a statement to a document (rewrites it)'))
    .argument('<document>', 'OpenVEX JSON file')
    .addHelpText(
      'after',
      `
Examples:
  ironclad vex add python.openvex.json --vuln CVE-2024-0001 --product pkg:oci/python@sha256:... --status fixed
  ironclad vex add python.openvex.json --vuln CVE-2024-0002 --product pkg:oci/python@sha256:... \\
    --status under_investigation --output python-next.openvex.json`,
    )
    .action((doc: string, o: StatementOpts) =>
      run(vexAddCommand(doc, { ...strip(o), ...opt('output', o.output) }, io, now())),
    );
  vex
    .command('merge')
    .description('Merge documents; the newest statement per vulnerability and product wins')
    .argument('<document...>', 'OpenVEX JSON files')
    .requiredOption('--author <author>', 'author of the merged document')
    .option('--id <iri>', 'document @id (default: derived from the content)')
    .option('--output <file>', 'write here instead of stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  ironclad vex merge team-a.openvex.json team-b.openvex.json --author sec@example.com --output all.openvex.json',
    )
    .action((docs: string[], o: { author: string; id?: string; output?: string }) =>
      run(vexMergeCommand(docs, { author: o.author, ...opt('id', o.id), ...opt('output', o.output) }, io, now())),
    );
  vex
    .command('show')
    .description('List the statements of a document')
    .argument('<document>', 'OpenVEX JSON file')
    .option('--format <format>', 'table or json', 'table')
    .addHelpText(
      'after',
      '\nExamples:\n  ironclad vex show python.openvex.json\n  ironclad vex show python.openvex.json --format json',
    )
    .action((doc: string, o: { format: string }) => run(vexShowCommand(doc, o.format, io)));
  vex
    .command('advisories')
    .description("Compile an image's advisories.yaml into an OpenVEX document")
    .argument('<file>', 'advisories.yaml')
    .requiredOption('--image <name>', 'image name, e.g. python')
    .requiredOption('--digest <digest>', 'image manifest digest (sha256:...)')
    .requiredOption('--author <author>', 'document author')
    .option('--variant <name>', 'the variant the image is: statements scoped to other variants are left out', 'runtime')
    .option('--sbom <file>', "the image's SBOM, to pin package versions")
    .option('--output <file>', 'write here instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  ironclad vex advisories images/python/advisories.yaml --image python --digest sha256:... --author sec@example.com
  ironclad vex advisories images/python/advisories.yaml --image python --digest sha256:... --author sec@example.com \\
    --sbom python.spdx.json --output python.openvex.json   # pin the statements to the shipped package versions
  ironclad vex advisories images/python/advisories.yaml --image python --digest sha256:... --author sec@example.com \
    --variant dev                                         # the statements that hold for the dev variant`,
    )
    .action(
      (
        file: string,
        o: { image: string; digest: string; author: string; variant: string; sbom?: string; output?: string },
      ) =>
        run(
          vexAdvisoriesCommand(
            file,
            {
              image: o.image,
              digest: o.digest,
              author: o.author,
              variant: o.variant,
              ...opt('sbom', o.sbom),
              ...opt('output', o.output),
            },
            io,
            now(),
          ),
        ),
    );
  registerVexRepo(vex, io, run);
  for (const c of vex.commands) c.exitOverride();
};
