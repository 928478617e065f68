/**
 * The compare stage: what differs between two images (any transport, ours or not): overview, attack surface,
 * environment, labels and packages with their vulnerabilities; and its text, Markdown and JSON renderings.
 */

export {
  collectAttackSurface,
  diffAttackSurface,
  diffList,
  type SurfaceFs,
} from './attack-surface.ts';
export { type CompareOptions, compareImages } from './compare.ts';
export { EXIT_ON_CONDITIONS, type ExitOnCondition, exitOnReasons, parseExitOn } from './exit-on.ts';
export { diffKeyValues, envRecord } from './kv-diff.ts';
export { CHANGE_MARKER, type DiffPackage, diffPackages } from './packages-diff.ts';
export type { RenderOptions } from './render-common.ts';
export { renderCompareJson } from './render-json.ts';
export { renderCompareMarkdown } from './render-markdown.ts';
export { renderCompareText } from './render-text.ts';
export type {
  AttackSurface,
  AttackSurfaceDelta,
  CompareResult,
  FoundProgram,
  ImageOverview,
  KeyChange,
  KeyValueChange,
  ListDelta,
  LoginUser,
  PackageChange,
  PackageChangeKind,
  PackageSide,
  Provenance,
  SpecialFile,
  VulnerabilityDelta,
  VulnerabilitySummary,
  WritableDir,
} from './types.ts';
export { COMPARE_SCHEMA } from './types.ts';
