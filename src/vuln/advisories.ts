import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fail } from '../core/index.ts';
import { debPurl, ociPurl } from '../sbom/index.ts';
import { JUSTIFICATIONS, type OpenVexDocument } from './openvex.ts';
import type { ScanPackage } from './types.ts';
import { buildStatement, createVexDocument } from './vex-document.ts';

/**
 * Per-image advisories (`images/<name>/advisories.yaml`): the maintainers' verdicts on CVEs reported
 * against an image, compiled into the OpenVEX document shipped with each build.
 *
 * ```yaml
 * - cve: CVE-2023-45853
 *   package: zlib                  # binary or source package name
 *   status: not_affected
 *   justification: vulnerable_code_not_present
 *   impact: minizip is not built into the shipped zlib1g
 *   variants: [runtime]            # optional: only these variants (default: all)
 * ```
 */

export const MAX_ADVISORIES_BYTES = 1024 * 1024;

export const Advisory = z
  .object({
    cve: z.string().regex(/^[A-Z][A-Z0-9]*-[0-9A-Za-z-]+$/, 'expected an id such as CVE-2024-1234'),
    package: z.string().min(1),
    status: z.enum(['not_affected', 'affected', 'fixed', 'under_investigation']),
    justification: z.enum(JUSTIFICATIONS).optional(),
    /** OpenVEX impact_statement: why the image is not affected. */
    impact: z.string().min(1).optional(),
    /** OpenVEX action_statement: what users should do (required for `affected`). */
    action: z.string().min(1).optional(),
    /** OpenVEX status_notes. */
    notes: z.string().min(1).optional(),
    /** When the verdict was made (RFC 3339); defaults to the compile time. */
    timestamp: z.iso.datetime({ offset: true }).optional(),
    /**
     * The variants (runtime, dev...) the verdict holds for; every variant when absent. A reason such as "the module
     * is not shipped" may hold for the runtime image and not for its dev variant, which installs more.
     */
    variants: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a variant name such as runtime'))
      .min(1)
      .optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.status === 'not_affected' && a.justification === undefined && a.impact === undefined) {
      ctx.addIssue({ code: 'custom', message: 'not_affected needs a justification or an impact' });
    }
    if (a.status === 'affected' && a.action === undefined) {
      ctx.addIssue({ code: 'custom', message: 'affected needs an action' });
    }
  });
export type Advisory = z.infer<typeof Advisory>;
export const Advisories = z.array(Advisory);

/** Parses advisories YAML, reporting every invalid field at once (INVALID_INPUT). */
export function parseAdvisories(text: string, what: string): Advisory[] {
  if (Buffer.byteLength(text) > MAX_ADVISORIES_BYTES) fail('INVALID_INPUT', `${what}: larger than 1 MiB`);
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 }) ?? [];
  } catch (err) {
    fail('INVALID_INPUT', `${what}: not valid YAML`, { cause: err });
  }
  const parsed = Advisories.safeParse(doc);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    fail('INVALID_INPUT', `${what}: invalid advisories:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

/** The advisories that hold for one variant of the image (those naming it, and those naming none). */
export function advisoriesFor(advisories: readonly Advisory[], variant: string): Advisory[] {
  return advisories.filter((a) => a.variants === undefined || a.variants.includes(variant));
}

export interface CompileAdvisoriesInput {
  /** Image name as in the catalog (`python`). */
  readonly imageName: string;
  /** Manifest digest of the built image (`sha256:...`). */
  readonly imageDigest: string;
  /** Installed packages, to pin subcomponents to the shipped versions; unversioned when absent. */
  readonly packages?: readonly ScanPackage[];
  readonly author: string;
}

/** Subcomponent purls for an advisory's package: every installed binary of that name or source. */
function subcomponentsFor(pkg: string, packages: readonly ScanPackage[] | undefined): string[] {
  if (packages === undefined) return [`pkg:deb/debian/${encodeURIComponent(pkg)}`];
  const hits = packages.filter((p) => p.type === 'deb' && (p.name === pkg || p.sourceName === pkg));
  if (hits.length === 0) return [`pkg:deb/debian/${encodeURIComponent(pkg)}`];
  return [...new Set(hits.map((p) => debPurl({ name: p.name, version: p.version, distro: null })))].sort();
}

/**
 * Compiles advisories into one OpenVEX document whose products are the image
 * (`pkg:oci/<name>@sha256:...`) narrowed to the advisory's packages as subcomponents; its `@id` is
 * `urn:ironclad:vex:advisories:` and that purl, the same for every compilation about the same image (vex-versions.ts).
 * Statements keep the advisory order; `now` stamps the document and undated advisories.
 */
export function compileAdvisories(
  advisories: readonly Advisory[],
  input: CompileAdvisoriesInput,
  now: Date,
): OpenVexDocument {
  if (!/^sha256:[0-9a-f]{64}$/.test(input.imageDigest)) {
    fail('INVALID_INPUT', `image digest ${input.imageDigest} is not a sha256 digest`);
  }
  const image = ociPurl(input.imageName, input.imageDigest);
  const statements = advisories.map((a) =>
    buildStatement(
      {
        vulnerability: a.cve,
        products: [image],
        subcomponents: subcomponentsFor(a.package, input.packages),
        status: a.status,
        ...(a.justification !== undefined ? { justification: a.justification } : {}),
        ...(a.impact !== undefined ? { impactStatement: a.impact } : {}),
        ...(a.action !== undefined ? { actionStatement: a.action } : {}),
        ...(a.notes !== undefined ? { statusNotes: a.notes } : {}),
      },
      a.timestamp !== undefined ? new Date(a.timestamp) : now,
    ),
  );
  // One @id per image manifest, so a document compiled again with changed advisories is a new version of it.
  return createVexDocument({ author: input.author, id: `urn:ironclad:vex:advisories:${image}` }, statements, now);
}
