import type { Resolution } from './resolver.ts';

/** Upper bound on partial paths explored, so a dense graph cannot make `whyPaths` slow. */
const MAX_EXPLORED = 20_000;

/**
 * Dependency paths from requested roots to `name`, each `[root, ..., name]`, shortest first (ties sorted
 * lexicographically), without repeating a package within a path, at most `limit` of them. A root gives `[name]`
 * among its paths. Works for excluded names too (the paths that would have pulled them in). Returns `[]` for a
 * name that is neither selected nor excluded.
 */
export function whyPaths(resolution: Resolution, name: string, limit = 20): string[][] {
  const roots = new Set(resolution.roots);
  const preds = (n: string): string[] => {
    const froms = (resolution.reasons.get(n) ?? []).map((r) => r.from);
    for (const x of resolution.excluded) if (x.name === n) froms.push(x.from);
    return [...new Set(froms)].sort();
  };
  // Breadth-first over reversed edges: partial paths are `[name, ..., current]`, so they come out shortest first.
  const found: string[][] = [];
  let frontier: string[][] = [[name]];
  let explored = 0;
  while (frontier.length > 0 && found.length < limit && explored < MAX_EXPLORED) {
    const next: string[][] = [];
    const done: string[][] = [];
    for (const path of frontier) {
      const head = path[path.length - 1]!;
      if (roots.has(head)) done.push([...path].reverse());
      for (const p of preds(head)) {
        if (path.includes(p)) continue;
        next.push([...path, p]);
        explored++;
      }
    }
    done.sort((a, b) => (a.join('\0') < b.join('\0') ? -1 : 1));
    found.push(...done);
    frontier = next;
  }
  return found.slice(0, limit);
}
