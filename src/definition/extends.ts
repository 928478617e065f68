import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { fail } from '../core/index.ts';
import { definitionObject } from './schema.ts';

/*
 * Customizations (docs/customization.md): a definition that starts with `extends:` names a base definition and
 * adds to it. It is merged with its base at the document level, before the schema's defaults and transforms, so
 * every rule of a definition (declared users, paths, tests) holds for the result exactly as for a hand-written one.
 */

/** The key that makes a document a customization. */
export const EXTENDS_KEY = 'extends';

/** Settings a customization inherits and may not change: they decide what the base's layers are. */
const INHERITED = ['kind', 'distro', 'platforms', 'compression', 'exclude'] as const;

/**
 * What a customization document may contain: the definition's fields less the inherited ones, all optional but
 * `extends` and `name`. Used to check the document itself (with file positions) before it is merged.
 */
export const Customization = definitionObject
  .omit(Object.fromEntries(INHERITED.map((k) => [k, true])) as { [K in (typeof INHERITED)[number]]: true })
  .partial()
  .extend({
    extends: z.union([
      z
        .string()
        .min(1)
        .max(1024)
        .describe(
          'The base: a catalog image name (a folder beside this one, e.g. "python") or a path to a definition, ' +
            'relative to this file\'s folder (containing "/").',
        ),
      z
        .object({
          image: z
            .string()
            .min(1)
            .max(1024)
            .regex(/@sha256:[0-9a-f]{64}$/, {
              message: 'not pinned by digest: pin the digest it was published with (REGISTRY/REPO:TAG@sha256:<hex>)',
            })
            .describe('A published image pinned by digest: REGISTRY/REPO:TAG@sha256:<hex> (a tag alone is refused).'),
          key: z
            .string()
            .min(1)
            .max(1024)
            .optional()
            .describe(
              "The public key (PEM) the image's signature and provenance must verify with, relative to this file's " +
                'folder; `lock --base-key FILE` and `build --base-key FILE` override it (one of the two is required).',
            ),
        })
        .strict()
        .describe(
          'The base: a published Ironclad image, verified with a key before use; its lock is read from its provenance.',
        ),
    ]),
    name: definitionObject.shape.name,
  });

type Raw = Record<string, unknown>;

/** True when the parsed YAML document is a customization. */
export function isCustomizationDocument(raw: unknown): raw is Raw {
  return isRecord(raw) && EXTENDS_KEY in raw;
}

/**
 * Where the base definition named by `ref` lives: a bare name is a folder beside the customization's own folder
 * (`images/python` for `extends: python` in `images/my-python`); anything with a `/` is a path relative to the
 * customization's folder.
 */
export function baseLocation(ref: string, dir: string): string {
  if (isAbsolute(ref)) {
    fail('DEFINITION_INVALID', `extends: ${ref} is an absolute path`, {
      hint: 'name a catalog image ("python") or give a path relative to the definition\'s folder ("../python")',
    });
  }
  return ref.includes('/') ? resolve(dir, ref) : join(dir, '..', ref);
}

/**
 * The definition document a customization stands for: the base document (without its catalog text and its size
 * and package budgets, which describe the base) with the customization applied. Lists are appended (`packages`, `tests` by
 * name, `paths` by path and platform, accounts), maps merged with the customization winning (`environment`, `labels`,
 * `annotations`), anything else replaced; each variant overlay of the base is merged with the customization's
 * overlay of the same name the same way. Pure. Returns the problems instead of a document when the
 * customization overlays a variant the base does not have.
 */
export function mergeCustomization(base: Raw, own: Raw): { merged: Raw } | { problems: string[] } {
  const { [EXTENDS_KEY]: _ref, catalog, variants: ownVariants, ...ownFields } = own;
  const {
    catalog: _catalog,
    'size-budget': _size,
    'package-budget': _count,
    variants: baseVariants,
    ...baseFields
  } = base;
  const merged: Raw = mergeFields(baseFields, ownFields);
  const bv = isRecord(baseVariants) ? baseVariants : {};
  const ov = isRecord(ownVariants) ? ownVariants : {};
  const problems = Object.keys(ov)
    .filter((name) => !(name in bv))
    .map((name) => `variants.${name}: the base has no variant "${name}" (it has: runtime${listOf(bv)})`);
  if (problems.length > 0) return { problems };
  if (Object.keys(bv).length > 0) {
    merged.variants = Object.fromEntries(
      Object.entries(bv).map(([name, overlay]) => [
        name,
        mergeFields(isRecord(overlay) ? overlay : {}, isRecord(ov[name]) ? ov[name] : {}),
      ]),
    );
  }
  if (catalog !== undefined) merged.catalog = catalog;
  return { merged };
}

function listOf(variants: Raw): string {
  const names = Object.keys(variants);
  return names.length === 0 ? '' : `, ${names.join(', ')}`;
}

/** One level of the merge: the rules of {@link mergeCustomization} for a document or a variant overlay. */
function mergeFields(base: Raw, own: Raw): Raw {
  const out: Raw = { ...base };
  for (const [key, value] of Object.entries(own)) {
    const was = base[key];
    switch (key) {
      case 'packages':
        out[key] = appendBy(was, value, (p) => (typeof p === 'string' ? p.split('=')[0] : p));
        break;
      case 'exclude':
      case 'drop-tests':
        out[key] = appendBy(was, value, (x) => x);
        break;
      case 'paths':
        out[key] = mergePaths(was, value);
        break;
      case 'tests':
        out[key] = appendBy(was, value, (t) => (isRecord(t) ? t.name : t));
        break;
      case 'accounts':
        out[key] = mergeAccounts(was, value);
        break;
      case 'environment':
      case 'labels':
      case 'annotations':
        out[key] = { ...(isRecord(was) ? was : {}), ...(isRecord(value) ? value : {}) };
        break;
      default:
        out[key] = value;
    }
  }
  return out;
}

function mergeAccounts(base: unknown, own: unknown): Raw {
  const b = isRecord(base) ? base : {};
  const o = isRecord(own) ? own : {};
  return {
    ...b,
    ...o,
    users: [...asArray(b.users), ...asArray(o.users)],
    groups: [...asArray(b.groups), ...asArray(o.groups)],
  };
}

/** `base` then `added`; an added item with the key of a base item replaces it in place. */
function appendBy(base: unknown, added: unknown, key: (item: unknown) => unknown): unknown[] {
  const out = new Map<unknown, unknown>();
  let anonymous = 0;
  for (const item of [...asArray(base), ...asArray(added)]) {
    const k = key(item);
    out.set(k === undefined ? `\0${anonymous++}` : k, item);
  }
  return [...out.values()];
}

/**
 * `paths` by path and platform. A base may give one path once per platform (java's `default-java` link points to
 * each architecture's JVM), so the base's entries are never merged with each other; a customization's entry takes
 * the place of the base's entries for the same path on a platform they share (an entry without `platforms` is on
 * every platform), and the rest are appended.
 */
function mergePaths(base: unknown, added: unknown): unknown[] {
  const own = asArray(added);
  const placed = new Set<unknown>();
  const out: unknown[] = [];
  for (const b of asArray(base)) {
    const o = own.find((x) => standsFor(x, b));
    if (o === undefined) out.push(b);
    else if (!placed.has(o)) {
      placed.add(o);
      out.push(o);
    }
  }
  return [...out, ...own.filter((o) => !placed.has(o))];
}

function standsFor(own: unknown, base: unknown): boolean {
  if (!isRecord(own) || !isRecord(base) || own.path !== base.path) return false;
  const op = asArray(own.platforms);
  const bp = asArray(base.platforms);
  return op.length === 0 || bp.length === 0 || op.some((p) => bp.includes(p));
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isRecord(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
