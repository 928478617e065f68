export type { ArMember } from './ar.ts';
export { readArMembers } from './ar.ts';
export type { ExpectedContent } from './archive-cache.ts';
export { cachedFile, cachePath } from './archive-cache.ts';
export type { Archive, ArchiveSuite, OpenArchiveOptions } from './archive-client.ts';
export { MAX_PACKAGES_INDEX_BYTES, openArchive, toLockedSuite } from './archive-client.ts';
export type { ControlParagraph, ControlParseOptions } from './control.ts';
export {
  DEFAULT_MAX_CONTROL_LENGTH,
  iterateParagraphs,
  parseControl,
  parseSingleParagraph,
  serializeParagraph,
  serializeParagraphs,
} from './control.ts';
export type { ReadDebOptions } from './deb-reader.ts';
export { parseMd5sums, readDeb } from './deb-reader.ts';
export { normalizeArchivePath } from './deb-tar.ts';
export type { DebCompression, DebContents, DebEntry, DebEntryType, DebLimits } from './deb-types.ts';
export { DEFAULT_DEB_LIMITS } from './deb-types.ts';
export type { Distro, DistroRepository, DistroSigningKey, LoadDistroOptions } from './distro.ts';
export { DISTROS_DIR, DistroFile, listDistros, loadDistro, parseDistroFile } from './distro.ts';
export type { VerifiedRelease, VerifyInReleaseOptions } from './inrelease.ts';
export { verifyInRelease } from './inrelease.ts';
export type { TrustedKeys } from './keyring.ts';
export { loadTrustedKeys, normalizeFingerprint, trustedKeysFrom } from './keyring.ts';
export type { FetchDebsOptions, PackageFileRef } from './package-download.ts';
export { fetchDebs, fetchPackageFile } from './package-download.ts';
export type { PackagesIndexOrigin } from './packages-index.ts';
export { packageEntryFromParagraph, parsePackagesIndex } from './packages-index.ts';
export { debianArchitecture } from './platform.ts';
export type { RelationParseOptions } from './relations.ts';
export {
  archMatches,
  formatDependencyGroup,
  formatRelation,
  parseDependencies,
  parseProvides,
  parseRelationList,
} from './relations.ts';
export type { ReleaseFile, ReleaseFileEntry } from './release.ts';
export { parseRelease, parseReleaseDate } from './release.ts';
export type { DependencyReason, ExcludedDependency, Resolution, ResolveRequest } from './resolver.ts';
export { resolveClosure } from './resolver.ts';
export type { DependencyGroup, PackageEntry, Relation, RelationOp } from './types.ts';
export type { Provider, Universe, UniverseOptions } from './universe.ts';
export { archSatisfies, buildUniverse, provideSatisfies, versionSatisfies } from './universe.ts';
export type { DebianVersion } from './version.ts';
export {
  compareParsedVersions,
  compareVersions,
  formatVersion,
  isValidVersion,
  parseVersion,
  satisfies,
} from './version.ts';
export { whyPaths } from './why.ts';
