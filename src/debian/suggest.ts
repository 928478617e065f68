/**
 * Close package names for "did you mean" hints: names that start with the query (shortest first), then names
 * within a small edit distance (closest first). Deterministic: ties sort by name.
 */
export function suggestNames(query: string, names: Iterable<string>, max = 5): string[] {
  const budget = Math.max(1, Math.min(3, Math.floor(query.length / 3)));
  const prefixed: string[] = [];
  const near: { name: string; d: number }[] = [];
  for (const name of names) {
    if (name === query) continue;
    if (name.startsWith(query) || (query.length >= 4 && query.startsWith(name) && name.length >= 3)) {
      prefixed.push(name);
      continue;
    }
    if (Math.abs(name.length - query.length) > budget) continue;
    const d = editDistance(query, name, budget);
    if (d <= budget) near.push({ name, d });
  }
  prefixed.sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  near.sort((a, b) => a.d - b.d || (a.name < b.name ? -1 : 1));
  return [
    ...new Set([...near.filter((n) => n.d === 1).map((n) => n.name), ...prefixed, ...near.map((n) => n.name)]),
  ].slice(0, max);
}

/** Levenshtein distance, giving up (returning limit + 1) once every cell of a row exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      row.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    prev = row;
  }
  return prev[b.length]!;
}
