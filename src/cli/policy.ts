import { resolve } from 'node:path';
import type { Command } from 'commander';
import { REQUIREMENTS } from '../attest/index.ts';
import { writeFileAtomic } from '../core/index.ts';
import { ADMISSION_CONTROLLERS, exportAdmissionPolicy } from '../policy/index.ts';
import type { VerbRegistrar } from './commands.ts';
import { loadPublicKeyFile } from './image-target.ts';
import type { CliIO, ExitStatus } from './io.ts';

export const DEFAULT_POLICY_NAME = 'ironclad-images';

export interface PolicyExportArgs {
  readonly controller: string;
  readonly key: string;
  readonly images: readonly string[];
  readonly require?: string;
  readonly name?: string;
  readonly out?: string;
}

/**
 * `ironclad policy export CONTROLLER`: the admission policy as YAML on stdout, or written atomically to `--out`
 * (readers see the old file or the whole new one). Nothing is applied to a cluster.
 */
export async function policyExportCommand(args: PolicyExportArgs, io: CliIO): Promise<ExitStatus> {
  const publicKey = await loadPublicKeyFile(args.key, io);
  const require = splitList(args.require === undefined ? [] : [args.require]).filter((r) => r !== 'none');
  const yaml = exportAdmissionPolicy(args.controller, {
    name: args.name ?? DEFAULT_POLICY_NAME,
    publicKey,
    images: splitList(args.images),
    require,
  });
  if (args.out === undefined) {
    io.stdout(yaml);
    return 0;
  }
  const path = resolve(io.cwd, args.out);
  await writeFileAtomic(path, yaml);
  io.log.info(`wrote ${args.controller} policy to ${path}`);
  return 0;
}

/** `a,b` and repeated flags alike → trimmed, non-empty items. */
function splitList(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const EXAMPLES = `
Examples:
  $ ironclad policy export kyverno --key ironclad.pub --images 'registry.example.com/team/*' > policy.yaml
  $ ironclad policy export sigstore-policy-controller --key ironclad.pub \\
      --images 'registry.example.com/team/**' --require provenance,sbom --out cip.yaml
  $ kubectl apply -f policy.yaml

Image patterns use each controller's syntax: Kyverno's '*' matches any characters, policy-controller's '*' stays
within one path segment and '**' crosses them. Both verifiers read cosign's sha256-<digest>.sig/.att tags; see
docs/admission.md for what each checks and how multi-platform images are verified.`;

export const registerPolicy: VerbRegistrar = (program: Command, io: CliIO, run) => {
  const policy = program
    .command('policy')
    .description('Export Kubernetes admission policies that admit only images signed with an Ironclad key')
    .addHelpText('after', EXAMPLES);
  policy
    .command('export')
    .description(
      'Write a Kyverno ClusterPolicy or Sigstore policy-controller ClusterImagePolicy (YAML for kubectl apply) that ' +
        'admits pods only when their images matching the patterns are signed with the key and carry the required ' +
        'signed attestations.',
    )
    .argument('<controller>', ADMISSION_CONTROLLERS.join(' or '))
    .requiredOption('--key <file>', 'public key (PEM) the signatures and attestations must verify with')
    .requiredOption('--images <patterns...>', "image patterns the policy covers, e.g. 'registry.example.com/team/*'")
    .option(
      '--require <list>',
      `attestations to require, comma-separated: ${Object.keys(REQUIREMENTS).join(', ')}, predicate type URIs, or none`,
    )
    .option('--name <name>', 'name of the policy object', DEFAULT_POLICY_NAME)
    .option('--out <file>', 'write the policy to this file (atomically) instead of stdout')
    .addHelpText('after', EXAMPLES)
    .action((controller: string, opts: Omit<PolicyExportArgs, 'controller'>) =>
      run(policyExportCommand({ controller, ...opts }, io)),
    );
  for (const c of policy.commands) c.exitOverride();
};
