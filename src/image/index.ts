export { ADVISORIES_FILE } from './advisories-vex.ts';
export type { AssembleInput, AssembleOptions } from './assemble.ts';
export { assemble } from './assemble.ts';
export type { BuildOptions, BuildResult, BuiltImage } from './build.ts';
export { buildImages } from './build.ts';
export type { PlatformBuild, PlatformBuildInput } from './build-platform.ts';
export { buildPlatform } from './build-platform.ts';
export type { CacheEntryProblem, CacheKindReport, CacheVerifyReport } from './cache-verify.ts';
export { verifyCaches } from './cache-verify.ts';
export type { FileNode, FileTree, ModeChange, StrippedPath, TreePackage } from './file-tree.ts';
export { resolveLinkTarget, withSynthesized } from './file-tree.ts';
export type { ImageInspection, PlatformInspection } from './inspect.ts';
export { inspectImage } from './inspect.ts';
export type { LayerPlan, PackageGroup } from './layers-plan.ts';
export { DEFAULT_MAX_LAYERS, groupPackages, SYNTHESIZED_GROUP, treeToLayers } from './layers-plan.ts';
export type { LockedTarget, LockOptions, LockPlan } from './lock.ts';
export { planLock } from './lock.ts';
export type { LockChange } from './lock-diff.ts';
export { describeLockChange, diffLocks } from './lock-diff.ts';
export { MERGED_USR_DIRS, mergedUsrLinks } from './merged-usr.ts';
export { CYCLONEDX_MEDIA_TYPE, SPDX_MEDIA_TYPE } from './sbom-referrers.ts';
export type { StoreImage } from './store.ts';
export { listStoreImages, removeStoreImages } from './store.ts';
export type { StoreEntryReport, StoreVerifyReport } from './store-verify.ts';
export { verifyStore } from './store-verify.ts';
export { isStripped } from './strip.ts';
export type { AptRepository } from './synthesize/apt-sources.ts';
export { APT_ACCOUNT, aptNodes, archiveKeyring, DEBIAN_SOURCES, debianSourcesText } from './synthesize/apt-sources.ts';
export { CA_BUNDLE_PATH, caBundle } from './synthesize/ca-certificates.ts';
export type { Conffile, DpkgDatabaseOptions } from './synthesize/dpkg-database.ts';
export {
  conffilesOf,
  DPKG_STATUS,
  dpkgDatabaseNodes,
  dpkgStatusStanza,
  fileListText,
  infoMd5sumsText,
  infoName,
} from './synthesize/dpkg-database.ts';
export { groupText } from './synthesize/group.ts';
export { lockDirNodes } from './synthesize/lock-dir.ts';
export { NSSWITCH_CONF } from './synthesize/nsswitch.ts';
export type { DistroRelease } from './synthesize/os-release.ts';
export { DEBIAN_URLS, osReleaseText } from './synthesize/os-release.ts';
export type { Account, VariantKind } from './synthesize/passwd.ts';
export { BASE_ACCOUNTS, NOLOGIN, passwdText, resolveAccounts } from './synthesize/passwd.ts';
export { shellsText } from './synthesize/shells.ts';
export { md5sumsText, STATUS_D, statusStanza } from './synthesize/status-d.ts';
export type { SynthesizeOptions } from './synthesize.ts';
export { synthesize } from './synthesize.ts';
