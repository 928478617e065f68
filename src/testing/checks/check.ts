import type { Home, Logger } from '../../core/index.ts';
import type { ImageConfig, ImageFilesystem } from '../../oci/index.ts';
import type { CheckResult, Expectations } from '../types.ts';
import type { InstalledPackage } from './installed-packages.ts';

/** Everything a standards check may look at; gathered once per platform image by the test stage. */
export interface CheckInput {
  /** The final filesystem (whiteouts applied), with the small metadata files captured in memory. */
  readonly fs: ImageFilesystem;
  readonly config: ImageConfig;
  readonly expect: Expectations;
  /** Packages from the image's dpkg database (status.d and status). */
  readonly packages: readonly InstalledPackage[];
  /** $IRONCLAD_HOME, for the vulnerability database. */
  readonly home: Home;
  readonly log: Logger;
}

/** One standards check (STYLE.md rule 12: a one-method role). Never throws for a property of the image. */
export type Check = (input: CheckInput) => Promise<CheckResult> | CheckResult;

export function passed(name: string, message: string): CheckResult {
  return { name, status: 'passed', message };
}

export function failed(name: string, message: string): CheckResult {
  return { name, status: 'failed', message };
}

export function skipped(name: string, message: string): CheckResult {
  return { name, status: 'skipped', message };
}

/** `a, b, c and 4 more`: keeps messages readable when an image has hundreds of offending paths. */
export function listSome(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}
