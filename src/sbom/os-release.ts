import type { SbomDistro } from './model.ts';

/** Largest os-release we read; the real one is under 1 KiB. */
export const MAX_OS_RELEASE_BYTES = 64 * 1024;

/** Where os-release(5) says to look, in order. */
export const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'] as const;

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.endsWith(t[0]!)) {
    const inner = t.slice(1, -1);
    return t[0] === '"' ? inner.replace(/\\([\\"$`])/g, '$1') : inner;
  }
  return t;
}

/**
 * Parses os-release(5) text: `KEY=value` lines, values optionally quoted, `#` comments. Returns the distro when
 * ID is present, otherwise null. Lenient by design: a malformed line is skipped, as systemd does.
 */
export function parseOsRelease(text: string): SbomDistro | null {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) kv.set(m[1], unquote(m[2]));
  }
  const id = kv.get('ID')?.toLowerCase();
  if (id === undefined || !/^[a-z0-9._-]+$/.test(id)) return null;
  const versionId = kv.get('VERSION_ID') ?? '';
  const codename = kv.get('VERSION_CODENAME') ?? /\(([a-z]+)\)/.exec(kv.get('VERSION') ?? '')?.[1] ?? '';
  return { id, versionId: /^[A-Za-z0-9._~-]*$/.test(versionId) ? versionId : '', codename };
}
