import type { Command } from 'commander';
import { jsonOutput } from '../core/index.ts';
import { type ImageInspection, inspectImage } from '../image/index.ts';
import type { VerbRegistrar } from './commands.ts';
import type { CliIO, ExitStatus } from './io.ts';
import { textOrJson } from './output-format.ts';
import { openSource, platformOption } from './source.ts';
import { formatBytes } from './table.ts';

export async function inspectCommand(
  ref: string,
  args: { format: string; platform?: string },
  io: CliIO,
): Promise<ExitStatus> {
  textOrJson(args.format);
  const result = await inspectImage(openSource(ref, io), platformOption(args.platform));
  io.stdout(args.format === 'json' ? jsonOutput('inspect', { image: ref, ...result }) : renderInspection(result));
  return 0;
}

function renderInspection(r: ImageInspection): string {
  const out = [`${r.ref}`, `  ${r.top.mediaType}`, `  digest: ${r.top.digest}`];
  for (const p of r.platforms) {
    const c = p.config.config ?? {};
    out.push('', `${p.platform}  manifest ${p.manifest.digest}  ${formatBytes(p.compressedSize)} compressed`);
    out.push(`  user:        ${c.User ?? '(root)'}`);
    out.push(`  entrypoint:  ${JSON.stringify(c.Entrypoint ?? [])}`);
    out.push(`  cmd:         ${JSON.stringify(c.Cmd ?? [])}`);
    out.push(`  workdir:     ${c.WorkingDir ?? '/'}`);
    out.push(`  created:     ${p.config.created ?? ''}`);
    out.push('  env:');
    for (const e of c.Env ?? []) out.push(`    ${e}`);
    out.push('  labels:');
    for (const [k, v] of Object.entries(c.Labels ?? {}).sort()) out.push(`    ${k}=${v}`);
    out.push(`  layers (${p.layers.length}):`);
    for (const l of p.layers) {
      out.push(
        `    ${l.descriptor.digest.slice(7, 19)}  ${formatBytes(l.descriptor.size).padStart(9)}  ${l.createdBy ?? ''}`,
      );
    }
  }
  if (r.referrers.length > 0) {
    out.push('', `referrers (${r.referrers.length}):`);
    for (const d of r.referrers) out.push(`  ${d.digest.slice(7, 19)}  ${d.artifactType ?? d.mediaType}`);
  }
  return out.join('\n');
}

export const registerInspect: VerbRegistrar = (program: Command, io, run) => {
  program
    .command('inspect')
    .summary('show an image: index, each platform config, layers and their packages')
    .argument('<image-ref>', 'python:3.11, oci:DIR[:TAG], docker-archive:FILE or docker://HOST/REPO:TAG')
    .option('--platform <os/arch>', 'only this platform')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      '\nExamples:\n  ironclad inspect python:3.11\n  ironclad inspect oci:out:3.11 --platform linux/arm64 --format json',
    )
    .action((ref: string, opts: { format: string; platform?: string }) => run(inspectCommand(ref, opts, io)));
};
