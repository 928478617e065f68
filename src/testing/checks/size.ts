import { type Check, failed, passed, skipped } from './check.ts';

export const SIZE_BUDGET = 'size-budget';

function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(2)} MB`;
}

/** The compressed size (sum of layer sizes, what a registry stores and a pull downloads) within `size-budget`. */
export const sizeBudget: Check = ({ fs, expect }) => {
  const size = fs.image.layers().reduce((sum, l) => sum + l.desc.size, 0);
  if (expect.sizeBudget === undefined) return skipped(SIZE_BUDGET, `no size budget declared (image is ${mb(size)})`);
  const what = `${mb(size)} compressed, budget ${mb(expect.sizeBudget)}`;
  return size <= expect.sizeBudget ? passed(SIZE_BUDGET, what) : failed(SIZE_BUDGET, `over budget: ${what}`);
};
