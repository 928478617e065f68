export type { RegistryAccess, RegistrySettings } from './access.ts';
export {
  apiHost,
  clientFor,
  credentialSourcesOf,
  insecureRegistries,
  registryAccess,
  registryTransport,
} from './access.ts';
export type { Challenge, RegistryCredentials } from './auth.ts';
export { Authenticator, parseWwwAuthenticate, repositoryScope } from './auth.ts';
export { fetchBlob, headBlob, openBlob } from './blobs.ts';
export type { RegistryClientOptions, RegistryRequest } from './client.ts';
export { createRegistryClient, RegistryClient } from './client.ts';
export type { CopiedItem, CopyOptions, CopyReport, CopySource } from './copy.ts';
export { copyImage } from './copy.ts';
export type { CredentialSources } from './credentials.ts';
export { normalizeRegistryKey, resolveCredentials, runCredentialHelper, saveLogin } from './credentials.ts';
export type { RegistryDiagnostic } from './errors.ts';
export { parseDiagnostics, redactUrl, responseError } from './errors.ts';
export type { FetchedManifest, PushedManifest } from './manifests.ts';
export { getManifest, headManifest, MANIFEST_ACCEPT, putManifest } from './manifests.ts';
export type { MirrorOptions, MirrorReport, RepositoryRef } from './mirror.ts';
export { globToRegExp, mirror } from './mirror.ts';
export { listReferrers, pushManifest, referrerDescriptor, referrersTag } from './referrers.ts';
export type { RegistryBlobStore } from './registry-store.ts';
export { isRegistryBlobStore, registryBlobStore } from './registry-store.ts';
export { listTags } from './tags.ts';
export type { UploadOptions, UploadOutcome } from './upload.ts';
export { uploadBlob } from './upload.ts';
export { registryWriter } from './writer.ts';
