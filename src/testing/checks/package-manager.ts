import { type Check, failed, listSome, passed } from './check.ts';
import { findExecutables } from './executables.ts';

export const NO_PACKAGE_MANAGER = 'no-package-manager';

/**
 * Operating-system package managers. Language package managers (pip, npm) are left out on purpose: they are
 * part of a language runtime image's job, while an OS package manager lets a container change its own base.
 */
export const PACKAGE_MANAGER_NAMES: ReadonlySet<string> = new Set([
  'apt',
  'apt-get',
  'aptitude',
  'dpkg',
  'rpm',
  'apk',
  'yum',
  'dnf',
  'microdnf',
]);

/** No OS package manager (DESIGN.md, Image rules); `package-manager: true` variants pass with a note. */
export const noPackageManager: Check = ({ fs, expect }) => {
  const found = findExecutables(fs, PACKAGE_MANAGER_NAMES);
  if (found.length === 0) return passed(NO_PACKAGE_MANAGER, 'no package manager found');
  if (expect.packageManagerAllowed) {
    return passed(NO_PACKAGE_MANAGER, `package manager allowed for the ${expect.variant} variant: ${listSome(found)}`);
  }
  return failed(NO_PACKAGE_MANAGER, `package manager found: ${listSome(found)}`);
};
