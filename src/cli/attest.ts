import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  attachAttestation,
  collectEvidence,
  type Evidence,
  evidenceKeyHint,
  type OpenedTarget,
  type Statement,
  selectPlatforms,
  unverifiedStatement,
  verifyAttestationEvidence,
} from '../attest/index.ts';
import { fail, IroncladError, jsonOutput } from '../core/index.ts';
import type { Descriptor } from '../oci/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { loadPublicKeyFile, loadSigner, openTarget, platformLabel } from './image-target.ts';
import type { CliIO, ExitStatus } from './io.ts';
import { textOrJson } from './output-format.ts';
import { SIGNATURE_FORMAT_HELP, signatureFormatOption } from './signature-format.ts';
import { formatBytes, renderTable } from './table.ts';

/** A predicate is one JSON document; SBOMs of large images stay well below this. */
const MAX_PREDICATE_BYTES = 32 * 1024 * 1024;

export interface AttestArgs {
  readonly image: string;
  readonly predicate: string;
  readonly type: string;
  readonly key: string;
  readonly platform?: string;
  readonly signatureFormat?: string;
  readonly format?: string;
}

/**
 * `ironclad attest IMAGE --predicate FILE --type URI --key KEY`: attests the index (when there is one) and every
 * platform manifest, or only the one `--platform` names.
 */
export async function attestCommand(args: AttestArgs, io: CliIO): Promise<ExitStatus> {
  if (!/^[a-z][a-z0-9+.-]*:\/\/./i.test(args.type)) fail('USAGE', `--type ${args.type}: expected a predicate type URI`);
  const output = textOrJson(args.format);
  const format = signatureFormatOption(args.signatureFormat);
  const predicate = await readPredicate(resolve(io.cwd, args.predicate));
  const { sink, target, repository } = await openTarget(args.image, io, format);
  const signer = await loadSigner(args.key, io);
  const input = { type: args.type, predicate };
  const attested: { subject: string; digest: string; referrer: string; reused: boolean }[] = [];
  // The index too: admission controllers check the digest a multi-platform tag names (docs/admission.md).
  const isIndex = target.platforms[0]?.digest !== target.top.digest;
  if (isIndex && args.platform === undefined) {
    const { referrer, reused } = await attachAttestation(sink, target.top, repository, input, signer);
    attested.push({ subject: 'index', digest: target.top.digest, referrer: referrer.digest, reused });
  }
  for (const m of selectPlatforms(target, args.platform)) {
    const { referrer, reused } = await attachAttestation(sink, m, repository, input, signer);
    attested.push({ subject: platformLabel(m), digest: m.digest, referrer: referrer.digest, reused });
  }
  if (output === 'json') {
    const body = { image: args.image, predicateType: args.type, keyHint: signer.keyHint, signatureFormat: format };
    io.stdout(jsonOutput('attest', { ...body, attested }));
    return 0;
  }
  const width = Math.max(...attested.map((a) => a.subject.length));
  const line = (a: (typeof attested)[number]) =>
    `${a.reused ? 'already attested' : 'attested'} ${a.subject.padEnd(width)}  ${a.digest}  → ${a.referrer}` +
    (a.reused ? '  (the same statement, signed by this key; nothing new signed)' : '');
  io.stdout(attested.map(line).join('\n'));
  return 0;
}

export interface AttestListArgs {
  readonly image: string;
  readonly format: string;
}

/** One row of `attest list`. */
interface ListedEvidence {
  readonly subject: Descriptor;
  readonly label: string;
  readonly evidence: Evidence;
}

/** `ironclad attest list IMAGE`: signatures and attestations attached to the index and each platform manifest. */
export async function attestListCommand(args: AttestListArgs, io: CliIO): Promise<ExitStatus> {
  if (!['table', 'json'].includes(args.format)) fail('USAGE', `--format ${args.format}: expected table or json`);
  const { sink, target } = await openTarget(args.image, io);
  const isIndex = target.platforms[0]?.digest !== target.top.digest;
  const subjects = [
    ...(isIndex ? [{ subject: target.top, label: 'index' }] : []),
    ...target.platforms.map((subject) => ({ subject, label: platformLabel(subject) })),
  ];
  const rows: ListedEvidence[] = [];
  for (const { subject, label } of subjects) {
    for (const evidence of await collectEvidence(sink, subject.digest)) rows.push({ subject, label, evidence });
  }
  if (args.format === 'json') {
    io.stdout(jsonOutput('attest-list', { image: args.image, attached: rows.map(listJson) }));
    return 0;
  }
  if (rows.length === 0) {
    io.stdout(`${args.image}: nothing attached`);
    return 0;
  }
  io.stdout(
    renderTable(
      ['DIGEST', 'SUBJECT', 'KIND', 'PREDICATE TYPE', 'SIGNED BY (KEY HINT)', 'SIZE'],
      rows.map((r) => {
        const j = listJson(r);
        return [
          j.digest.slice(0, 19),
          j.subject,
          j.kind,
          j.predicateType ?? '-',
          j.keyHint || '-',
          formatBytes(j.size),
        ];
      }),
      [5],
    ),
  );
  return 0;
}

function listJson(r: ListedEvidence) {
  const e = r.evidence;
  const predicateType =
    e.kind === 'attestation' || e.kind === 'cosign-attestation'
      ? e.predicateType
      : e.kind === 'other'
        ? e.artifactType
        : undefined;
  return {
    digest: e.manifest.digest,
    subject: r.label,
    subjectDigest: r.subject.digest,
    kind: e.kind,
    ...(predicateType !== undefined && { predicateType }),
    keyHint: evidenceKeyHint(e),
    size: sizeOf(e),
  };
}

function sizeOf(e: Evidence): number {
  switch (e.kind) {
    case 'signature':
    case 'attestation':
      return e.bundle.length;
    case 'cosign-signature':
      return e.payload.length;
    case 'cosign-attestation':
      return e.envelope.length;
    default:
      return e.manifest.size;
  }
}

export interface AttestGetArgs {
  readonly image: string;
  readonly predicateType: string;
  readonly predicate: boolean;
  readonly verify: boolean;
  readonly key?: string;
  readonly platform?: string;
  /** Read the attestation about the index rather than a platform manifest. */
  readonly index?: boolean;
}

/**
 * `ironclad attest get IMAGE --predicate-type URI`: prints the newest matching statement (or only its predicate)
 * of the chosen platform manifest, or of the index with `--index`. With `--verify --key PUB` the attestation must
 * verify first (exit 3 if not).
 */
export async function attestGetCommand(args: AttestGetArgs, io: CliIO): Promise<ExitStatus> {
  if (args.verify && args.key === undefined) fail('USAGE', '--verify needs --key with a public key');
  const { sink, target } = await openTarget(args.image, io);
  const manifests = args.index === true ? [indexOf(args, target)] : selectPlatforms(target, args.platform);
  if (manifests.length > 1) {
    fail('USAGE', `${args.image} has ${manifests.length} platforms; choose one with --platform`, {
      hint: `platforms: ${manifests.map(platformLabel).join(', ')}`,
    });
  }
  const manifest = manifests[0]!;
  const publicKey = args.key === undefined ? undefined : await loadPublicKeyFile(args.key, io);
  const candidates = (await collectEvidence(sink, manifest.digest)).filter(
    (e): e is Extract<Evidence, { kind: 'attestation' | 'cosign-attestation' }> =>
      (e.kind === 'attestation' || e.kind === 'cosign-attestation') &&
      (e.predicateType === undefined || e.predicateType === args.predicateType),
  );
  let statement: Statement<unknown> | undefined;
  let failure: unknown;
  // Newest first: referrers are appended to the layout's index as they are added.
  for (const e of candidates.reverse()) {
    try {
      statement = args.verify
        ? verifyAttestationEvidence(e, publicKey!, {
            subjectDigest: manifest.digest,
            predicateType: args.predicateType,
          }).statement
        : unverifiedStatement(e);
      if (statement.predicateType === args.predicateType) break;
      statement = undefined;
    } catch (err) {
      failure = err;
    }
  }
  if (statement === undefined) {
    if (failure !== undefined) throw failure;
    fail('NOT_FOUND', `${args.image} (${platformLabel(manifest)}) has no ${args.predicateType} attestation`, {
      hint: `see what is attached with: ironclad attest list ${args.image}`,
    });
  }
  if (!args.verify) io.log.warn('printing an attestation whose signature was not checked (add --verify --key)');
  io.stdout(JSON.stringify(args.predicate ? statement.predicate : statement, null, 2));
  return 0;
}

/** The index of `--index`. @throws USAGE with --platform, or when the image is a single manifest. */
function indexOf(args: AttestGetArgs, target: OpenedTarget['target']): Descriptor {
  if (args.platform !== undefined) fail('USAGE', '--index and --platform name different subjects: give one');
  if (target.platforms[0]?.digest === target.top.digest) {
    fail('USAGE', `${args.image} is a single manifest, not an index`, { hint: 'leave out --index' });
  }
  return target.top;
}

async function readPredicate(path: string): Promise<unknown> {
  const st = await stat(path).catch((cause: unknown) => fail('NOT_FOUND', `cannot read ${path}`, { cause }));
  if (st.size > MAX_PREDICATE_BYTES) fail('INVALID_INPUT', `${path}: larger than ${MAX_PREDICATE_BYTES} bytes`);
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    return fail('INVALID_INPUT', `${path}: not JSON`, { cause });
  }
}

export const registerAttest: VerbRegistrar = (program: Command, io, run) => {
  const attest = program
    .command('attest')
    .summary('attach signed attestations to an image, list and read them')
    .description(
      'Wraps a predicate (JSON) in an in-toto Statement v1 naming the image index (when there is one) and, in one ' +
        'statement each, every platform manifest, signs it (DSSE in a sigstore bundle v0.3) and stores it beside ' +
        'that digest as an OCI 1.1 referrer and in cosign’s sha256-<digest>.att tag (see --signature-format).',
    )
    .argument(
      '[image]',
      'image in the local store (name:tag), an OCI layout (oci:DIR[:TAG]) or a registry (docker://HOST/REPO:TAG)',
    )
    .option('--predicate <file>', 'the predicate JSON document')
    .option('--type <uri>', 'predicate type, e.g. https://openvex.dev/ns/v0.2.0')
    .option('--key <file>', 'private key')
    .option('--platform <os/arch>', 'attest only this platform manifest (not the index)')
    .option('--signature-format <format>', SIGNATURE_FORMAT_HELP, 'both')
    .option('--format <format>', 'text or json (of the attestations attached)', 'text')
    // `attest get --predicate` is a flag, `attest --predicate FILE` an argument: options belong to the verb they follow.
    .enablePositionalOptions()
    .addHelpText(
      'after',
      `
Examples:
  ironclad attest python:3.11 --predicate vex.json --type https://openvex.dev/ns/v0.2.0 --key ironclad.key
  ironclad attest oci:out:3.11 --predicate p.json --type https://example.com/p/v1 --key k.key --signature-format tags
  ironclad attest oci:out:3.11 --predicate p.json --type https://example.com/p/v1 --key k.key --format json
  ironclad attest list python:3.11
  ironclad attest get python:3.11 --predicate-type https://slsa.dev/provenance/v1 --verify --key ironclad.pub`,
    )
    .action((image: string | undefined, opts: Partial<Omit<AttestArgs, 'image'>>) => {
      if (image === undefined || opts.predicate === undefined || opts.type === undefined || opts.key === undefined) {
        run(Promise.reject(new IroncladError('USAGE', 'attest needs <image> --predicate FILE --type URI --key KEY')));
        return;
      }
      const { predicate, type, key } = opts;
      const format = opts.signatureFormat === undefined ? {} : { signatureFormat: opts.signatureFormat };
      const output = opts.format === undefined ? {} : { format: opts.format };
      run(attestCommand({ image, predicate, type, key, ...platform(opts), ...format, ...output }, io));
    });
  attest
    .command('list')
    .description('List signatures and attestations attached to an image')
    .argument('<image>', 'image reference')
    .option('--format <format>', 'table or json', 'table')
    .addHelpText(
      'after',
      `
Examples:
  ironclad attest list python:3.11
  ironclad attest list docker://registry.example.com/team/python:3.11 --format json`,
    )
    .exitOverride()
    .action((image: string, opts: { format: string }) => run(attestListCommand({ image, format: opts.format }, io)));
  attest
    .command('get')
    .description('Print an attestation statement (or only its predicate)')
    .argument('<image>', 'image reference')
    .requiredOption('--predicate-type <uri>', 'which attestation')
    .option('--predicate', 'print only the predicate', false)
    .option('--verify', 'verify the signature, subject and type first (needs --key)', false)
    .option('--key <file>', 'public key for --verify')
    .option('--platform <os/arch>', 'which platform manifest (needed for multi-platform images)')
    .option('--index', 'the attestation about the image index itself (what admission controllers check for a tag)')
    .addHelpText(
      'after',
      `
Examples:
  ironclad attest get python:3.11 --predicate-type https://slsa.dev/provenance/v1 --platform linux/amd64
  ironclad attest get python:3.11 --predicate-type https://spdx.dev/Document --predicate > sbom.spdx.json
  ironclad attest get oci:./out:3.11 --predicate-type https://slsa.dev/provenance/v1 --verify --key ironclad.pub
  ironclad attest get python:3.11 --predicate-type https://spdx.dev/Document --index --verify --key ironclad.pub`,
    )
    .exitOverride()
    .action((image: string, opts: Omit<AttestGetArgs, 'image'>) => run(attestGetCommand({ image, ...opts }, io)));
};

function platform(opts: { platform?: string | undefined }): { platform?: string } {
  return opts.platform === undefined ? {} : { platform: opts.platform };
}
