import { type OpenEndpointOptions, openEndpoint } from './transports.ts';
import type { ImageRef, ImageSource } from './types.ts';

/**
 * The read side of a reference's endpoint. Lazy: nothing is read until the source is used, so a missing layout
 * or archive is reported by the first `resolve()`/`top()` call (NOT_FOUND).
 */
export function openImageSource(ref: ImageRef, opts: OpenEndpointOptions): ImageSource {
  return openEndpoint(ref, opts).source;
}
