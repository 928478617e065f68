/**
 * One OSV record (OSV schema 1.6, https://ossf.github.io/osv-schema/) reduced to what the matcher needs,
 * keeping only Debian ecosystems. Parsing never throws: outside data that does not fit becomes a
 * `malformed` result the importer counts and reports, so one bad file cannot abort an import.
 */

/** Largest OSV JSON document accepted; the real Debian data peaks around 1 MiB. */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** One OSV range event (schema: `affected[].ranges[].events[]`), exactly one key each. */
export type RangeEvent =
  | { readonly introduced: string }
  | { readonly fixed: string }
  | { readonly last_affected: string }
  | { readonly limit: string };

/** One `affected[]` entry of a Debian ecosystem. */
export interface AffectedEntry {
  readonly ecosystem: string;
  /** Debian source package name. */
  readonly package: string;
  /** ECOSYSTEM ranges only, each an ordered event list; GIT/SEMVER ranges do not apply to dpkg versions. */
  readonly ranges: readonly (readonly RangeEvent[])[];
  /** Explicitly enumerated affected versions. */
  readonly versions: readonly string[];
  /** `ecosystem_specific.urgency` (Debian security tracker), or null. */
  readonly urgency: string | null;
}

export interface OsvRecord {
  readonly id: string;
  readonly modified: string;
  readonly published: string | null;
  readonly summary: string;
  readonly details: string;
  readonly aliases: readonly string[];
  readonly related: readonly string[];
  /** `severity[]` entries as `{type, score}`, e.g. `CVSS_V3` with a vector. */
  readonly severity: readonly { readonly type: string; readonly score: string }[];
  readonly affected: readonly AffectedEntry[];
}

export type ParsedRecord =
  | { readonly kind: 'record'; readonly record: OsvRecord }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'malformed'; readonly reason: string };

const RANGE_TYPES = new Set(['ECOSYSTEM', 'SEMVER', 'GIT']);
const EVENT_KEYS = new Set(['introduced', 'fixed', 'last_affected', 'limit']);
const MAX_FIELD = 256;

/** True for the ecosystems kept: `Debian:<release>` (`Debian:12`, `Debian:3.0`, ...). */
export function isDebianEcosystem(ecosystem: string): boolean {
  return /^Debian:\d+(\.\d+)?$/.test(ecosystem);
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const strList = (x: unknown): string[] | null =>
  x === undefined ? [] : Array.isArray(x) && x.every((v) => typeof v === 'string') ? (x as string[]) : null;

class Malformed {
  constructor(readonly reason: string) {}
}
const bad = (reason: string): never => {
  throw new Malformed(reason);
};

function parseEvents(events: unknown, where: string): RangeEvent[] {
  if (!Array.isArray(events) || events.length === 0) return bad(`${where}.events: expected a non-empty array`);
  return events.map((ev, i) => {
    const keys = isObj(ev) ? Object.keys(ev) : [];
    const key = keys[0];
    if (keys.length !== 1 || key === undefined || !EVENT_KEYS.has(key)) return bad(`${where}.events[${i}]: bad event`);
    const value = str((ev as Record<string, unknown>)[key]);
    if (value === null || value.length === 0 || value.length > MAX_FIELD)
      return bad(`${where}.events[${i}]: bad value`);
    return { [key]: value } as RangeEvent;
  });
}

function parseAffected(a: unknown, i: number): AffectedEntry | null {
  const where = `affected[${i}]`;
  if (!isObj(a)) return bad(`${where}: expected an object`);
  const pkg = a.package;
  // Entries without a package or ecosystem (upstream GIT ranges) are legitimate but not ours.
  const ecosystem = isObj(pkg) ? str(pkg.ecosystem) : null;
  const ranges = a.ranges ?? [];
  if (!Array.isArray(ranges)) return bad(`${where}.ranges: expected an array`);
  for (const [j, r] of ranges.entries()) {
    if (!isObj(r) || !RANGE_TYPES.has(String(r.type))) return bad(`${where}.ranges[${j}]: unknown range type`);
  }
  if (ecosystem === null || !isDebianEcosystem(ecosystem) || !isObj(pkg)) return null;
  const name = str(pkg.name);
  if (name === null || name.length === 0 || name.length > MAX_FIELD) return bad(`${where}.package.name: missing`);
  const ecoRanges = (ranges as Record<string, unknown>[])
    .filter((r) => r.type === 'ECOSYSTEM')
    .map((r, j) => parseEvents(r.events, `${where}.ranges[${j}]`));
  const versions = strList(a.versions);
  if (versions === null) return bad(`${where}.versions: expected a list of strings`);
  const specific = a.ecosystem_specific;
  const urgency = isObj(specific) ? str(specific.urgency) : null;
  return { ecosystem, package: name, ranges: ecoRanges, versions, urgency };
}

function parseSeverity(x: unknown): OsvRecord['severity'] {
  if (x === undefined) return [];
  if (!Array.isArray(x)) return bad('severity: expected an array');
  return x.map((s, i) => {
    const type = isObj(s) ? str(s.type) : null;
    const score = isObj(s) ? str(s.score) : null;
    if (type === null || score === null || score.length > MAX_FIELD) return bad(`severity[${i}]: bad entry`);
    return { type, score };
  });
}

/** Validates a decoded OSV document and keeps its Debian entries. */
export function toOsvRecord(doc: unknown): ParsedRecord {
  try {
    if (!isObj(doc)) return bad('not a JSON object');
    const id = str(doc.id);
    if (id === null || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,200}$/.test(id)) return bad('id: missing or invalid');
    const modified = str(doc.modified);
    if (modified === null || Number.isNaN(Date.parse(modified))) return bad('modified: missing or not a timestamp');
    if (doc.withdrawn !== undefined) return { kind: 'ignored' };
    if (!Array.isArray(doc.affected)) return bad('affected: expected an array');
    const affected = doc.affected.map(parseAffected).filter((a): a is AffectedEntry => a !== null);
    const aliases = strList(doc.aliases);
    const related = strList(doc.related);
    if (aliases === null || related === null) return bad('aliases/related: expected lists of strings');
    const severity = parseSeverity(doc.severity);
    if (affected.length === 0) return { kind: 'ignored' };
    const record: OsvRecord = {
      id,
      modified,
      published: str(doc.published),
      summary: str(doc.summary) ?? '',
      details: str(doc.details) ?? '',
      aliases,
      related,
      severity,
      affected,
    };
    return { kind: 'record', record };
  } catch (err) {
    if (err instanceof Malformed) return { kind: 'malformed', reason: err.reason };
    throw err;
  }
}

/** Decodes and validates one OSV JSON file's bytes. */
export function parseOsvBytes(bytes: Uint8Array): ParsedRecord {
  if (bytes.byteLength > MAX_RECORD_BYTES)
    return { kind: 'malformed', reason: `larger than ${MAX_RECORD_BYTES} bytes` };
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { kind: 'malformed', reason: 'not valid UTF-8 JSON' };
  }
  return toOsvRecord(doc);
}
