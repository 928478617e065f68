import type { DefinitionTest } from '../definition/index.ts';
import type { Platform } from '../oci/index.ts';

/** Outcome of one check or functional test, with the CTRF status names (passed, failed, skipped). */
export type TestStatus = 'passed' | 'failed' | 'skipped';

/** One standards check over an image: a stable `name` (e.g. `no-shell`) and a message saying why. */
export interface CheckResult {
  readonly name: string;
  readonly status: TestStatus;
  readonly message: string;
}

/** One functional test of a definition, run in the image. */
export interface FunctionalResult {
  readonly name: string;
  readonly status: TestStatus;
  readonly message: string;
  /** Milliseconds, from the stage context's clock; 0 when skipped. */
  readonly durationMs: number;
  readonly exitCode?: number;
  /** Captured output (bounded), kept for failure reports. */
  readonly stdout?: string;
  readonly stderr?: string;
}

/**
 * What an image is expected to be. Taken from the definition's variant when one is given, otherwise from the
 * image's `dev.ironclad.*` labels; an image with neither is held to the runtime (hardened) rules.
 */
export interface Expectations {
  /** `runtime`, `dev`, ...; `runtime` for foreign images. */
  readonly variant: string;
  /** Whether the image was built by Ironclad (labels or a definition): enables the embedded-SBOM check. */
  readonly ours: boolean;
  /**
   * False for `kind: reference` images (conventional images built for honest comparisons): the hardening rules
   * are reported for information and never fail them.
   */
  readonly hardened: boolean;
  readonly shellAllowed: boolean;
  readonly packageManagerAllowed: boolean;
  /** Upper bound on the sum of compressed layer sizes, in bytes. */
  readonly sizeBudget?: number;
  /** Upper bound on the number of packages in the image's dpkg database. */
  readonly packageBudget?: number;
  /** Declared platforms (`linux/amd64`), when a definition is given. */
  readonly platforms?: readonly string[];
  readonly tests: readonly DefinitionTest[];
}

/** Results for one platform of an image. */
export interface PlatformReport {
  readonly platform: Platform;
  /** Manifest digest of this platform's image. */
  readonly digest: string;
  readonly checks: readonly CheckResult[];
  readonly tests: readonly FunctionalResult[];
}

/** The result of `testImage`: per-platform checks and tests plus checks about the whole image. */
export interface TestReport {
  /** The reference as given. */
  readonly image: string;
  readonly variant: string;
  /** Checks that concern the image as a whole (declared platforms present). */
  readonly imageChecks: readonly CheckResult[];
  readonly platforms: readonly PlatformReport[];
  /** Milliseconds since the epoch, from the stage context's clock. */
  readonly start: number;
  readonly stop: number;
}
