import { dirname, resolve } from 'node:path';
import { fail } from '../core/index.ts';
import type { ImageBase, ImageBaseResolver } from './image-base.ts';
import type { LoadedDefinition } from './load.ts';
import { Definition } from './schema.ts';

/**
 * The base of a customization that extends a published image: the resolver fetches and verifies the image, and the
 * definition recorded in its signed provenance becomes the base definition, narrowed to what the image is (its one
 * variant, its platforms); the schema has checked that the reference is pinned by digest. Throws DEFINITION_INVALID
 * for a base this version cannot build on (another variant than runtime, files read beside its definition); USAGE
 * without a resolver; whatever the resolver throws (exit 3 for anything that does not verify).
 */
export async function imageBaseDefinition(
  ref: { readonly image: string; readonly key?: string | undefined },
  path: string,
  resolver: ImageBaseResolver | undefined,
): Promise<{ image: ImageBase; base: LoadedDefinition }> {
  if (resolver === undefined) {
    fail('USAGE', `${path}: extends the published image ${ref.image}, which this command does not verify`, {
      hint: 'lock and build it with ironclad lock and ironclad build, which verify the base with its key',
    });
  }
  const key = ref.key === undefined ? {} : { key: resolve(dirname(path), ref.key) };
  const image = await resolver({ image: ref.image, ...key });
  const where = `${path}: extends: ${ref.image}`;
  if (image.variant !== 'runtime') {
    fail('DEFINITION_INVALID', `${where} is a ${image.variant} variant; only runtime images can be extended`, {
      hint: 'extend the runtime image of that definition',
    });
  }
  const { variants: _variants, ...doc } = image.document;
  const sources = readsFiles(doc);
  if (sources.length > 0) {
    fail('DEFINITION_INVALID', `${where}: its definition reads files beside it (${sources.join(', ')})`, {
      hint: 'those files are not published with the image: extend its definition (extends: NAME or a path) instead',
    });
  }
  const raw = { ...doc, platforms: Object.keys(image.platforms).sort() };
  const parsed = Definition.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
    fail('DEFINITION_INVALID', `${where}: its recorded definition is not valid here: ${problems.join('; ')}`, {
      hint: 'the image was built by another Ironclad version; extend its definition instead',
    });
  }
  const base: LoadedDefinition = {
    path: image.definition.path,
    dir: dirname(path),
    raw,
    definition: parsed.data,
    digest: image.definition.digest,
  };
  return { image, base };
}

/** The `source` files the document's paths name (they live beside the definition, not in its provenance). */
function readsFiles(doc: Readonly<Record<string, unknown>>): string[] {
  const paths = Array.isArray(doc.paths) ? doc.paths : [];
  return paths.flatMap((p) =>
    p !== null && typeof p === 'object' && typeof (p as Record<string, unknown>).source === 'string'
      ? [String((p as Record<string, unknown>).source)]
      : [],
  );
}
