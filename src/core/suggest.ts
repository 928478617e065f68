/**
 * Close names for "did you mean" hints (package names, definition keys), best first: names extending the query
 * (shortest first), then names one edit away, then names the query extends, then names a few edits away.
 * Deterministic: ties sort by name. Never returns the query itself.
 */
export function suggestNames(query: string, names: Iterable<string>, max = 5): string[] {
  // Allow roughly one edit per three characters, at least one and at most three.
  const budget = Math.max(1, Math.min(3, Math.floor(query.length / 3)));
  const scored: { name: string; rank: number; tie: number }[] = [];
  for (const name of names) {
    if (name === query) continue;
    if (name.startsWith(query)) {
      scored.push({ name, rank: 0, tie: name.length });
      continue;
    }
    const d = Math.abs(name.length - query.length) > budget ? budget + 1 : editDistance(query, name, budget);
    if (d === 1) scored.push({ name, rank: 1, tie: 0 });
    else if (query.startsWith(name) && name.length >= 3) scored.push({ name, rank: 2, tie: -name.length });
    else if (d <= budget) scored.push({ name, rank: 3, tie: d });
  }
  scored.sort((a, b) => a.rank - b.rank || a.tie - b.tie || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.slice(0, max).map((s) => s.name);
}

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of adjacent characters as one edit each
 * (optimal string alignment), so `crul` is one edit from `curl`. Returns `limit + 1` as soon as the distance is
 * known to exceed `limit`.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        v = Math.min(v, before[j - 2]! + 1);
      }
      row.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}
