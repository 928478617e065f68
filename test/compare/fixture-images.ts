import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createContext } from '../../src/core/context.ts';
import {
  buildImageConfig,
  buildManifest,
  type Descriptor,
  type Digest,
  type ImageConfig,
  LayoutStore,
  type TarEntry,
  writeLayer,
} from '../../src/oci/index.ts';
import { importOsv } from '../../src/vuln/index.ts';
import { dir, file, symlink } from '../support/oci-image.ts';

/**
 * Two small images for the compare tests, in one OCI layout: `old` (a conventional image: dpkg status file, a
 * shell, apt, setuid files, a root login) and `new` (a hardened one: status.d, no shell). Their package
 * differences are one of each kind, and a tiny OSV database makes the vulnerability counts predictable.
 */

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';

function stanza(name: string, version: string, source?: string, status = 'install ok installed'): string {
  return [
    `Package: ${name}`,
    `Status: ${status}`,
    'Architecture: amd64',
    ...(source === undefined ? [] : [`Source: ${source}`]),
    `Version: ${version}`,
    'Description: test',
    '',
  ].join('\n');
}

/** Whiteouts are ordinary files named `.wh.NAME` in a layer (OCI image spec, layer.md). */
const whiteout = (path: string): TarEntry => file(path, '');

export const BASELINE_LAYERS: readonly (readonly TarEntry[])[] = [
  [
    symlink('bin', 'usr/bin'),
    dir('etc'),
    file('etc/motd', 'hello\n'),
    file('etc/os-release', OS_RELEASE),
    file(
      'etc/passwd',
      'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nsync:x:4:65534:sync:/bin:/bin/sync\n',
    ),
    dir('srv/data', 0o777),
    dir('tmp', 0o1777),
    dir('usr/bin'),
    file('usr/bin/apt-get', '#!', 0o755),
    file('usr/bin/bash', '#!', 0o755),
    file('usr/bin/chage', '#!', 0o2755),
    file('usr/bin/dpkg', '#!', 0o755),
    file('usr/bin/su', '#!', 0o4755),
    symlink('usr/bin/sh', 'bash'),
    dir('var/lib/dpkg'),
    file(
      'var/lib/dpkg/status',
      [
        stanza('base-files', '12.4+deb12u5'),
        stanza('bash', '5.2.15-2+b2'),
        stanza('libfoo', '2.0-1', undefined, 'deinstall ok config-files'),
        stanza('libgone', '1.0-1'),
        stanza('tzdata', '2024b-0+deb12u1'),
        stanza('zlib1g', '1:1.2.13.dfsg-1', 'zlib'),
      ].join('\n'),
    ),
  ],
  // A second layer deleting dpkg: the comparison must see the flattened filesystem, not the first layer.
  [whiteout('usr/bin/.wh.dpkg')],
];

export const TARGET_LAYERS: readonly (readonly TarEntry[])[] = [
  [
    dir('etc'),
    // The same size, mode and owner as the baseline's: only the content tells them apart.
    file('etc/motd', 'jello\n'),
    file('etc/os-release', OS_RELEASE),
    file(
      'etc/passwd',
      'root:x:0:0:root:/root:/usr/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/usr/sbin/nologin\n',
    ),
    dir('tmp', 0o1777),
    dir('usr/bin'),
    file('usr/bin/python3', 'ELF', 0o755),
    dir('var/lib/dpkg/status.d'),
    file('var/lib/dpkg/status.d/base-files', stanza('base-files', '12.4+deb12u5')),
    file('var/lib/dpkg/status.d/curl', stanza('curl', '7.88.1-10+deb12u5')),
    file('var/lib/dpkg/status.d/curl.md5sums', 'd41d8cd98f00b204e9800998ecf8427e  usr/bin/curl\n'),
    file('var/lib/dpkg/status.d/libssl3', stanza('libssl3', '3.0.11-1~deb12u2', 'openssl')),
    file('var/lib/dpkg/status.d/tzdata', stanza('tzdata', '2024a-0+deb12u1')),
    file('var/lib/dpkg/status.d/zlib1g', stanza('zlib1g', '1:1.3-1', 'zlib')),
  ],
];

export const BASELINE_CONFIG: NonNullable<ImageConfig['config']> = {
  User: '0:0',
  Env: ['PATH=/usr/local/bin:/usr/bin', 'LANG=C.UTF-8'],
  Labels: { 'dev.ironclad.kind': 'reference', 'org.opencontainers.image.title': 'conventional' },
};

export const TARGET_CONFIG: NonNullable<ImageConfig['config']> = {
  User: '65532:65532',
  Env: ['PATH=/usr/bin', 'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt'],
  Labels: {
    'dev.ironclad.kind': 'hardened',
    'org.opencontainers.image.revision': 'abc123',
    'org.opencontainers.image.source': 'https://example.org/images',
  },
};

/** Writes one linux/amd64 image with the given layers and config into a layout and tags it. */
export async function writeImage(
  layoutDir: string,
  tag: string,
  layers: readonly (readonly TarEntry[])[],
  config: NonNullable<ImageConfig['config']>,
): Promise<Descriptor> {
  const store = await LayoutStore.open(layoutDir, { create: true });
  const descs: Descriptor[] = [];
  const diffIds: Digest[] = [];
  for (const entries of layers) {
    const l = await writeLayer(entries, { compression: 'gzip' });
    await store.putBlob(l.bytes!, l.descriptor);
    descs.push(l.descriptor);
    diffIds.push(l.diffId);
  }
  const cfg = buildImageConfig({
    created: '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: diffIds },
  });
  await store.putBlob(cfg.bytes, cfg.descriptor);
  const manifest = buildManifest({ config: cfg.descriptor, layers: descs });
  await store.putBlob(manifest.bytes, manifest.descriptor);
  await store.tag(tag, manifest.descriptor);
  return manifest.descriptor;
}

/** Both fixture images in `<work>/layout`, tagged `old` (baseline) and `new` (target). */
export async function writeFixtureImages(work: string): Promise<string> {
  const layout = join(work, 'layout');
  await writeImage(layout, 'old', BASELINE_LAYERS, BASELINE_CONFIG);
  await writeImage(layout, 'new', TARGET_LAYERS, TARGET_CONFIG);
  return layout;
}

function osv(id: string, pkg: string, fixed: string | null, urgency: string) {
  const events = fixed === null ? [{ introduced: '0' }] : [{ introduced: '0' }, { fixed }];
  return {
    id,
    modified: '2025-01-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: pkg },
        ranges: [{ type: 'ECOSYSTEM', events }],
        ecosystem_specific: { urgency },
      },
    ],
  };
}

/**
 * A vulnerability database in `home`: zlib fixed in 1:1.3-1 (low; only the baseline is affected), openssl unfixed
 * (high; only the target has it), curl fixed in deb12u9 (medium; only the target has it).
 */
export async function writeFixtureDb(work: string, home: string): Promise<void> {
  const src = join(work, 'osv');
  await mkdir(src, { recursive: true });
  await writeFile(join(src, 'a.json'), JSON.stringify(osv('CVE-2025-0001', 'zlib', '1:1.3-1', 'low')));
  await writeFile(join(src, 'b.json'), JSON.stringify(osv('CVE-2025-0002', 'openssl', null, 'high')));
  await writeFile(join(src, 'c.json'), JSON.stringify(osv('CVE-2025-0003', 'curl', '7.88.1-10+deb12u9', 'medium')));
  await importOsv([src], createContext({ home, now: () => new Date('2025-02-01T00:00:00Z') }));
}
