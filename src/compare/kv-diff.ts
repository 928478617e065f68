import type { KeyValueChange } from './types.ts';

/**
 * Diffs two string maps (environment variables, labels). Returns one entry per key of either side, sorted by
 * key (UTF-16 order, stable across runs): `added` when only the target has it, `removed` when only the
 * baseline has it, `changed` when the values differ, `unchanged` otherwise. Pure.
 */
export function diffKeyValues(
  target: Readonly<Record<string, string>>,
  baseline: Readonly<Record<string, string>>,
): KeyValueChange[] {
  const keys = [...new Set([...Object.keys(target), ...Object.keys(baseline)])].sort();
  return keys.map((key) => {
    const t = Object.hasOwn(target, key) ? (target[key] ?? null) : null;
    const b = Object.hasOwn(baseline, key) ? (baseline[key] ?? null) : null;
    const change = t === null ? 'removed' : b === null ? 'added' : t === b ? 'unchanged' : 'changed';
    return { key, change, target: t, baseline: b };
  });
}

/**
 * An image config `Env` list (`KEY=value` strings, config.md) as a map. An entry without `=` is a variable
 * with an empty value; when a key repeats, the last one wins, as in the runtime's environment.
 */
export function envRecord(env: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    if (i === 0) continue;
    if (i < 0) out[e] = '';
    else out[e.slice(0, i)] = e.slice(i + 1);
  }
  return out;
}
