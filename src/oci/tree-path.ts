import { fail } from '../core/index.ts';

/** Symlink hops before giving up, as Linux's MAXSYMLINKS. */
const MAX_HOPS = 40;

/**
 * Normalises a path found in a layer tar to the form used as key of the flattened tree: relative to the image
 * root, no `./` or `/` prefix, no trailing slash, `.` components dropped. The root itself is ''.
 * @throws IroncladError HOSTILE_INPUT when `..` would leave the root.
 */
export function normalizeLayerPath(raw: string): string {
  const out: string[] = [];
  for (const c of raw.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (out.length === 0) fail('HOSTILE_INPUT', `layer path ${JSON.stringify(raw.slice(0, 200))} escapes the root`);
      out.pop();
    } else out.push(c);
  }
  return out.join('/');
}

/** Joins path pieces the way the kernel resolves them inside a chroot: `..` at the root stays at the root. */
function joinClamped(base: readonly string[], rel: string): string[] {
  const out = [...base];
  for (const c of rel.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return out;
}

/** The tree facts resolution needs: what is a symlink, and where it points. */
export type LinkLookup = (path: string) => string | undefined;

/**
 * Resolves `path` inside the image root, following symlinks of every component (of the last one only with
 * `followLast`). Absolute targets restart at the image root; nothing can resolve outside it.
 * @throws IroncladError INVALID_INPUT after 40 hops (a symlink loop).
 */
export function resolveTreePath(path: string, linkTarget: LinkLookup, followLast: boolean): string {
  let parts = path === '' ? [] : path.split('/');
  let hops = 0;
  for (;;) {
    const done: string[] = [];
    let restarted = false;
    for (let i = 0; i < parts.length; i++) {
      const candidate = [...done, parts[i]!].join('/');
      const target = i < parts.length - 1 || followLast ? linkTarget(candidate) : undefined;
      if (target !== undefined) {
        if (++hops > MAX_HOPS) fail('INVALID_INPUT', `too many symlinks resolving ${JSON.stringify(path)}`);
        const base = target.startsWith('/') ? [] : done;
        parts = joinClamped(joinClamped(base, target), parts.slice(i + 1).join('/'));
        restarted = true;
        break;
      }
      done.push(parts[i]!);
    }
    if (!restarted) return done.join('/');
  }
}
