import type { Descriptor, ImageConfig, ImageSource, Platform } from '../oci/index.ts';
import { formatPlatform } from '../oci/index.ts';

/** What `ironclad inspect` reports for one platform. */
export interface PlatformInspection {
  readonly platform: string;
  readonly manifest: Descriptor;
  readonly config: ImageConfig;
  readonly layers: readonly {
    readonly descriptor: Descriptor;
    readonly createdBy?: string;
    readonly comment?: string;
  }[];
  readonly compressedSize: number;
}

export interface ImageInspection {
  readonly ref: string;
  readonly top: Descriptor;
  readonly platforms: readonly PlatformInspection[];
  readonly referrers: readonly Descriptor[];
}

/**
 * Reads an image's index and, for each selected platform, its config and layer list; layer history
 * (`created_by`, which for our images names the packages of the layer) is paired with the non-empty layers.
 */
export async function inspectImage(source: ImageSource, only?: Platform): Promise<ImageInspection> {
  const top = await source.top();
  const platforms = only ? [only] : await source.platforms();
  const out: PlatformInspection[] = [];
  for (const p of platforms) {
    const image = await source.resolve(p);
    const config = await image.config();
    const history = (config.history ?? []).filter((h) => h.empty_layer !== true);
    const layers = image.layers().map((l, i) => {
      const h = history[i];
      return {
        descriptor: l.desc,
        ...(h?.created_by !== undefined && { createdBy: h.created_by }),
        ...(h?.comment !== undefined && { comment: h.comment }),
      };
    });
    out.push({
      platform: formatPlatform(p),
      manifest: image.descriptor,
      config,
      layers,
      compressedSize: image.layers().reduce((n, l) => n + l.desc.size, 0),
    });
  }
  const referrers = await source.referrers(top.desc.digest);
  return { ref: source.ref, top: top.desc, platforms: out, referrers };
}
