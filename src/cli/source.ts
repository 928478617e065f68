import { fail, IRONCLAD_VERSION } from '../core/index.ts';
import {
  hostPlatform,
  type ImageEndpoint,
  type ImageRef,
  type ImageSource,
  openEndpoint,
  type Platform,
  parseImageRef,
  parsePlatform,
  referrerSchemes,
  type SignatureFormat,
} from '../oci/index.ts';
import { type RegistryAccess, type RegistrySettings, registryAccess, registryTransport } from '../registry/index.ts';
import { type CliIO, ironcladHome, stageContext } from './io.ts';

/** What registry access reads from one invocation: the home, the environment, and `--insecure`. */
export function registrySettings(io: CliIO, insecure = false): RegistrySettings {
  return { home: ironcladHome(io), env: io.env, insecure, userAgent: `ironclad/${IRONCLAD_VERSION}` };
}

/** Registry clients for one invocation, memoised per host. */
export function cliRegistryAccess(io: CliIO, insecure = false): RegistryAccess {
  return registryAccess(registrySettings(io, insecure), stageContext(io));
}

export interface OpenRefOptions {
  /** Plain http for every registry (the verbs' `--insecure`). */
  readonly insecure?: boolean;
  /** Shares registry clients with other endpoints of the same command. */
  readonly access?: RegistryAccess;
  /** Take relative layout paths from the invocation's directory (the referrer verbs always did). */
  readonly relativeToCwd?: boolean;
  /** Where signatures and attestations attached through this endpoint go (default both forms). */
  readonly signatureFormat?: SignatureFormat;
}

/**
 * The endpoint of a parsed reference, with the registry transport plugged in and the host's platform
 * preferred. Lazy: nothing is read or written until it is used.
 */
export function openRef(ref: ImageRef, io: CliIO, opts: OpenRefOptions = {}): ImageEndpoint {
  const access = opts.access ?? cliRegistryAccess(io, opts.insecure === true);
  return openEndpoint(ref, {
    home: ironcladHome(io),
    platform: hostPlatform(),
    registry: registryTransport(access),
    ...(opts.relativeToCwd === true && { cwd: io.cwd }),
    ...(opts.signatureFormat !== undefined && { referrerSchemes: referrerSchemes(opts.signatureFormat) }),
  });
}

/**
 * Opens what the user typed as an image reference (skopeo transport syntax, or a bare name in the local store),
 * with the registry transport plugged in. Lazy: nothing is read until the source is used.
 */
export function openSource(ref: string, io: CliIO): ImageSource {
  return openRef(parseImageRef(ref), io).source;
}

/** `--platform os/arch[/variant]` → Platform; USAGE for a malformed value. */
export function platformOption(value: string | undefined): Platform | undefined {
  if (value === undefined) return undefined;
  const p = parsePlatform(value);
  if (!p) fail('USAGE', `--platform ${value}: expected os/arch[/variant], e.g. linux/amd64`);
  return p;
}
