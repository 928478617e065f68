export { siblingTempPath, writeDirAtomic, writeFileAtomic } from './atomic.ts';
export { canonicalJson, canonicalJsonBytes } from './canonical-json.ts';
export type { Fetch, Logger, StageContext } from './context.ts';
export { createContext, prefixedLogger, silentLogger, stderrLogger } from './context.ts';
export type { ErrorCode, ErrorExtra } from './errors.ts';
export {
  assertNever,
  ERROR_CODES,
  fail,
  IroncladError,
  isIroncladError,
  storageError,
  wrapError,
} from './errors.ts';
export { describeCause, redact, withTimeouts, withUserAgent } from './fetch-stack.ts';
export { formatBytes } from './format.ts';
export { sha256File, sha256Hex } from './hash.ts';
export { Home, processAlive } from './home.ts';
export type { HttpContext, HttpOptions } from './http.ts';
export { httpDownloadFile, httpGetBytes } from './http.ts';
export { mapLimit } from './map-limit.ts';
export { jsonOutput, outputSchema } from './output-schema.ts';
export { PACKAGE_MANAGERS, SHELLS } from './programs.ts';
export type { NetworkPolicy } from './retry.ts';
export {
  DEFAULT_NETWORK_POLICY,
  isRetryableResponse,
  NETWORK_HINT,
  networkPolicyFromEnv,
  parseRetryAfter,
  withRetry,
} from './retry.ts';
export { suggestNames } from './suggest.ts';
export { IRONCLAD_VERSION } from './version.ts';
