import { sha256Hex } from '../core/index.ts';

/**
 * Stable identifiers derived from content, never random, so the same image gives byte-identical SBOMs
 * (DESIGN.md: determinism).
 */

/** SPDX ids allow letters, digits, `.` and `-` (SPDX 2.3 §3.2, §7.2). */
function idSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 64);
}

export function spdxPackageId(type: string, name: string, purl: string): string {
  return `SPDXRef-Package-${type}-${idSafe(name)}-${sha256Hex(purl).slice(0, 16)}`;
}

export function spdxFileId(path: string): string {
  return `SPDXRef-File-${sha256Hex(path).slice(0, 16)}`;
}

/**
 * A UUID (RFC 9562 layout, version 5 bits, variant 10) from the SHA-256 of `name`: the same input always gives
 * the same CycloneDX serial number, and different documents of one image differ through `name`.
 */
export function uuidFromName(name: string): string {
  const h = sha256Hex(name).slice(0, 32).split('');
  h[12] = '5';
  h[16] = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}
