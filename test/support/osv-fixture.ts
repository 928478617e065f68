import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A small OSV tree in the shape of OSV's Debian export (folders by kind and year, one JSON document per record),
 * with the records a bookworm base image of early 2025 is affected by: the facts (ids, fixed versions, Debian
 * urgencies, CVSS vectors, dates) are those of the 2025-02-12 snapshot, every other field is left out. Other
 * Debian releases and Alpine entries are there so that ecosystem selection is exercised too.
 */

type Events = readonly ({ introduced: string } | { fixed: string })[];
interface Affected {
  readonly ecosystem: string;
  readonly name: string;
  /** The fixed version; absent when no fix exists yet. */
  readonly fixed?: string;
  readonly urgency?: string;
}
interface FixtureRecord {
  readonly id: string;
  readonly modified: string;
  readonly published: string;
  readonly affected: readonly Affected[];
  readonly aliases?: readonly string[];
  readonly related?: readonly string[];
  readonly cvss?: string;
  readonly summary?: string;
}

const NYA = 'not yet assigned';

export const BOOKWORM_2025_02: readonly FixtureRecord[] = [
  {
    id: 'CVE-2010-4756',
    modified: '2025-01-14T06:03:19.230991Z',
    published: '2011-03-02T20:00:01Z',
    affected: ['11', '12', '13'].map((v) => ({ ecosystem: `Debian:${v}`, name: 'glibc', urgency: 'unimportant' })),
  },
  {
    id: 'CVE-2023-45853',
    modified: '2025-01-15T05:01:42.837510Z',
    published: '2023-10-14T02:15:09Z',
    aliases: ['GHSA-mq29-j5xf-cjwr'],
    cvss: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    affected: [
      { ecosystem: 'Alpine:v3.20', name: 'zlib', fixed: '0' },
      { ecosystem: 'Debian:11', name: 'minizip', fixed: '1.1-8+deb11u1', urgency: NYA },
      { ecosystem: 'Debian:12', name: 'minizip', fixed: '1.1-8+deb12u1', urgency: NYA },
      { ecosystem: 'Debian:11', name: 'zlib', urgency: NYA },
      { ecosystem: 'Debian:12', name: 'zlib', urgency: NYA },
      { ecosystem: 'Debian:13', name: 'zlib', fixed: '1:1.3.dfsg-2', urgency: NYA },
    ],
  },
  {
    id: 'CVE-2024-5535',
    modified: '2025-01-15T05:21:05.865969Z',
    published: '2024-06-27T11:15:24Z',
    affected: [
      { ecosystem: 'Debian:11', name: 'openssl', fixed: '1.1.1w-0+deb11u2', urgency: NYA },
      { ecosystem: 'Debian:12', name: 'openssl', fixed: '3.0.15-1~deb12u1', urgency: NYA },
      { ecosystem: 'Debian:13', name: 'openssl', fixed: '3.3.2-1', urgency: NYA },
    ],
  },
  {
    id: 'CVE-2024-6119',
    modified: '2024-12-05T15:37:48.234031Z',
    published: '2024-09-03T16:15:07Z',
    related: ['DSA-5764-1'],
    affected: [
      { ecosystem: 'Debian:12', name: 'openssl', fixed: '3.0.14-1~deb12u2', urgency: NYA },
      { ecosystem: 'Debian:13', name: 'openssl', fixed: '3.3.2-1', urgency: NYA },
    ],
  },
  {
    id: 'CVE-2024-9143',
    modified: '2025-02-11T07:50:35.420743Z',
    published: '2024-10-16T17:15:18Z',
    affected: [
      { ecosystem: 'Debian:11', name: 'openssl', fixed: '1.1.1w-0+deb11u2', urgency: NYA },
      { ecosystem: 'Debian:12', name: 'openssl', fixed: '3.0.15-1~deb12u1', urgency: NYA },
      { ecosystem: 'Debian:13', name: 'openssl', fixed: '3.3.2-2', urgency: NYA },
    ],
  },
  {
    id: 'CVE-2024-13176',
    modified: '2025-02-11T23:06:48.082425Z',
    published: '2025-01-20T14:15:26Z',
    affected: ['11', '12', '13'].map((v) => ({ ecosystem: `Debian:${v}`, name: 'openssl', urgency: NYA })),
  },
  {
    id: 'CVE-2025-0395',
    modified: '2025-02-04T21:53:42.543940Z',
    published: '2025-01-22T13:15:20Z',
    affected: [
      { ecosystem: 'Debian:11', name: 'glibc', urgency: NYA },
      { ecosystem: 'Debian:12', name: 'glibc', urgency: NYA },
      { ecosystem: 'Debian:13', name: 'glibc', fixed: '2.40-6', urgency: NYA },
    ],
  },
  {
    id: 'DSA-5764-1',
    modified: '2024-09-03T19:21:28.261921Z',
    published: '2024-09-03T00:00:00Z',
    summary: 'openssl - security update',
    related: ['CVE-2024-6119'],
    affected: [{ ecosystem: 'Debian:12', name: 'openssl', fixed: '3.0.14-1~deb12u2' }],
  },
];

function osvDocument(r: FixtureRecord): unknown {
  return {
    schema_version: '1.6.0',
    id: r.id,
    modified: r.modified,
    published: r.published,
    ...(r.aliases !== undefined && { aliases: r.aliases }),
    ...(r.related !== undefined && { related: r.related }),
    ...(r.summary !== undefined && { summary: r.summary }),
    details: `${r.id} (test fixture)`,
    ...(r.cvss !== undefined && { severity: [{ type: 'CVSS_V3', score: r.cvss }] }),
    affected: r.affected.map((a) => {
      const events: Events = a.fixed === undefined ? [{ introduced: '0' }] : [{ introduced: '0' }, { fixed: a.fixed }];
      const kind = a.ecosystem.startsWith('Alpine') ? 'apk/alpine' : 'deb/debian';
      return {
        package: { ecosystem: a.ecosystem, name: a.name, purl: `pkg:${kind}/${a.name}?arch=source` },
        ranges: [{ type: 'ECOSYSTEM', events }],
        ...(a.urgency !== undefined && { ecosystem_specific: { urgency: a.urgency } }),
      };
    }),
  };
}

/** Writes `records` as an OSV export tree under `dir` (`CVE/<year>/<id>.json`, `DSA/<year>/<id>.json`). */
export async function writeOsvTree(dir: string, records: readonly FixtureRecord[] = BOOKWORM_2025_02): Promise<string> {
  for (const r of records) {
    const folder = join(dir, r.id.split('-')[0] ?? 'OTHER', r.published.slice(0, 4));
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, `${r.id}.json`), JSON.stringify(osvDocument(r)));
  }
  return dir;
}
