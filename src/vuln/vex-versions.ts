import { canonicalJson } from '../core/index.ts';
import { assertOpenVex, type OpenVexDocument, serializeOpenVex } from './openvex.ts';
import { vexTime } from './vex-document.ts';

/*
 * Versions of one OpenVEX document (OpenVEX 0.2.0, "Document": `@id` names the document, and its `version` "must
 * be incremented when any content within the VEX document changes"). An image rebuilt with changed advisories
 * gets the next version of its document beside the earlier ones, which stay attached (they were signed, and may be
 * pinned); readers apply only the newest version of each document, so a statement withdrawn in a later version
 * no longer applies. Documents with different `@id`s all apply, the newest statement winning (vex.ts).
 */

/** What a version says: the document without `version` and `last_updated`. */
function contentKey(doc: OpenVexDocument): string {
  const { version: _v, last_updated: _u, ...content } = doc;
  return canonicalJson(content);
}

/**
 * `docs` with only the highest `version` of each `@id` (all of them when several share it), in their order.
 * `doc` picks the document out of each item.
 */
export function currentVexDocuments<T>(docs: readonly T[], doc: (item: T) => OpenVexDocument): T[] {
  const newest = new Map<string, number>();
  for (const item of docs) {
    const d = doc(item);
    newest.set(d['@id'], Math.max(newest.get(d['@id']) ?? d.version, d.version));
  }
  return docs.filter((item) => doc(item).version === newest.get(doc(item)['@id']));
}

/**
 * `doc` as it should be attached beside `earlier` (the documents already attached to the same subject): the current
 * version of its `@id` when that says the same (`attached: true`, nothing to attach), else `doc` as the next
 * version (highest earlier version + 1, `last_updated` = `now`), or `doc` itself when none has its `@id`. Content
 * equal to an older version only is a new version too: readers apply the highest one.
 */
export function nextVexVersion(
  doc: OpenVexDocument,
  earlier: readonly OpenVexDocument[],
  now: Date,
): { readonly document: OpenVexDocument; readonly attached: boolean } {
  const versions = earlier.filter((d) => d['@id'] === doc['@id']);
  if (versions.length === 0) return { document: doc, attached: false };
  const same = currentVexDocuments(versions, (d) => d).find((d) => contentKey(d) === contentKey(doc));
  if (same !== undefined) return { document: same, attached: true };
  const version = Math.max(...versions.map((d) => d.version)) + 1;
  const next = { ...doc, version, last_updated: vexTime(now) };
  return { document: assertOpenVex(JSON.parse(serializeOpenVex(next)), `VEX document ${doc['@id']}`), attached: false };
}
