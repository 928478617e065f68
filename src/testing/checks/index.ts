import type { CheckResult } from '../types.ts';
import { packageBudget, sizeBudget } from './budgets.ts';
import type { Check, CheckInput } from './check.ts';
import { linkage } from './linkage.ts';
import { noPackageManager } from './package-manager.ts';
import { noSetuid, noWorldWritable } from './permissions.ts';
import { embeddedSbom } from './sbom.ts';
import { noShell } from './shell.ts';
import { kubernetesCompatible, nonRootUser } from './user.ts';
import { noFixableCves } from './vulnerabilities.ts';
import { writablePaths } from './writable-paths.ts';

export type { Check, CheckInput } from './check.ts';
export { type InstalledPackage, installedPackages, isStatusPath } from './installed-packages.ts';
export { LINKAGE } from './linkage.ts';
export { DECLARED_PLATFORMS, declaredPlatforms } from './platforms.ts';
export { OS_RELEASE_PATHS } from './vulnerabilities.ts';

/** The per-platform standards checks, in report order (STYLE.md rule 12: an explicit list). */
export const CHECKS: readonly Check[] = [
  nonRootUser,
  noShell,
  noPackageManager,
  noSetuid,
  noWorldWritable,
  sizeBudget,
  packageBudget,
  embeddedSbom,
  noFixableCves,
  kubernetesCompatible,
  linkage,
  writablePaths,
];

/**
 * The rules a reference (deliberately conventional) image is not held to: the hardening rules, and linkage, because
 * a conventional image ships optional plugins whose libraries Debian only suggests (python:3.11-bookworm's set has
 * libsvn's KWallet and GNOME keyring plugins without KF5 or libsecret).
 */
const HARDENING_RULES: ReadonlySet<Check> = new Set([
  linkage,
  nonRootUser,
  noShell,
  noPackageManager,
  noSetuid,
  noWorldWritable,
  noFixableCves,
  kubernetesCompatible,
]);

/**
 * Runs every check over one platform image, in order. For a reference image a broken hardening rule is
 * reported as skipped, with what was found, instead of failing the image.
 */
export async function runChecks(input: CheckInput): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const check of CHECKS) {
    const result = await check(input);
    const informational = !input.expect.hardened && HARDENING_RULES.has(check) && result.status === 'failed';
    out.push(
      informational
        ? { ...result, status: 'skipped', message: `reference image, not hardened: ${result.message}` }
        : result,
    );
  }
  return out;
}
