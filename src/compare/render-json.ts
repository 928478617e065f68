import { type RenderOptions, shownPackages } from './render-common.ts';
import type { CompareResult } from './types.ts';

/**
 * The JSON document: CompareResult as is (its shape is documented in docs/compare.md, versioned by `schema`).
 * `ignoreUnchanged` drops unchanged packages from `packages`; every other field is always present.
 */
export function renderCompareJson(r: CompareResult, o: RenderOptions = {}): string {
  return JSON.stringify(o.ignoreUnchanged ? { ...r, packages: shownPackages(r, o) } : r, null, 2);
}
