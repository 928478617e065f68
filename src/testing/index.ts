/**
 * Testing images: standards checks over an image's filesystem and config, functional tests run in an OCI
 * runtime (runc), and CTRF reports.
 */
export type { Check, CheckInput, InstalledPackage } from './checks/index.ts';
export { CHECKS, installedPackages, runChecks } from './checks/index.ts';
export { CTRF_SPEC_VERSION, type CtrfDocument, type CtrfTest, toCtrf } from './ctrf.ts';
export { expectationsFor, IRONCLAD_LABELS } from './expectations.ts';
export { describeFailures, failureOutput, SHOWN_OUTPUT_BYTES } from './failure-text.ts';
export { judge, runFunctionalTests } from './functional.ts';
export type { AccountFiles, ResolvedUser } from './image-user.ts';
export { numericUser, resolveImageUser } from './image-user.ts';
export { probeInNetns } from './netns-probe.ts';
export { BINFMT_DIR, type PlatformSupport, platformSupport } from './platform-support.ts';
export { type ContainerOptions, PreparedImage, type RunningContainer } from './prepared-image.ts';
export { configPlatform, type RunOptions, type RunResult, runImage } from './runc.ts';
export { DEFAULT_PATH, type ProcessOverrides, processArgs, processEnv, runtimeSpec } from './runtime-spec.ts';
export { reportFailed, type TestImageOptions, testImage } from './test-image.ts';
export type {
  CheckResult,
  Expectations,
  FunctionalResult,
  PlatformReport,
  TestReport,
  TestStatus,
} from './types.ts';
