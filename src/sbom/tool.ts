import { IRONCLAD_VERSION } from '../core/index.ts';

/** The tool named in SBOM creation info (SPDX `creators`, CycloneDX `metadata.tools`). */
export const TOOL_NAME = 'ironclad';
export const TOOL_VERSION = IRONCLAD_VERSION;
