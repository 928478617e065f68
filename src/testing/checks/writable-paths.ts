import { ARBITRARY_UID_LABEL } from '../../definition/index.ts';
import type { FsEntry, ImageFilesystem } from '../../oci/index.ts';
import { MAX_ACCOUNT_FILE_BYTES, resolveImageUser } from '../image-user.ts';
import { type Check, failed, listSome, passed, skipped } from './check.ts';

export const WRITABLE_PATHS = 'writable-paths';

/**
 * The uid OpenShift's restricted SCC would pick (the first of a project's range): not in /etc/passwd, group 0.
 * Any uid outside the image's accounts gives the same verdict, since only the group and other bits apply to it.
 */
export const ARBITRARY_UID = 1000680000;

interface Ids {
  readonly uid: number;
  readonly gids: readonly number[];
}

/** Permission bits for `who` on an entry, as the kernel picks them: owner, else group, else other. */
function allows(e: FsEntry, who: Ids, bits: number): boolean {
  if (who.uid === 0) return true;
  const shift = e.uid === who.uid ? 6 : who.gids.includes(e.gid) ? 3 : 0;
  return ((e.mode >> shift) & bits) === bits;
}

/** Why `who` cannot create files in `path` (a directory they can reach and write), or undefined when they can. */
function whyNotWritable(fs: ImageFilesystem, path: string, who: Ids): string | undefined {
  const target = fs.resolve(path);
  if (target === undefined) return `${path} is missing`;
  if (target.type !== 'dir') return `${path} is not a directory`;
  const parts = target.path.split('/').filter((p) => p !== '');
  for (let i = 0; i < parts.length; i++) {
    const ancestor = fs.entries.get(parts.slice(0, i).join('/'));
    if (ancestor !== undefined && !allows(ancestor, who, 0o1))
      return `/${parts.slice(0, i).join('/')} is not searchable`;
  }
  if (!allows(target, who, 0o3)) {
    const mode = (target.mode & 0o7777).toString(8).padStart(4, '0');
    return `${path} is ${target.uid}:${target.gid} ${mode}`;
  }
  return undefined;
}

/**
 * Writable paths: every volume the image declares (config Volumes) is a directory the image's user can reach and
 * write (owner, group or other bits, with every ancestor searchable), judged from the image's own metadata so a
 * read-only data directory fails before anyone runs the image. An image labelled dev.ironclad.arbitrary-uid=true
 * (definition `arbitrary-uid: true`) must also let an arbitrary uid in group 0 write them, as OpenShift runs it.
 * Skipped for images that declare no volume.
 */
export const writablePaths: Check = async ({ fs, config }) => {
  const volumes = Object.keys(config.config?.Volumes ?? {}).sort();
  if (volumes.length === 0) return skipped(WRITABLE_PATHS, 'the image declares no volumes');
  const text = async (p: string) =>
    fs.resolve(p)?.type === 'file'
      ? Buffer.from(await fs.readFile(p, MAX_ACCOUNT_FILE_BYTES)).toString('utf8')
      : undefined;
  const passwd = await text('/etc/passwd');
  const group = await text('/etc/group');
  const spec = config.config?.User ?? '';
  let user: ReturnType<typeof resolveImageUser>;
  try {
    user = resolveImageUser(spec, { ...(passwd !== undefined && { passwd }), ...(group !== undefined && { group }) });
  } catch (err) {
    return failed(WRITABLE_PATHS, `cannot resolve the image user: ${(err as Error).message}`);
  }
  const users = [{ as: `${user.uid}:${user.gid}`, who: { uid: user.uid, gids: [user.gid, ...user.additionalGids] } }];
  if (config.config?.Labels?.[ARBITRARY_UID_LABEL] === 'true')
    users.push({ as: `${ARBITRARY_UID}:0 (arbitrary uid)`, who: { uid: ARBITRARY_UID, gids: [0] } });
  const problems = users.flatMap(({ as, who }) =>
    volumes.flatMap((v) => {
      const why = whyNotWritable(fs, v, who);
      return why === undefined ? [] : [`${why} (for ${as})`];
    }),
  );
  const as = users.map((u) => u.as).join(' and ');
  return problems.length === 0
    ? passed(WRITABLE_PATHS, `writable by ${as}: ${listSome(volumes)}`)
    : failed(WRITABLE_PATHS, `not writable: ${listSome(problems)}`);
};
