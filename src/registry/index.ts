export type { RegistryAccess, RegistrySettings } from './access.ts';
export { clientFor, registryAccess, registryTransport } from './access.ts';
export type { RegistryCredentials } from './auth.ts';
export type { CopiedItem, CopyReport, CopySource } from './copy.ts';
export { copyImage } from './copy.ts';
export { normalizeRegistryKey, resolveCredentials, saveLogin } from './credentials.ts';
export type { MirrorReport } from './mirror.ts';
export { mirror } from './mirror.ts';
