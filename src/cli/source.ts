import { fail } from '../core/index.ts';
import {
  hostPlatform,
  type ImageSource,
  openImageSource,
  type Platform,
  parseImageRef,
  parsePlatform,
} from '../oci/index.ts';
import { type CliIO, ironcladHome } from './io.ts';
import { registryTransport } from './registry-transport.ts';

/**
 * Opens what the user typed as an image reference (skopeo transport syntax, or a bare name in the local store),
 * with the registry transport plugged in. Lazy: nothing is read until the source is used.
 */
export function openSource(ref: string, io: CliIO): ImageSource {
  return openImageSource(parseImageRef(ref), {
    home: ironcladHome(io),
    platform: hostPlatform(),
    ...registryTransport(io),
  });
}

/** `--platform os/arch[/variant]` → Platform; USAGE for a malformed value. */
export function platformOption(value: string | undefined): Platform | undefined {
  if (value === undefined) return undefined;
  const p = parsePlatform(value);
  if (!p) fail('USAGE', `--platform ${value}: expected os/arch[/variant], e.g. linux/amd64`);
  return p;
}
