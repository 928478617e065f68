/**
 * The one convention for Ironclad's own JSON results (`--format json`): a `schema` field first, naming the shape
 * as `https://ironclad.dev/schemas/<name>/v<major>` (docs/json.md lists every one and its fields). The major
 * version changes when a field changes meaning or goes away; added fields keep it. Standard documents (SPDX,
 * CycloneDX, SARIF, OpenVEX, in-toto, CTRF) are printed as their standard defines them and carry its identifier.
 */
export function outputSchema(name: string, major = 1): string {
  return `https://ironclad.dev/schemas/${name}/v${major}`;
}

/** `body` as pretty-printed JSON with `schema` (outputSchema(name)) as its first field. */
export function jsonOutput(name: string, body: object): string {
  return JSON.stringify({ schema: outputSchema(name), ...body }, null, 2);
}
