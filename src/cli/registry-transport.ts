import type { OpenSourceOptions } from '../oci/index.ts';
import type { CliIO } from './io.ts';

/** The registry transport for openImageSource; empty until the registry module is wired in. */
export function registryTransport(_io: CliIO): Pick<OpenSourceOptions, 'registry'> {
  return {};
}
