/** The tool named in SBOM creation info (SPDX `creators`, CycloneDX `metadata.tools`). */
export const TOOL_NAME = 'ironclad';
export const TOOL_VERSION = '0.1.0';
