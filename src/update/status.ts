import { existsSync } from 'node:fs';
import type { StageContext } from '../core/index.ts';
import { compareVersions, type Distro, loadDistro } from '../debian/index.ts';
import type { LoadedDefinition, Lockfile } from '../definition/index.ts';
import { type Finding, openVulnDb, type Severity, type VulnDb } from '../vuln/index.ts';
import type { PackageMove } from './moves.ts';
import { type PlannedImage, type PlannedVariant, planUpdate, type UpdatePlanOptions } from './plan.ts';
import { lockFindings } from './vulns.ts';

/**
 * `ironclad status`: where every catalog image stands, from the same re-lock `update` plans with: its digest in the
 * local store, how old the archive state its lock pins is, what a re-lock would move now (the pending updates), and
 * which critical/high vulnerabilities of its lock have a Debian fix, for how many days. Writes nothing but the
 * caches the lock stage keeps.
 */

/**
 * What "fixable since" rests on. OSV's Debian data has no "fix published" field, so: the publication of the Debian
 * advisory (DSA/DLA/DTSA) that ships the fix when the finding names one (the day the fixed package was released to
 * the security archive); else the day the tracker's record was last modified, a lower bound (the fixed version was
 * recorded on or before it), never an overstatement.
 */
export type FixableSinceBasis = 'advisory-published' | 'record-modified';

/** A critical or high vulnerability of a variant's lock that Debian has fixed. */
export interface FixableVuln {
  readonly id: string;
  readonly severity: Severity;
  /** Source package, the version the lock has, and the first fixed version. */
  readonly source: string;
  readonly installed: string;
  readonly fixed: string;
  /** Whether the re-locked archive already offers the fixed version (a rebuild removes it). */
  readonly fixInArchive: boolean;
  readonly fixableSince: string | null;
  readonly basis: FixableSinceBasis | null;
  /** Whole days from `fixableSince` to now; null when the database has no date for it. */
  readonly daysFixable: number | null;
}

export interface VariantStatus {
  readonly name: string;
  readonly variant: string;
  readonly definition: string;
  /** The first tag in the local store (`name:tag`) and the index digest it points at, or null when not built. */
  readonly tag: string;
  readonly digest: string | null;
  readonly platforms: readonly string[];
  /** The newest Release `Date:` the lock pins, as written, and its age in whole days; null without a lock. */
  readonly lockedArchiveDate: string | null;
  readonly lockAgeDays: number | null;
  /** What a re-lock now moves (package, old → new version, suite). */
  readonly pending: readonly PackageMove[];
  /** Why `update` would rebuild it now (`lock-changed`, `not-built`), or null. */
  readonly rebuild: string | null;
  /** Critical/high vulnerabilities of the lock with a fix, most overdue first; null without a database. */
  readonly fixable: readonly FixableVuln[] | null;
}

export interface FleetStatus {
  /** True when re-locked against the last fetched archive index instead of the archive. */
  readonly offline: boolean;
  /** Newest record `modified` of the vulnerability database, or null without one. */
  readonly vulnerabilityData: string | null;
  readonly images: readonly VariantStatus[];
}

export interface StatusOptions extends UpdatePlanOptions {
  /** Definition paths as shown (repository-relative); default the loaded path. */
  readonly displayPath?: (loaded: LoadedDefinition) => string;
}

const DAY_MS = 86_400_000;
const ADVISORY_RE = /^(DSA|DLA|DTSA)-/;

/** The status of every variant of `definitions`, from one re-lock (online, or `offline` from the cached index). */
export async function fleetStatus(
  definitions: readonly LoadedDefinition[],
  opts: StatusOptions,
  ctx: StageContext,
): Promise<FleetStatus> {
  const planned = await planUpdate(definitions, opts, ctx);
  const db = existsSync(ctx.home.vulnDb) ? openVulnDb(ctx.home) : undefined;
  try {
    const now = ctx.now();
    const images: VariantStatus[] = [];
    for (const image of planned) {
      const distro = opts.distroConfig ?? (await loadDistro(image.loaded.definition.distro, opts.distro ?? {}));
      for (const v of image.variants) images.push(variantStatus(image, v, { db, distro, now, opts }));
    }
    return { offline: opts.offline === true, vulnerabilityData: db?.newestModified() ?? null, images };
  } finally {
    db?.close();
  }
}

function variantStatus(
  image: PlannedImage,
  v: PlannedVariant,
  env: { readonly db: VulnDb | undefined; readonly distro: Distro; readonly now: Date; readonly opts: StatusOptions },
): VariantStatus {
  const name = v.variant.variant;
  const lockedDate = newestSuiteDate(image.previous, name);
  return {
    name: v.variant.name,
    variant: name,
    definition: env.opts.displayPath?.(image.loaded) ?? image.loaded.path,
    tag: v.tags[0] ?? `${v.variant.name}:latest`,
    digest: v.current?.digest ?? null,
    platforms: v.platforms,
    lockedArchiveDate: lockedDate?.raw ?? null,
    lockAgeDays: lockedDate === undefined ? null : daysBetween(lockedDate.at, env.now),
    pending: v.moves,
    rebuild: v.rebuild ?? null,
    fixable:
      env.db === undefined || image.previous === undefined
        ? null
        : fixableVulns(lockFindings(env.db, image.previous, name, env.distro), image.lock, name, env.db, env.now),
  };
}

/** The newest Release Date pinned by a variant's lock, across its platforms and suites. */
function newestSuiteDate(lock: Lockfile | undefined, variant: string): { raw: string; at: Date } | undefined {
  let newest: { raw: string; at: Date } | undefined;
  for (const p of Object.values(lock?.variants[variant]?.platforms ?? {})) {
    for (const s of p.suites) {
      const at = new Date(s.date);
      if (!Number.isNaN(at.getTime()) && (newest === undefined || at > newest.at)) newest = { raw: s.date, at };
    }
  }
  return newest;
}

/** Critical/high findings with a fixed version, dated, most overdue first (undated last, then by id). */
function fixableVulns(
  findings: readonly Finding[],
  fresh: Lockfile,
  variant: string,
  db: VulnDb,
  now: Date,
): FixableVuln[] {
  const out = new Map<string, FixableVuln>();
  for (const f of findings) {
    if (f.fixedVersion === null || (f.severity !== 'critical' && f.severity !== 'high')) continue;
    const since = fixableSince(f, db);
    out.set(`${f.id}\0${f.sourceName}`, {
      id: f.id,
      severity: f.severity,
      source: f.sourceName,
      installed: f.installedVersion,
      fixed: f.fixedVersion,
      fixInArchive: archiveHasFix(fresh, variant, f.sourceName, f.fixedVersion),
      fixableSince: since?.date ?? null,
      basis: since?.basis ?? null,
      daysFixable: since === undefined ? null : daysBetween(new Date(since.date), now),
    });
  }
  return [...out.values()].sort(
    (a, b) =>
      (b.daysFixable ?? -1) - (a.daysFixable ?? -1) || a.id.localeCompare(b.id) || a.source.localeCompare(b.source),
  );
}

/** See FixableSinceBasis: the earliest advisory publication, else the newest modification of the records. */
function fixableSince(f: Finding, db: VulnDb): { date: string; basis: FixableSinceBasis } | undefined {
  const dated = f.dataSources.map((id) => ({ id, dates: db.recordDates(id) }));
  const advisories = dated
    .filter((d) => ADVISORY_RE.test(d.id) && d.dates?.published != null)
    .map((d) => d.dates!.published!)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  if (advisories[0] !== undefined) return { date: advisories[0], basis: 'advisory-published' };
  const modified = dated
    .map((d) => d.dates?.modified)
    .filter((m): m is string => m !== undefined && !Number.isNaN(Date.parse(m)))
    .sort((a, b) => Date.parse(b) - Date.parse(a));
  return modified[0] === undefined ? undefined : { date: modified[0], basis: 'record-modified' };
}

/** Whether every platform of the re-locked variant has `source` at or above `fixed`. */
function archiveHasFix(fresh: Lockfile, variant: string, source: string, fixed: string): boolean {
  const platforms = Object.values(fresh.variants[variant]?.platforms ?? {});
  const versions = platforms.flatMap((p) => p.packages.filter((x) => x.source === source).map((x) => x.sourceVersion));
  return versions.length > 0 && versions.every((v) => compareVersions(v, fixed) >= 0);
}

function daysBetween(from: Date, to: Date): number | null {
  const ms = to.getTime() - from.getTime();
  return Number.isNaN(ms) ? null : Math.max(0, Math.floor(ms / DAY_MS));
}
