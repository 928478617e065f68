/**
 * The maintenance loop: re-lock every image against the verified archive, say what moved and which known
 * vulnerabilities that fixes, rebuild only what changed, and keep a history of every digest each tag had.
 */
export {
  CHANGELOG_ARTIFACT_TYPE,
  CHANGELOG_JSON_MEDIA_TYPE,
  CHANGELOG_MARKDOWN_MEDIA_TYPE,
  type Changelog,
  describeBaseMove,
} from './changelog.ts';
export {
  forgetHistory,
  HISTORY_PIN_ANNOTATION,
  type HistoryEntry,
  type HistoryFile,
  readHistory,
} from './history.ts';
export { type BuildJob, type JobPlan, type JobPlanOptions, type PublishJob, planJobs } from './job-plan.ts';
export { withUpdateLock } from './lock.ts';
export { describeMove, type PackageMove } from './moves.ts';
export {
  type PlannedImage,
  type PlannedVariant,
  planUpdate,
  type RebuildReason,
  type UpdatePlanOptions,
} from './plan.ts';
export { type ImageOutcome, runUpdate, type UpdateRunOptions, type VariantOutcome } from './run.ts';
export {
  type FixableSinceBasis,
  type FixableVuln,
  type FleetStatus,
  fleetStatus,
  type StatusOptions,
  type VariantStatus,
} from './status.ts';
export type { VulnDelta, VulnRef } from './vulns.ts';
