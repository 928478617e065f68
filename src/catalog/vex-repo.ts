import { gzipSync } from 'node:zlib';
import { fail, writeDirAtomic } from '../core/index.ts';
import { type TarEntry, tarBytes } from '../oci/index.ts';
import {
  createVexDocument,
  type OpenVexDocument,
  serializeOpenVex,
  type VexProduct,
  type VexStatement,
} from '../vuln/index.ts';
import type { CollectedCatalog } from './collect.ts';

/*
 * A VEX repository as aquasecurity's vex-repo-spec v0.1 lays it out: a manifest at `.well-known/vex-repository.json`
 * pointing at an archive that holds `index.json` and one OpenVEX document per package. Our packages are images:
 * `pkg:oci/NAME?repository_url=REGISTRY/REPO/NAME` (the spec: for OCI the id keeps the repository_url qualifier),
 * one document per image name, with every statement the images carry, naming each image version
 * (`@sha256:` of the index and of the platform manifest) and the unversioned product.
 */

export const VEX_REPO_SPEC_VERSION = '0.1';
export const VEX_REPO_MANIFEST = '.well-known/vex-repository.json';
export const VEX_REPO_ARCHIVE = 'vex-repository.tar.gz';

export interface VexRepoOptions {
  /** Where the images are published, `HOST[:PORT]/PREFIX` (each image is `PREFIX/NAME` there). */
  readonly repositoryUrl: string;
  /** https URL the exported directory will be served from (the manifest's location is `URL/vex-repository.tar.gz`). */
  readonly url: string;
  readonly name: string;
  readonly author: string;
  /** Go duration for clients' update checks (spec §2.5), e.g. `24h`. */
  readonly updateInterval: string;
}

export interface VexRepoIndex {
  readonly updated_at: string;
  readonly packages: readonly { readonly id: string; readonly location: string; readonly format: 'openvex' }[];
}

export interface VexRepository {
  readonly manifest: object;
  readonly index: VexRepoIndex;
  /** Documents by their location in the archive. */
  readonly documents: ReadonlyMap<string, OpenVexDocument>;
}

const REPOSITORY_URL = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/**
 * The package id of an image in the repository, and the product ids of its versions. The repository_url is written
 * as is (no percent-encoding), as the spec's examples and its index schema's pattern have it; image names are
 * already limited to `[a-z0-9._-]`.
 */
export function imagePurl(name: string, repositoryUrl: string, digest?: string): string {
  return `pkg:oci/${name}${digest === undefined ? '' : `@${digest}`}?repository_url=${repositoryUrl}/${name}`;
}

/** Builds the repository from the catalog's images in the local store; USAGE when no image carries VEX. */
export function buildVexRepository(collected: CollectedCatalog, o: VexRepoOptions, now: Date): VexRepository {
  checkOptions(o);
  const byName = new Map<string, VexStatement[]>();
  for (const entry of collected.catalog.images) {
    for (const v of entry.variants) {
      if (v.image === null) continue;
      const index = v.image.digest;
      for (const d of collected.details.get(entry.id)?.get(v.variant) ?? []) {
        const statements = d.vex.flatMap((doc) =>
          doc.statements.map((s) => retarget(s, entry.name, o, [index, d.digest])),
        );
        if (statements.length > 0) byName.set(entry.name, [...(byName.get(entry.name) ?? []), ...statements]);
      }
    }
  }
  if (byName.size === 0) {
    fail('USAGE', 'no image in the local store carries VEX statements', {
      hint: 'build images whose definitions have an advisories.yaml (e.g. ironclad build images/python)',
    });
  }
  const documents = new Map<string, OpenVexDocument>();
  const packages: VexRepoIndex['packages'][number][] = [];
  for (const [name, statements] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    const location = `pkg/oci/${o.repositoryUrl.replace(':', '_')}/${name}/vex.json`;
    documents.set(location, createVexDocument({ author: o.author }, statements, now));
    packages.push({ id: imagePurl(name, o.repositoryUrl), location, format: 'openvex' });
  }
  const manifest = {
    name: o.name,
    description: `OpenVEX statements for the images published under ${o.repositoryUrl}`,
    versions: [
      {
        spec_version: VEX_REPO_SPEC_VERSION,
        locations: [{ url: `${o.url.replace(/\/+$/, '')}/${VEX_REPO_ARCHIVE}` }],
        update_interval: o.updateInterval,
      },
    ],
  };
  return { manifest, index: { updated_at: now.toISOString(), packages }, documents };
}

/** A statement about one image version, restated for the versioned products and the unversioned one. */
function retarget(s: VexStatement, name: string, o: VexRepoOptions, digests: readonly string[]): VexStatement {
  const subcomponents = new Map((s.products ?? []).flatMap((p) => p.subcomponents ?? []).map((c) => [c['@id'], c]));
  const product = (id: string): VexProduct => ({
    '@id': id,
    identifiers: { purl: id },
    ...(subcomponents.size > 0 && { subcomponents: [...subcomponents.values()] }),
  });
  const ids = [...new Set(digests)].map((d) => imagePurl(name, o.repositoryUrl, d));
  // The statement is copied once per image version; its own @id would no longer name one statement.
  const { '@id': _id, ...rest } = s;
  return { ...rest, products: [...ids, imagePurl(name, o.repositoryUrl)].map(product) };
}

function checkOptions(o: VexRepoOptions): void {
  if (!REPOSITORY_URL.test(o.repositoryUrl)) {
    fail(
      'USAGE',
      `--repository-url ${o.repositoryUrl}: expected HOST[:PORT]/PREFIX in lowercase, e.g. registry.example.com/ironclad`,
    );
  }
  if (!/^https:\/\/[^\s?#]+$/.test(o.url)) {
    fail('USAGE', `--url ${o.url}: the spec allows only https locations`, {
      hint: 'the https URL the exported directory will be served from, e.g. https://vex.example.com',
    });
  }
  if (!/^[0-9]+[hm]$/.test(o.updateInterval)) fail('USAGE', `--update-interval ${o.updateInterval}: e.g. 24h or 30m`);
}

/**
 * Writes the repository to `dir` atomically: `.well-known/vex-repository.json` and the tar.gz archive (index.json
 * and the documents, deterministic apart from `updated_at`). Serve `dir` at the manifest's https base.
 */
export async function writeVexRepository(repo: VexRepository, dir: string, now: Date): Promise<void> {
  const mtime = Math.floor(now.getTime() / 1000);
  const file = (path: string, text: string): TarEntry => ({
    type: 'file',
    path,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime,
    data: new TextEncoder().encode(text),
  });
  const entries: TarEntry[] = [file('index.json', `${JSON.stringify(repo.index, null, 2)}\n`)];
  const dirs = new Set<string>();
  for (const [location, doc] of repo.documents) {
    const parts = location.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    entries.push(file(location, serializeOpenVex(doc)));
  }
  for (const d of dirs) entries.push({ type: 'dir', path: d, mode: 0o755, uid: 0, gid: 0, mtime });
  const archive = gzipSync(tarBytes(entries), { level: 9 });
  await writeDirAtomic(
    dir,
    new Map<string, Uint8Array | string>([
      [VEX_REPO_MANIFEST, `${JSON.stringify(repo.manifest, null, 2)}\n`],
      [VEX_REPO_ARCHIVE, archive],
    ]),
    '.well-known',
  );
}
