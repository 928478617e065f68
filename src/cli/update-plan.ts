import { jsonOutput } from '../core/index.ts';
import { repoRelativePath } from '../definition/index.ts';
import { type JobPlan, type PlannedImage, planJobs } from '../update/index.ts';
import type { CliIO, ExitStatus } from './io.ts';
import { renderTable } from './table.ts';

export interface PlanArgs {
  readonly format: string;
  /** Plan every variant, not only those whose lock moved or that are not built. */
  readonly all?: boolean;
  readonly cacheFrom?: string;
  /** `HOST/PREFIX`, already checked as `update --registry` checks it. */
  readonly registry?: string;
}

/** `update --plan`: the rebuild as independent jobs (image × variant × platform) for a CI matrix or Indexed Job. */
export function printJobPlan(plan: readonly PlannedImage[], args: PlanArgs, io: CliIO): ExitStatus {
  const jobs = planJobs(plan, {
    ...(args.all === true && { all: true }),
    ...(args.cacheFrom !== undefined && { cacheFrom: args.cacheFrom }),
    ...(args.registry !== undefined && { registry: args.registry }),
    definitionPath: (image) => repoRelativePath(image.loaded.path, io.cwd),
  });
  io.stdout(args.format === 'json' ? jsonOutput('update-plan', jobs) : renderJobs(jobs));
  return 0;
}

function renderJobs(plan: JobPlan): string {
  if (plan.jobs.length === 0) return 'nothing to build: every lock is current and every image is built';
  const rows = plan.jobs.map((j) => [
    String(j.wave),
    j.id,
    j.reason,
    j.needs.join(',') || '-',
    `ironclad ${j.args.join(' ')}`,
  ]);
  const publish = plan.publish.map(
    (p) => `  ${p.id}: ironclad ${p.args.join(' ')}${p.push.map((a) => ` && ironclad ${a.join(' ')}`).join('')}`,
  );
  return [
    renderTable(['WAVE', 'JOB', 'REASON', 'NEEDS', 'RUNS'], rows),
    '',
    'then, per image variant:',
    ...publish,
  ].join('\n');
}
