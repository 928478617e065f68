/**
 * The maintenance loop: re-lock every image against the verified archive, say what moved and which known
 * vulnerabilities that fixes, rebuild only what changed, and keep a history of every digest each tag had.
 */
export { describeMove, type PackageMove } from './moves.ts';
export {
  type PlannedImage,
  type PlannedVariant,
  planUpdate,
  type RebuildReason,
  type UpdatePlanOptions,
} from './plan.ts';
export type { VulnDelta, VulnRef } from './vulns.ts';
