import { IRONCLAD_VERSION } from '../core/index.ts';

/** The tool named in SBOM creation info (SPDX `creators`, CycloneDX `metadata.tools`). */
export const TOOL_NAME = 'ironclad';
export const TOOL_VERSION = IRONCLAD_VERSION;

/** Where every image Ironclad builds carries its SPDX SBOM (DESIGN.md, Image rules: SBOM at a fixed path). */
export const EMBEDDED_SBOM_PATH = 'usr/share/sbom/ironclad.spdx.json';
