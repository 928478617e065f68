import { type Document, isAlias, isMap, isNode, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/** 1-based line and column in the YAML source. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** What a schema issue says about where it is: a path into the document, and for unknown keys, which ones. */
export interface IssueLocation {
  readonly path: readonly PropertyKey[];
  readonly keys?: readonly string[];
}

/**
 * Maps a path into the parsed document back to the YAML source, so a schema error can say `file:line:col`.
 * Resolution walks as deep as the document goes: a missing key reports its parent mapping, an unknown key
 * reports the key itself, any other issue reports the start of the offending value. Aliases are followed to
 * their anchor's node, which is where the value is written.
 */
export function positionOf(doc: Document, lines: LineCounter, loc: IssueLocation): SourcePosition {
  let node: Node | null = isNode(doc.contents) ? doc.contents : null;
  let at = node?.range?.[0] ?? 0;
  for (const segment of loc.path) {
    const next = childOf(doc, node, segment);
    if (next === undefined) break;
    at = next.keyOffset ?? at;
    node = next.value;
    if (node === null) break;
    at = node.range?.[0] ?? at;
  }
  const unknownKey = loc.keys?.[0];
  if (unknownKey !== undefined) {
    const pair = childOf(doc, node, unknownKey);
    if (pair?.keyOffset !== undefined) at = pair.keyOffset;
  }
  const { line, col } = lines.linePos(at);
  return { line, column: col };
}

function childOf(
  doc: Document,
  node: Node | null,
  segment: PropertyKey,
): { keyOffset?: number; value: Node | null } | undefined {
  const target = isAlias(node) ? (node.resolve(doc) ?? null) : node;
  if (isMap(target)) {
    for (const pair of target.items) {
      if (!isPair(pair)) continue;
      const key = pair.key;
      const keyValue = isScalar(key) ? key.value : key;
      if (String(keyValue) !== String(segment)) continue;
      const keyOffset = isNode(key) ? key.range?.[0] : undefined;
      const value = isNode(pair.value) ? pair.value : null;
      return keyOffset === undefined ? { value } : { keyOffset, value };
    }
    return undefined;
  }
  if (isSeq(target) && typeof segment === 'number') {
    const item = target.items[segment];
    return isNode(item) ? { value: item } : undefined;
  }
  return undefined;
}
