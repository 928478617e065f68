import type { PackageEntry } from './types.ts';

/**
 * The package indices this process has parsed, kept for the next lock of the same archive state. Reading one
 * (decompress, hash, parse ~70k stanzas) costs seconds of CPU per architecture, and a process that locks many
 * images (`update` over a catalog, the catalog tests) would read the very same indices again for every image.
 *
 * An entry is found only by the sha256 the freshly verified Release lists for the index, and it holds the parse
 * of bytes that were checked against that digest, so a hit is the same result as reading the bytes again. The
 * parsed entries are read-only. Memory is bounded: the least recently used indices are dropped once the entries
 * kept exceed `maxEntries` (about 4 KB each: one distribution's main index for two architectures fits the default).
 */
export class IndexMemo {
  readonly #held = new Map<string, Promise<readonly PackageEntry[]>>();
  readonly #sizes = new Map<string, number>();

  constructor(readonly maxEntries: number = 160_000) {}

  /** The parsed index for `key` (which must name the verified digest), loading it once when absent. */
  get(key: string, load: () => Promise<readonly PackageEntry[]>): Promise<readonly PackageEntry[]> {
    const held = this.#held.get(key);
    if (held !== undefined) {
      // Most recently used last, so eviction takes the oldest first.
      this.#held.delete(key);
      this.#held.set(key, held);
      return held;
    }
    const loading = load();
    this.#held.set(key, loading);
    loading.then(
      (entries) => {
        if (this.#held.get(key) !== loading) return;
        this.#sizes.set(key, entries.length);
        this.#evict();
      },
      // A failed read is not remembered: the next lock tries again.
      () => {
        if (this.#held.get(key) === loading) this.#held.delete(key);
      },
    );
    return loading;
  }

  /** Lets every parsed index go (the next read parses again). */
  clear(): void {
    this.#held.clear();
    this.#sizes.clear();
  }

  /** How many parsed indices are held (loaded or loading). */
  get size(): number {
    return this.#held.size;
  }

  #evict(): void {
    let total = 0;
    for (const n of this.#sizes.values()) total += n;
    for (const key of this.#held.keys()) {
      if (total <= this.maxEntries) break;
      const n = this.#sizes.get(key);
      if (n === undefined) continue; // still loading
      this.#held.delete(key);
      this.#sizes.delete(key);
      total -= n;
    }
  }
}
