import type { Command } from 'commander';
import { type EvidenceEntry, type ImageVerification, REQUIREMENTS, verifyImage } from '../attest/index.ts';
import { fail, outputSchema } from '../core/index.ts';
import { checkImageBlobs, type IntegrityResult } from '../oci/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { loadPublicKeyFile, openTarget } from './image-target.ts';
import type { CliIO, ExitStatus } from './io.ts';
import { textOrJson } from './output-format.ts';

/** What `verify` requires when `--require` is not given: what `build --key` always attaches. */
export const DEFAULT_REQUIRE = 'provenance,sbom';

/** The version of `verify --format json` output; bumped when a field changes meaning or goes away. */
export const VERIFY_SCHEMA = outputSchema('verify');

export interface VerifyArgs {
  readonly image: string;
  /** Required; optional here so that its absence gets a hint rather than only commander's message. */
  readonly key?: string;
  readonly require: string;
  readonly format: string;
  readonly allowInvalidExtra?: boolean;
  /** Also hash every layer blob, not only the index, manifests and configs. */
  readonly deep?: boolean;
}

/**
 * `ironclad verify`: lists every signature and attestation on the index and the platform manifests, each ok or
 * FAILED with its reason, then the required checks. Exit 0 only when the requirements are met and nothing FAILED
 * (or `--allow-invalid-extra`), else 3 with the failed checks and entries named on stderr.
 */
export async function verifyCommand(args: VerifyArgs, io: CliIO): Promise<ExitStatus> {
  textOrJson(args.format);
  const require = parseRequire(args.require);
  if (args.key === undefined) {
    fail('USAGE', 'verify needs the public key the image was signed with: --key FILE', {
      hint: `e.g. ironclad verify ${args.image} --key ironclad.pub (ironclad keygen writes a key pair; cosign's public keys work too)`,
    });
  }
  const publicKey = await loadPublicKeyFile(args.key, io);
  const { sink, target, blobs } = await openTarget(args.image, io);
  const allowInvalidExtra = args.allowInvalidExtra === true;
  const signed = await verifyImage(sink, target, publicKey, { require, allowInvalidExtra });
  // A signature covers a digest, not the bytes a store holds under it: hash what is vouched for.
  const integrity = await checkImageBlobs(blobs, target.top, { deep: args.deep === true });
  const report = { ...signed, ok: signed.ok && integrity.problems.length === 0, integrity };
  io.stdout(
    args.format === 'json'
      ? JSON.stringify({ schema: VERIFY_SCHEMA, image: args.image, ...report }, null, 2)
      : renderText(report),
  );
  const badEntries = report.entries.filter((e) => !e.ok);
  if (badEntries.length > 0 && allowInvalidExtra && report.ok) {
    io.stderr(`warning: ${badEntries.length} FAILED signature(s)/attestation(s) allowed by --allow-invalid-extra`);
  }
  if (report.ok) return 0;
  const failed = [
    ...report.checks.filter((c) => !c.ok).map((c) => `${c.check}${c.platform ? ` (${c.platform})` : ''}`),
    ...integrity.problems.map((p) => `${p.problem} ${p.role} ${p.digest}`),
  ];
  const entries = allowInvalidExtra ? [] : badEntries.map((e) => `FAILED ${describeEntry(e)} (${e.reason})`);
  io.stderr(`error: verification failed: ${[...failed, ...entries].join(', ')}`);
  if (entries.length > 0 && failed.length === 0) {
    io.stderr(
      'hint: a signature or attestation attached to this image does not verify; remove it, or pass ' +
        '--allow-invalid-extra to accept the image on the valid ones',
    );
  }
  return 3;
}

/**
 * `attestation https://slsa.dev/provenance/v1 on linux/amd64 sha256:…`: what an entry is, for one line; an entry
 * found in cosign's tags rather than as an OCI referrer ends `via cosign tag sha256-<hex>.att`.
 */
function describeEntry(e: EvidenceEntry): string {
  const what = e.kind === 'attestation' ? `attestation ${e.predicateType ?? '(unknown type)'}` : e.kind;
  const via = e.form === 'cosign-tag' ? ` via cosign tag ${e.tag ?? ''}` : '';
  return `${what} on ${e.platform ?? 'the index'} ${e.referrer}${via}`;
}

/** Which storage forms the entries came from, for the summary line. */
function formsFound(entries: readonly EvidenceEntry[]): string {
  const forms = new Set(entries.map((e) => e.form));
  const names = [forms.has('referrer') ? 'OCI referrers' : '', forms.has('cosign-tag') ? 'cosign tags' : ''];
  return names.filter((n) => n !== '').join(' and ') || 'none';
}

/** `--require a,b` → names; `none` (or empty) requires only the signature. */
function parseRequire(text: string): string[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'none');
  return [...new Set(items)];
}

function renderText(r: ImageVerification & { integrity: IntegrityResult }): string {
  const lines = ['signatures and attestations found:'];
  if (r.entries.length === 0) lines.push('  (none)');
  for (const e of r.entries) {
    const verdict = e.ok ? 'ok    ' : 'FAILED';
    const why = e.ok ? '' : `  ${e.reason}: ${e.detail}`;
    lines.push(`  ${verdict}  ${describeEntry(e)}${why}`);
  }
  lines.push(`found in: ${formsFound(r.entries)}`);
  lines.push('requirements:');
  for (const c of r.checks) {
    const where = c.platform === undefined ? '' : ` ${c.platform}`;
    lines.push(`  ${c.ok ? 'ok    ' : 'FAILED'}  ${c.check}${where}  ${c.subject.slice(0, 19)}  ${c.detail}`);
  }
  const scope = r.integrity.problems.length === 0 ? `${r.integrity.checked} blobs intact` : 'FAILED';
  lines.push(`integrity: ${scope}`);
  for (const p of r.integrity.problems) lines.push(`  FAILED  ${p.role} ${p.digest}: ${p.problem} (${p.detail})`);
  lines.push(r.ok ? 'verified' : 'NOT verified');
  return lines.join('\n');
}

export const registerVerify: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('verify')
    .summary('verify an image signature and its required attestations with a public key')
    .description(
      'Lists every signature and attestation attached to the index and to each platform manifest, each ok or ' +
        'FAILED with the reason (bad signature, wrong key, subject mismatch, type mismatch, corrupt blob, missing ' +
        'blob, unparsable). Then checks that the image (its index, or each platform manifest) is signed with the ' +
        'key, and that each platform manifest has every required attestation, signed with the key, naming that ' +
        'manifest and having the required predicate type. Exit status 3 when a requirement is not met or any ' +
        'entry FAILED (even if another valid one meets the requirement), unless --allow-invalid-extra. ' +
        'The index, manifests and configs vouched for are hashed against their digests (layers too with --deep); ' +
        'a missing or corrupt blob fails the result.',
    )
    .argument(
      '<image>',
      'image in the local store (name:tag), an OCI layout (oci:DIR[:TAG]) or a registry (docker://HOST/REPO:TAG)',
    )
    .option('--key <file>', 'public key (PEM); required')
    .option(
      '--require <list>',
      `comma-separated: ${Object.keys(REQUIREMENTS).join(', ')}, predicate type URIs, or none`,
      DEFAULT_REQUIRE,
    )
    .option(
      '--allow-invalid-extra',
      'accept the image when the requirements are met by valid evidence, though other entries FAILED (still listed)',
    )
    .option('--deep', 'also hash every layer blob (the index, manifests and configs are always hashed)')
    .option('--format <format>', `text or json (schema ${VERIFY_SCHEMA})`, 'text')
    .addHelpText(
      'after',
      `
Examples:
  ironclad verify python:3.11 --key ironclad.pub
  ironclad verify oci:./out:3.11 --key ironclad.pub --require provenance,sbom,vex,tests --format json
  ironclad verify docker://registry.example.com/team/python:3.11 --key ironclad.pub
  ironclad verify python:3.11 --key ironclad.pub --allow-invalid-extra
  ironclad verify python:3.11 --key ironclad.pub --deep   # also hash every layer blob`,
    )
    .action((image: string, opts: Omit<VerifyArgs, 'image'>) => run(verifyCommand({ image, ...opts }, io)));
};
