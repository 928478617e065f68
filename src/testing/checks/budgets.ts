import type { CheckResult } from '../types.ts';
import { type Check, failed, passed, skipped } from './check.ts';

export const SIZE_BUDGET = 'size-budget';
export const PACKAGE_BUDGET = 'package-budget';

function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(2)} MB`;
}

/**
 * One budget of the definition: skipped when none is declared (saying what the image has, so a budget can be
 * chosen from it), failed when the measured figure is over it.
 */
function withinBudget(
  name: string,
  measured: number,
  budget: number | undefined,
  has: string,
  against: (budget: number) => string,
): CheckResult {
  if (budget === undefined) return skipped(name, `no ${name.replace('-', ' ')} declared (image ${has})`);
  return measured <= budget ? passed(name, against(budget)) : failed(name, `over budget: ${against(budget)}`);
}

/** The compressed size (sum of layer sizes, what a registry stores and a pull downloads) within `size-budget`. */
export const sizeBudget: Check = ({ fs, expect }) => {
  const size = fs.image.layers().reduce((sum, l) => sum + l.desc.size, 0);
  return withinBudget(SIZE_BUDGET, size, expect.sizeBudget, `is ${mb(size)}`, (b) => {
    return `${mb(size)} compressed, budget ${mb(b)}`;
  });
};

/** The packages of the image's dpkg database (what its SBOM lists and scanners count) within `package-budget`. */
export const packageBudget: Check = ({ packages, expect }) => {
  const n = packages.length;
  const count = `${n} package${n === 1 ? '' : 's'}`;
  return withinBudget(PACKAGE_BUDGET, n, expect.packageBudget, `has ${count}`, (b) => `${count}, budget ${b}`);
};
