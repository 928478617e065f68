import { fixupSpdxId } from '@cyclonedx/cyclonedx-library/SPDX';

/**
 * License names → SPDX license expressions (SPDX 2.3, Annex D). Debian's machine-readable copyright files
 * (DEP-5, https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/, "License specification") use their
 * own short names (`GPL-2+`, `Expat`); other ecosystems mostly write SPDX already. Unknown names become
 * `LicenseRef-…` (SPDX 2.3 §10.1), never a guess.
 */

export const NOASSERTION = 'NOASSERTION';

/** DEP-5 short names that differ from SPDX ids (DEP-5 "Short name" table), keys lower-case. */
const DEBIAN_NAMES: Readonly<Record<string, string>> = {
  'gpl-1': 'GPL-1.0-only',
  'gpl-1+': 'GPL-1.0-or-later',
  'gpl-2': 'GPL-2.0-only',
  'gpl-2+': 'GPL-2.0-or-later',
  'gpl-3': 'GPL-3.0-only',
  'gpl-3+': 'GPL-3.0-or-later',
  'lgpl-2': 'LGPL-2.0-only',
  'lgpl-2+': 'LGPL-2.0-or-later',
  'lgpl-2.1': 'LGPL-2.1-only',
  'lgpl-2.1+': 'LGPL-2.1-or-later',
  'lgpl-3': 'LGPL-3.0-only',
  'lgpl-3+': 'LGPL-3.0-or-later',
  'agpl-3': 'AGPL-3.0-only',
  'agpl-3+': 'AGPL-3.0-or-later',
  'gfdl-1.2': 'GFDL-1.2-only',
  'gfdl-1.2+': 'GFDL-1.2-or-later',
  'gfdl-1.3': 'GFDL-1.3-only',
  'gfdl-1.3+': 'GFDL-1.3-or-later',
  'gfdl-nis': 'GFDL-1.3-no-invariants-or-later',
  'apache-2': 'Apache-2.0',
  expat: 'MIT',
  'bsd-2-clause': 'BSD-2-Clause',
  'bsd-3-clause': 'BSD-3-Clause',
  'bsd-4-clause': 'BSD-4-Clause',
  artistic: 'Artistic-1.0-Perl',
  'artistic-2': 'Artistic-2.0',
  cc0: 'CC0-1.0',
  'psf-2': 'PSF-2.0',
  python: 'Python-2.0',
  zlib: 'Zlib',
  'mpl-1.1': 'MPL-1.1',
  'mpl-2': 'MPL-2.0',
  'mpl-2.0': 'MPL-2.0',
  'gpl-2.0+': 'GPL-2.0-or-later',
  'gpl-3.0+': 'GPL-3.0-or-later',
};

/** Python trove classifiers (`License :: OSI Approved :: X`) for the common licenses. */
const CLASSIFIERS: Readonly<Record<string, string>> = {
  'MIT License': 'MIT',
  'BSD License': 'BSD-3-Clause',
  'Apache Software License': 'Apache-2.0',
  'ISC License (ISCL)': 'ISC',
  'Mozilla Public License 2.0 (MPL 2.0)': 'MPL-2.0',
  'Python Software Foundation License': 'PSF-2.0',
  'GNU General Public License v2 (GPLv2)': 'GPL-2.0-only',
  'GNU General Public License v3 (GPLv3)': 'GPL-3.0-only',
  'GNU Lesser General Public License v3 (LGPLv3)': 'LGPL-3.0-only',
};

const MAX_NAME = 200;

/** `LicenseRef-<idstring>`: letters, digits, `.` and `-` only (SPDX 2.3 §10.1). */
export function licenseRef(name: string): string {
  const id = name
    .trim()
    .slice(0, MAX_NAME)
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `LicenseRef-${id === '' ? 'unknown' : id}`;
}

/** One license name (SPDX id, DEP-5 short name or anything else) → one SPDX id or LicenseRef. */
export function licenseId(name: string): string {
  const n = name.trim();
  if (/^LicenseRef-[A-Za-z0-9.-]+$/.test(n)) return n;
  const debian = DEBIAN_NAMES[n.toLowerCase()];
  if (debian !== undefined) return debian;
  return fixupSpdxId(n) ?? licenseRef(n);
}

/** Debian: `GPL-2+ with OpenSSL exception` → the exception's SPDX id, or undefined when it is not a known one. */
function exceptionId(name: string): string | undefined {
  const id = fixupSpdxId(name.trim().replace(/\s+/g, '-')) ?? fixupSpdxId(`${name.trim()}-exception`);
  return id !== undefined && /exception/i.test(id) ? id : undefined;
}

/**
 * Combines license ids into one expression: unique, sorted, joined with AND (the package is under all of the
 * licenses its files carry); compound parts are parenthesised. NOASSERTION when empty.
 */
export function combineLicenses(parts: Iterable<string>): string {
  const set = [...new Set([...parts].filter((p) => p !== '' && p !== NOASSERTION))].sort();
  if (set.length === 0) return NOASSERTION;
  if (set.length === 1) return set[0]!;
  return set.map((p) => (/\s/.test(p) ? `(${p})` : p)).join(' AND ');
}

/**
 * Normalises a license expression written by an ecosystem (npm `license`, PEP 639 `License-Expression`):
 * tokens are mapped through {@link licenseId}, operators kept. Anything not shaped like an expression becomes one
 * LicenseRef.
 */
export function normalizeExpression(text: string): string {
  const t = text.trim();
  if (t === '' || t.length > 1000) return NOASSERTION;
  const tokens = t.split(/(\s+|\(|\))/).filter((x) => x.trim() !== '');
  if (!tokens.every((x) => /^(\(|\)|[A-Za-z0-9.+:-]+)$/.test(x))) return licenseRef(t);
  let depth = 0;
  let afterWith = false;
  // Ids and operators must alternate (Annex D grammar); `SEE LICENSE IN FILE` is text, not an expression.
  let wantId = true;
  const out: string[] = [];
  for (const tok of tokens) {
    const upper = tok.toUpperCase();
    if (tok === '(' || tok === ')') {
      if ((tok === '(') !== wantId) return licenseRef(t);
      depth += tok === '(' ? 1 : -1;
      if (depth < 0) return licenseRef(t);
      out.push(tok);
    } else if (upper === 'AND' || upper === 'OR' || upper === 'WITH') {
      if (wantId) return licenseRef(t);
      out.push(upper);
      afterWith = upper === 'WITH';
      wantId = true;
    } else {
      if (!wantId) return licenseRef(t);
      out.push(afterWith ? (exceptionId(tok) ?? licenseRef(tok)) : licenseId(tok));
      afterWith = false;
      wantId = false;
    }
  }
  if (wantId) return licenseRef(t);
  return depth === 0 ? out.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')') : licenseRef(t);
}

/** One DEP-5 `License:` short-name expression (`GPL-2+ or Artistic`, `GPL-3+ with GCC-exception-3.1`) → ids. */
function dep5Ids(value: string): string[] {
  const out: string[] = [];
  for (const alt of value.split(/\s*(?:,\s*|\s+)(?:or|and)\s+|\s*[|&]\s*/i)) {
    const m = /^(.*?)\s+with\s+(.+?)(?:\s+exception)?$/i.exec(alt.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) {
      const exc = exceptionId(m[2]);
      const base = licenseId(m[1]);
      out.push(exc === undefined || base.startsWith('LicenseRef-') ? base : `${base} WITH ${exc}`);
    } else if (alt.trim() !== '') out.push(licenseId(alt));
  }
  return out;
}

/** Largest copyright file we read; real ones are far smaller (glibc's is ~70 KiB). */
export const MAX_COPYRIGHT_BYTES = 2 * 1024 * 1024;

/**
 * Licenses of a Debian package from its `/usr/share/doc/<pkg>/copyright`. Only machine-readable files (first
 * field `Format:`) are trusted: every `License:` field's first line contributes its short names, combined with
 * AND. Free-form copyright files give NOASSERTION rather than a guess.
 */
export function licensesFromCopyright(text: string): string {
  if (!/^\s*Format:/i.test(text.slice(0, 1024))) return NOASSERTION;
  const ids: string[] = [];
  for (const m of text.matchAll(/^License:[ \t]*(\S[^\n]*)$/gim)) ids.push(...dep5Ids(m[1]!.trim()));
  return combineLicenses(ids);
}

/** Python METADATA: PEP 639 `License-Expression`, else trove classifiers, else a `License:` that is an id. */
export function licensesFromPythonMetadata(get: (field: string) => string[]): string {
  const expr = get('License-Expression')[0];
  if (expr !== undefined) return normalizeExpression(expr);
  const fromClassifiers = get('Classifier')
    .map((c) => /^License :: OSI Approved :: (.+)$/.exec(c.trim())?.[1])
    .map((c) => (c === undefined ? undefined : CLASSIFIERS[c]))
    .filter((c): c is string => c !== undefined);
  if (fromClassifiers.length > 0) return combineLicenses(fromClassifiers);
  const lic = get('License')[0]?.trim();
  if (lic === undefined || lic === '' || lic.includes('\n') || lic.toUpperCase() === 'UNKNOWN') return NOASSERTION;
  const id = licenseId(lic);
  return id.startsWith('LicenseRef-') ? NOASSERTION : id;
}

/** Every LicenseRef-… id used in an expression, for SPDX `hasExtractedLicensingInfos`. */
export function licenseRefsIn(expression: string): string[] {
  return [...expression.matchAll(/LicenseRef-[A-Za-z0-9.-]+/g)].map((m) => m[0]);
}
