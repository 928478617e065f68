import type { Command } from 'commander';
import { fail, jsonOutput } from '../core/index.ts';
import { formatImageRef, parseImageRef } from '../oci/index.ts';
import { type MirrorReport, mirror, registryAccess } from '../registry/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { type RegistryRef, requireRegistry } from './copy-endpoints.ts';
import { copyReportJson, type ReportFormat, reportFormat } from './copy-report.ts';
import { type CliIO, type ExitStatus, stageContext } from './io.ts';
import { registrySettings } from './source.ts';
import { formatBytes, renderTable } from './table.ts';

interface MirrorArgs {
  tags: string;
  referrers: boolean;
  insecure?: boolean;
  format: string;
}

/** A repository argument: a registry reference without tag or digest (tags are chosen with --tags). */
function repository(text: string, role: string): RegistryRef {
  const ref = requireRegistry(parseImageRef(text), role);
  if (ref.tag !== undefined || ref.digest !== undefined) {
    fail('USAGE', `${role} names a repository, not an image: ${text}`, {
      hint: 'drop the :TAG or @DIGEST and choose tags with --tags GLOB',
    });
  }
  return ref;
}

/**
 * Copies every tag of one repository matching a glob into another, with all platforms and (by default) every
 * referrer. Tags are copied one after another in lexical order; a rerun skips what is already there.
 */
export async function mirrorCommand(source: string, target: string, args: MirrorArgs, io: CliIO): Promise<ExitStatus> {
  const format = reportFormat(args.format);
  const src = repository(source, 'the mirror source');
  const dst = repository(target, 'the mirror destination');
  const ctx = stageContext(io);
  const access = registryAccess(registrySettings(io, args.insecure === true), ctx);
  const report = await mirror(
    { client: await access.client(src.host), repo: src.repo },
    { client: await access.client(dst.host), repo: dst.repo },
    { tags: args.tags, referrers: args.referrers },
    ctx,
  );
  io.stdout(renderMirror(format, formatImageRef(src), formatImageRef(dst), args.tags, report));
  return 0;
}

function renderMirror(format: ReportFormat, src: string, dst: string, glob: string, r: MirrorReport): string {
  if (format === 'json') {
    const tags = r.tags.map((t) => ({ tag: t.tag, ...copyReportJson(`${src}:${t.tag}`, `${dst}:${t.tag}`, t.report) }));
    return jsonOutput('mirror', { source: src, destination: dst, pattern: glob, tags });
  }
  if (r.tags.length === 0) return `no tag of ${src} matches ${JSON.stringify(glob)}; nothing mirrored`;
  const rows = r.tags.map(({ tag, report }) => [
    tag,
    report.descriptor.digest.slice(7, 19),
    String(report.transferred.length),
    formatBytes(report.bytesTransferred),
    String(report.skipped.length),
  ]);
  const bytes = r.tags.reduce((n, t) => n + t.report.bytesTransferred, 0);
  return [
    renderTable(['TAG', 'DIGEST', 'TRANSFERRED', 'BYTES', 'PRESENT'], rows, [2, 3, 4]),
    '',
    `mirrored ${r.tags.length} tag${r.tags.length === 1 ? '' : 's'} from ${src} to ${dst} (${formatBytes(bytes)} transferred)`,
  ].join('\n');
}

export const registerMirror: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('mirror')
    .summary('copy the tags of a repository, with every platform and referrer, to another repository')
    .argument('<src-repo>', 'docker://HOST/REPO or HOST/REPO')
    .argument('<dst-repo>', 'docker://HOST/REPO or HOST/REPO (same or another registry)')
    .option('--tags <glob>', 'only tags matching this pattern (* and ?)', '*')
    .option('--no-referrers', 'do not copy SBOMs, signatures and attestations')
    .option('--insecure', 'use plain http for the registries (loopback hosts always do)')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      [
        '',
        'Referrers-tag-schema tags (sha256-…) are not mirrored as tags: the referrers come along with their images.',
        '',
        'Examples:',
        '  ironclad mirror docker://ghcr.io/acme/python docker://registry.internal/mirror/python',
        "  ironclad mirror ghcr.io/acme/python registry.internal/python --tags '3.11*' --format json",
      ].join('\n'),
    )
    .action((src: string, dst: string, opts: MirrorArgs) => run(mirrorCommand(src, dst, opts, io)));
};
