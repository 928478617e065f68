import { PACKAGE_MANAGERS } from '../../core/index.ts';
import { type Check, failed, listSome, passed } from './check.ts';
import { findExecutables } from './executables.ts';

export const NO_PACKAGE_MANAGER = 'no-package-manager';

/** Operating-system package managers (core's one list). */
export const PACKAGE_MANAGER_NAMES: ReadonlySet<string> = new Set(PACKAGE_MANAGERS);

/** No OS package manager (DESIGN.md, Image rules); `package-manager: true` variants pass with a note. */
export const noPackageManager: Check = ({ fs, expect }) => {
  const found = findExecutables(fs, PACKAGE_MANAGER_NAMES);
  if (found.length === 0) return passed(NO_PACKAGE_MANAGER, 'no package manager found');
  if (expect.packageManagerAllowed) {
    return passed(NO_PACKAGE_MANAGER, `package manager allowed for the ${expect.variant} variant: ${listSome(found)}`);
  }
  return failed(NO_PACKAGE_MANAGER, `package manager found: ${listSome(found)}`);
};
