import { fail } from '../core/index.ts';
import type { RelationOp } from './types.ts';

/**
 * Debian package versions: `[epoch:]upstream_version[-debian_revision]` (Debian Policy §5.6.12).
 * Comparison follows dpkg exactly, so a version that dpkg orders before another orders before it here.
 */
export interface DebianVersion {
  /** 0 when the version has no epoch. */
  readonly epoch: number;
  readonly upstream: string;
  /** Empty when the version has no hyphen (a native package). */
  readonly revision: string;
}

/** Longest version string accepted; real archive versions are far shorter, this only bounds hostile input. */
const MAX_VERSION_LENGTH = 256;
/** dpkg stores the epoch in a C int; larger values are rejected by dpkg too. */
const MAX_EPOCH = 2 ** 31 - 1;

// Policy §5.6.12: upstream starts with a digit and may contain [A-Za-z0-9.+~-] (and `:` only when an epoch is
// present, which we check separately); the revision may contain [A-Za-z0-9.+~].
const UPSTREAM_RE = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION_RE = /^[A-Za-z0-9.+~]+$/;
const EPOCH_RE = /^[0-9]+$/;

/**
 * Parses and validates a version. Leading and trailing blanks are ignored, as dpkg does.
 * Throws INVALID_INPUT for an empty version, embedded blanks, a non-numeric epoch, an empty upstream part or
 * revision, an upstream part not starting with a digit, or a character outside the allowed set.
 */
export function parseVersion(input: string): DebianVersion {
  const text = input.trim();
  if (text.length === 0) fail('INVALID_INPUT', 'version is empty');
  if (text.length > MAX_VERSION_LENGTH) {
    fail('INVALID_INPUT', `version is longer than ${MAX_VERSION_LENGTH} characters: ${text.slice(0, 40)}...`);
  }
  if (/\s/.test(text)) fail('INVALID_INPUT', `version "${text}" contains blanks`);

  let epoch = 0;
  let rest = text;
  const colon = text.indexOf(':');
  if (colon >= 0) {
    const epochText = text.slice(0, colon);
    if (!EPOCH_RE.test(epochText)) fail('INVALID_INPUT', `version "${text}": epoch "${epochText}" is not a number`);
    epoch = Number(epochText);
    if (epoch > MAX_EPOCH) fail('INVALID_INPUT', `version "${text}": epoch is too big`);
    rest = text.slice(colon + 1);
  }

  // The revision is everything after the *last* hyphen, so upstream versions may contain hyphens.
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (hyphen >= 0 && revision.length === 0) fail('INVALID_INPUT', `version "${text}": revision is empty`);
  if (upstream.length === 0) fail('INVALID_INPUT', `version "${text}": upstream version is empty`);
  if (!UPSTREAM_RE.test(upstream)) {
    fail('INVALID_INPUT', `version "${text}": upstream version must start with a digit and use only [A-Za-z0-9.+~-]`);
  }
  if (revision.length > 0 && !REVISION_RE.test(revision)) {
    fail('INVALID_INPUT', `version "${text}": revision may only use [A-Za-z0-9.+~]`);
  }
  return { epoch, upstream, revision };
}

// The rules of parseVersion as one expression, so validating the ~200k versions of an index allocates nothing:
// with an epoch the upstream part may contain colons; a hyphen means a non-empty revision follows the last one.
const VALID_VERSION_RE =
  /^(?:[0-9]+:[0-9](?:[A-Za-z0-9.+~:-]*-[A-Za-z0-9.+~]+|[A-Za-z0-9.+~:]*)|[0-9](?:[A-Za-z0-9.+~-]*-[A-Za-z0-9.+~]+|[A-Za-z0-9.+~]*))$/;

/** True when `input` is a valid version per {@link parseVersion} (same rules, blanks around it ignored); never throws. */
export function isValidVersion(input: string): boolean {
  const text =
    input.length > 0 && (input.charCodeAt(0) <= 0x20 || input.charCodeAt(input.length - 1) <= 0x20)
      ? input.trim()
      : input;
  if (text.length > MAX_VERSION_LENGTH || !VALID_VERSION_RE.test(text)) return false;
  const colon = text.indexOf(':');
  return colon < 0 || Number(text.slice(0, colon)) <= MAX_EPOCH;
}

/** Renders a parsed version back to its canonical text (the epoch is omitted when 0). */
export function formatVersion(v: DebianVersion): string {
  const head = v.epoch === 0 ? v.upstream : `${v.epoch}:${v.upstream}`;
  return v.revision.length === 0 ? head : `${head}-${v.revision}`;
}

/**
 * Sort weight of one character in the non-digit part (Policy §5.6.12): `~` sorts before everything, even
 * the end of the part; then the end of the part; then letters (by ASCII); then all other characters (by ASCII).
 */
function weight(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (c === 0x7e) return -1; // '~'
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return c;
  if (c >= 0x30 && c <= 0x39) return 0; // a digit ends the non-digit part
  return c + 256;
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

/**
 * Compares one upstream or revision part by alternating non-digit and digit runs (Policy §5.6.12).
 * Digit runs compare numerically without converting to a number, so arbitrarily long runs cannot overflow.
 */
function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a, i)) || (j < b.length && !isDigit(b, j))) {
      const wa = weight(a, i);
      const wb = weight(b, j);
      if (wa !== wb) return wa < wb ? -1 : 1;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 0x30) i++;
    while (b.charCodeAt(j) === 0x30) j++;
    let firstDiff = 0;
    while (i < a.length && j < b.length && isDigit(a, i) && isDigit(b, j)) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    // The longer run of significant digits is the bigger number; equal lengths fall back to the first difference.
    if (i < a.length && isDigit(a, i)) return 1;
    if (j < b.length && isDigit(b, j)) return -1;
    if (firstDiff !== 0) return firstDiff < 0 ? -1 : 1;
  }
  return 0;
}

/** Compares two parsed versions: epoch numerically, then upstream, then revision. Returns -1, 0 or 1. */
export function compareParsedVersions(a: DebianVersion, b: DebianVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return comparePart(a.upstream, b.upstream) || comparePart(a.revision, b.revision);
}

/**
 * Compares two version strings as `dpkg --compare-versions` does. Returns -1, 0 or 1.
 * Versions that differ only textually can compare equal (`1.0` and `1.00`, `0:1` and `1`).
 * Throws INVALID_INPUT when either version is invalid.
 */
export function compareVersions(a: string, b: string): number {
  if (a === b) {
    parseVersion(a);
    return 0;
  }
  return compareParsedVersions(parseVersion(a), parseVersion(b));
}

/**
 * True when `version` satisfies the relation `op target` (Policy §7.1), e.g. `satisfies('1.2-1', '>=', '1.0')`.
 * `<<` and `>>` are strict; `<=`, `=`, `>=` include equality. Throws INVALID_INPUT for invalid versions.
 */
export function satisfies(version: string, op: RelationOp, target: string): boolean {
  const c = compareVersions(version, target);
  switch (op) {
    case '<<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '=':
      return c === 0;
    case '>=':
      return c >= 0;
    case '>>':
      return c > 0;
  }
}
