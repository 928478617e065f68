export { documentDigest } from './canonical.ts';
export { buildRelevant } from './catalog-info.ts';
export { BUILTIN_ACCOUNTS, BUILTIN_GROUPS, parseNumericUser } from './fields.ts';
export type { ImageBase, ImageBasePlatform, ImageBaseRef, ImageBaseResolver } from './image-base.ts';
export type { LoadedDefinition, LoadOptions } from './load.ts';
export { DEFINITION_FILE, loadDefinition } from './load.ts';
export { assertLockFresh, isLockStale, lockPathFor, readLockfile, writeLockfile } from './lockfile.ts';
export type { LockedPackage, LockedPlatform, LockedSuite, LockedVariant, Lockfile } from './lockfile-types.ts';
export { repoRelativePath, repositoryRoot } from './repository-path.ts';
export type { CommandTest, DefinitionTest, ServiceProbe, ServiceTest } from './tests-schema.ts';
export type { ImageVariant } from './variants.ts';
export {
  ARBITRARY_UID_LABEL,
  DEFINITION_LABELS,
  expandVariants,
  inBuildOrder,
  probedVariants,
  READ_ONLY_ROOT_LABEL,
  RUNTIME_VARIANT,
  selectVariants,
} from './variants.ts';
