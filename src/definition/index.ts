export type { DefinitionGroup, DefinitionUser } from './accounts-schema.ts';
export { documentDigest } from './canonical.ts';
export type { CatalogInfo } from './catalog-info.ts';
export type { PackageSpec } from './fields.ts';
export { BUILTIN_ACCOUNTS, BUILTIN_GROUPS, parseNumericUser, parseSize } from './fields.ts';
export { DEFINITION_SCHEMA_PATH, definitionJsonSchemaText } from './json-schema.ts';
export type { LoadedDefinition } from './load.ts';
export { DEFINITION_FILE, loadDefinition, MAX_DEFINITION_BYTES, parseDefinition } from './load.ts';
export {
  assertLockFresh,
  isLockStale,
  LOCKFILE_NAME,
  lockPathFor,
  MAX_LOCKFILE_BYTES,
  parseLockfile,
  readLockfile,
  serializeLockfile,
  writeLockfile,
} from './lockfile.ts';
export type { LockedPackage, LockedPlatform, LockedSuite, LockedVariant, Lockfile } from './lockfile-types.ts';
export type { PathSpec } from './paths-schema.ts';
export type { DefinitionAccounts, DefinitionPath, VariantOverlay } from './schema.ts';
export { Definition } from './schema.ts';
export type { CommandTest, DefinitionTest, ServiceProbe, ServiceTest } from './tests-schema.ts';
export type { ImageVariant } from './variants.ts';
export { expandVariants, RUNTIME_VARIANT, selectVariants } from './variants.ts';
