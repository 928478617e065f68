/**
 * Testing images: standards checks over an image's filesystem and config, functional tests run in an OCI
 * runtime (runc), and CTRF reports.
 */

export { type CtrfDocument, toCtrf } from './ctrf.ts';
export { IRONCLAD_LABELS } from './expectations.ts';
export { describeFailures, failureOutput } from './failure-text.ts';
export { runInRootfs } from './rootfs-run.ts';
export { runImage } from './runc.ts';
export { reportFailed, type TestImageOptions, testImage } from './test-image.ts';
export { siblingImage, type TestSubject, testSubjects } from './test-subjects.ts';
export type { CheckResult, FunctionalResult, TestReport } from './types.ts';
