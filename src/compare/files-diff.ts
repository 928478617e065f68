import type { FsEntry, ImageFilesystem } from '../oci/index.ts';
import { hashFiles } from '../sbom/index.ts';
import type { FileChange, FileSide, FilesDelta } from './types.ts';

/*
 * Which paths one image has that the other does not, and which both have with other metadata or other content:
 * what a customization added on top of its base, or what a rebuild moved. Tar headers carry no digest, so a
 * regular file whose metadata matches on both sides is hashed on both sides, unless both come from the same
 * layer blob at the same tar position (a customization's inherited base layers), which makes them the same bytes.
 */

/** The file delta, target minus baseline, each list sorted by path. */
export async function diffFiles(target: ImageFilesystem, baseline: ImageFilesystem): Promise<FilesDelta> {
  const added: FileSide[] = [];
  const changed: FileChange[] = [];
  const toHash: { path: string; t: FsEntry; b: FsEntry }[] = [];
  for (const path of target.paths()) {
    const te = target.get(path)!;
    const be = baseline.get(path);
    const t = sideOf(te);
    if (be === undefined) {
      added.push(t);
      continue;
    }
    const b = sideOf(be);
    if (!same(t, b)) changed.push({ path: t.path, target: t, baseline: b });
    else if (te.type === 'file' && te.size > 0 && !sameBlobEntry(target, te, baseline, be))
      toHash.push({ path, t: te, b: be });
  }
  if (toHash.length > 0) {
    const [th, bh] = await Promise.all([
      hashFiles(
        target,
        toHash.map((p) => p.t),
      ),
      hashFiles(
        baseline,
        toHash.map((p) => p.b),
      ),
    ]);
    for (const { path, t, b } of toHash) {
      const ts = th.get(t.path)?.sha256;
      const bs = bh.get(b.path)?.sha256;
      if (ts !== bs) changed.push({ path: `/${path}`, target: sideOf(t, ts), baseline: sideOf(b, bs) });
    }
    changed.sort((x, y) => Buffer.compare(Buffer.from(x.path), Buffer.from(y.path)));
  }
  const removed = baseline.paths().flatMap((p) => (target.get(p) === undefined ? [sideOf(baseline.get(p)!)] : []));
  return { added, removed, changed };
}

/** Both entries are the same tar entry of the same layer blob, so their content is the same bytes. */
function sameBlobEntry(target: ImageFilesystem, t: FsEntry, baseline: ImageFilesystem, b: FsEntry): boolean {
  const tl = target.image.layers()[t.layerIndex]?.desc.digest;
  return tl !== undefined && tl === baseline.image.layers()[b.layerIndex]?.desc.digest && t.ordinal === b.ordinal;
}

function sideOf(e: FsEntry, sha256?: string): FileSide {
  return {
    path: `/${e.path}`,
    type: e.type,
    mode: (e.mode & 0o7777).toString(8).padStart(4, '0'),
    owner: `${e.uid}:${e.gid}`,
    size: e.type === 'file' ? e.size : 0,
    ...(e.linkTarget !== undefined && (e.type === 'symlink' || e.type === 'hardlink') && { target: e.linkTarget }),
    ...(sha256 !== undefined && { sha256 }),
  };
}

function same(a: FileSide, b: FileSide): boolean {
  return a.type === b.type && a.mode === b.mode && a.owner === b.owner && a.size === b.size && a.target === b.target;
}
