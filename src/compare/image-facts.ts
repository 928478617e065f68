import { isIroncladError } from '../core/index.ts';
import {
  flattenImage,
  formatPlatform,
  type ImageConfig,
  type ImageFilesystem,
  type ImageSource,
  type Platform,
  parseImageRef,
} from '../oci/index.ts';
import type { Distro } from '../vuln/index.ts';
import { collectAttackSurface, MAX_PASSWD_BYTES } from './attack-surface.ts';
import {
  DPKG_STATUS,
  type InstalledPackage,
  installedPackages,
  isStatusDFile,
  MAX_DPKG_STATUS_BYTES,
} from './dpkg-packages.ts';
import type { AttackSurface, Provenance } from './types.ts';

/** Everything the comparison needs from one image, read in a single pass over its layers. */
export interface ImageFacts {
  readonly ref: string;
  readonly digest: string;
  readonly manifestDigest: string;
  readonly tag: string | null;
  readonly platform: string;
  readonly config: ImageConfig;
  readonly compressedSize: number;
  readonly layers: number;
  readonly packages: readonly InstalledPackage[];
  readonly distro: Distro | null;
  readonly surface: AttackSurface;
}

/** os-release(5) locations, in the order the spec says to try them. */
const OS_RELEASE = ['etc/os-release', 'usr/lib/os-release'] as const;
const MAX_OS_RELEASE_BYTES = 64 * 1024;
const PASSWD = 'etc/passwd';

const decoder = new TextDecoder();

/** Files kept in memory while the layers stream by, so no layer has to be read twice. */
function capture(path: string): boolean {
  return (
    path === DPKG_STATUS || isStatusDFile(path) || path === PASSWD || (OS_RELEASE as readonly string[]).includes(path)
  );
}

/** A file's text, or undefined when the image lacks it (NOT_FOUND); other errors propagate. */
async function readOptional(fs: ImageFilesystem, path: string, max: number): Promise<string | undefined> {
  if (fs.resolve(path) === undefined) return undefined;
  try {
    return decoder.decode(await fs.readFile(path, max));
  } catch (err) {
    if (isIroncladError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}

/** `ID` and `VERSION_ID` of os-release(5) (`KEY=value`, optionally quoted); null without an ID. */
export function parseOsRelease(text: string): Distro | null {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) kv.set(m[1], m[2].trim().replace(/^(["'])(.*)\1$/, '$2'));
  }
  const id = kv.get('ID')?.toLowerCase();
  if (id === undefined || !/^[a-z0-9._-]+$/.test(id)) return null;
  return { id, versionId: kv.get('VERSION_ID') ?? '' };
}

async function readDistro(fs: ImageFilesystem): Promise<Distro | null> {
  for (const p of OS_RELEASE) {
    const text = await readOptional(fs, p, MAX_OS_RELEASE_BYTES);
    if (text !== undefined) return parseOsRelease(text);
  }
  return null;
}

async function readPackages(fs: ImageFilesystem): Promise<InstalledPackage[]> {
  const status = await readOptional(fs, DPKG_STATUS, MAX_DPKG_STATUS_BYTES);
  const statusD: { path: string; text: string }[] = [];
  for (const path of fs.paths()) {
    if (!isStatusDFile(path) || fs.get(path)?.type !== 'file') continue;
    statusD.push({ path, text: (await readOptional(fs, path, MAX_DPKG_STATUS_BYTES)) ?? '' });
  }
  return installedPackages(status, statusD);
}

/** The tag the user named, from the reference as the source displays it; null for digests and archives. */
function tagOf(ref: string): string | null {
  try {
    const r = parseImageRef(ref);
    return r.kind === 'docker-archive' ? null : (r.tag ?? null);
  } catch {
    return null;
  }
}

/**
 * Reads one image's facts: resolves the platform, reads the config, flattens the layers once (capturing the
 * dpkg database, os-release and /etc/passwd) and derives packages, distribution and attack surface.
 * @throws IroncladError from the source (NOT_FOUND, DIGEST_MISMATCH, ...), INVALID_INPUT for malformed dpkg
 *   status or /etc/passwd, HOSTILE_INPUT for layer paths escaping the root.
 */
export async function readImageFacts(source: ImageSource, platform: Platform | undefined): Promise<ImageFacts> {
  const image = await source.resolve(platform);
  const top = await source.top();
  const config = await image.config();
  const fs = await flattenImage(image, { capture: (p) => capture(p) });
  const passwd = await readOptional(fs, PASSWD, MAX_PASSWD_BYTES);
  const layers = image.layers();
  return {
    ref: source.ref,
    digest: top.desc.digest,
    manifestDigest: image.digest,
    tag: tagOf(source.ref),
    platform: formatPlatform({
      os: config.os,
      architecture: config.architecture,
      ...(config.variant !== undefined && { variant: config.variant }),
    }),
    config,
    compressedSize: layers.reduce((n, l) => n + l.desc.size, 0),
    layers: layers.length,
    packages: await readPackages(fs),
    distro: await readDistro(fs),
    surface: collectAttackSurface(fs, passwd),
  };
}

/** Provenance labels of a config (OCI annotations spec, pre-defined keys; `dev.ironclad.*` are ours). */
export function provenanceOf(labels: Readonly<Record<string, string>>): Provenance | null {
  const ironclad = Object.fromEntries(
    Object.entries(labels)
      .filter(([k]) => k.startsWith('dev.ironclad.'))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  const source = labels['org.opencontainers.image.source'] ?? null;
  const revision = labels['org.opencontainers.image.revision'] ?? null;
  if (source === null && revision === null && Object.keys(ironclad).length === 0) return null;
  return { source, revision, ironclad };
}
