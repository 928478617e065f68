import { type FsEntry, type ImageFilesystem, readTar } from '../../oci/index.ts';
import { type ElfFacts, isElf, readElf } from '../elf.ts';
import { type Check, failed, listSome, passed, skipped } from './check.ts';

export const LINKAGE = 'linkage';

/** Largest file read as a possible ELF; bigger ones are counted as not checked. */
const MAX_ELF_BYTES = 512 * 1024 * 1024;
const MAX_CONF_BYTES = 64 * 1024;

/** OCI architecture → ELF e_machine and Debian multiarch triplet (the directories ld.so searches). */
const ARCHES: Readonly<Record<string, { machine: number; triplet: string }>> = {
  amd64: { machine: 62, triplet: 'x86_64-linux-gnu' },
  arm64: { machine: 183, triplet: 'aarch64-linux-gnu' },
  arm: { machine: 40, triplet: 'arm-linux-gnueabihf' },
  '386': { machine: 3, triplet: 'i386-linux-gnu' },
  ppc64le: { machine: 21, triplet: 'powerpc64le-linux-gnu' },
  s390x: { machine: 22, triplet: 's390x-linux-gnu' },
  riscv64: { machine: 243, triplet: 'riscv64-linux-gnu' },
};

/** Whether a final-tree file may be an executable or a shared object worth reading. */
function candidate(e: FsEntry): boolean {
  if (e.type !== 'file' || e.size < 64) return false;
  const base = e.path.slice(e.path.lastIndexOf('/') + 1);
  return (e.mode & 0o111) !== 0 || /\.so(\.|$)/.test(base);
}

/**
 * Reads the ELF facts of every candidate file of the final tree, streaming each layer at most once; keyed by
 * path. Files above MAX_ELF_BYTES are returned in `unchecked`.
 */
export async function collectElfFacts(
  fs: ImageFilesystem,
): Promise<{ facts: Map<string, ElfFacts>; unchecked: string[] }> {
  const byLayer = new Map<number, Map<number, FsEntry>>();
  const unchecked: string[] = [];
  for (const e of fs.entries.values()) {
    if (!candidate(e)) continue;
    if (e.size > MAX_ELF_BYTES) {
      unchecked.push(`/${e.path}`);
      continue;
    }
    const m = byLayer.get(e.layerIndex) ?? new Map<number, FsEntry>();
    byLayer.set(e.layerIndex, m);
    m.set(e.ordinal, e);
  }
  const facts = new Map<string, ElfFacts>();
  const layers = fs.image.layers();
  for (const [index, wanted] of byLayer) {
    for await (const t of readTar(await layers[index]!.openUncompressed(), { compression: 'none' })) {
      const e = wanted.get(t.ordinal);
      if (e === undefined) continue;
      // The entry is read to its end either way (leaving a tar entry half-read stalls the stream); only an ELF
      // is kept in memory.
      const chunks: Buffer[] = [];
      let elf: boolean | undefined;
      for await (const c of t.content()) {
        elf ??= isElf(c);
        if (elf) chunks.push(Buffer.from(c));
      }
      const parsed = elf === true ? readElf(Buffer.concat(chunks)) : undefined;
      if (parsed !== undefined) facts.set(e.path, parsed);
    }
  }
  return { facts, unchecked };
}

/** The path a name resolves to inside the image (symlinks, then hardlinks followed), when a regular file. */
function realFile(fs: ImageFilesystem, path: string): string | undefined {
  let e = fs.resolve(path);
  for (let hops = 0; e?.type === 'hardlink' && hops < 8; hops++) e = fs.entries.get(e.linkTarget ?? '');
  return e?.type === 'file' ? e.path : undefined;
}

/** Directories of /etc/ld.so.conf and what it includes (globs of `dir/*.conf`), in file order. */
async function ldSoConfDirs(fs: ImageFilesystem): Promise<string[]> {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const read = async (path: string, depth: number): Promise<void> => {
    if (depth > 4 || seen.has(path) || realFile(fs, path) === undefined) return;
    seen.add(path);
    const text = Buffer.from(await fs.readFile(path, MAX_CONF_BYTES)).toString('utf8');
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (line === '') continue;
      const inc = /^include\s+(\S+)$/.exec(line);
      if (inc === null) {
        dirs.push(line.replace(/\/+$/, ''));
        continue;
      }
      for (const p of globConf(fs, inc[1]!)) await read(p, depth + 1);
    }
  };
  await read('/etc/ld.so.conf', 0);
  if (!seen.has('/etc/ld.so.conf')) for (const p of globConf(fs, '/etc/ld.so.conf.d/*.conf')) await read(p, 1);
  return dirs;
}

/** `DIR/*.conf`-style patterns (the only kind ld.so.conf files use), expanded against the image, sorted. */
function globConf(fs: ImageFilesystem, pattern: string): string[] {
  const slash = pattern.lastIndexOf('/');
  const dir = pattern.slice(0, slash).replace(/^\//, '');
  const re = new RegExp(
    `^${pattern
      .slice(slash + 1)
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  return fs
    .paths()
    .filter(
      (p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/') && re.test(p.slice(dir.length + 1)),
    )
    .map((p) => `/${p}`);
}

/** `$ORIGIN`, `$LIB` and `$PLATFORM` in RPATH/RUNPATH entries (ld.so(8), "Dynamic string tokens"). */
function expand(entry: string, origin: string, triplet: string): string {
  return entry
    .replace(/\$(ORIGIN|\{ORIGIN\})/g, origin)
    .replace(/\$(LIB|\{LIB\})/g, `lib/${triplet}`)
    .replace(/\$(PLATFORM|\{PLATFORM\})/g, triplet.split('-')[0]!);
}

/**
 * Linkage: every ELF executable and shared object of the image's architecture has its interpreter (PT_INTERP)
 * and each DT_NEEDED library inside the image, searched as ld.so does: RPATH (when there is no RUNPATH),
 * LD_LIBRARY_PATH from the image config, RUNPATH, the directories of /etc/ld.so.conf(.d), then the default and
 * multiarch directories; `$ORIGIN` is the real directory of the object. A candidate of another class or machine
 * is passed over, as ld.so does. Read from headers only; nothing runs, so every platform is checked.
 */
export const linkage: Check = async ({ fs, config }) => {
  const arch = ARCHES[config.architecture];
  if (arch === undefined) return skipped(LINKAGE, `no ELF machine is known for ${config.architecture}`);
  const { facts, unchecked } = await collectElfFacts(fs);
  const env = config.config?.Env ?? [];
  const ldLibraryPath = (env.find((e) => e.startsWith('LD_LIBRARY_PATH='))?.slice(16) ?? '').split(':');
  const system = [
    ...(await ldSoConfDirs(fs)),
    `/lib/${arch.triplet}`,
    `/usr/lib/${arch.triplet}`,
    '/lib',
    '/usr/lib',
    '/lib64',
    '/usr/lib64',
  ];
  const problems: string[] = [];
  let checked = 0;
  for (const [path, elf] of facts) {
    if (elf.machine !== arch.machine || (elf.type !== 2 && elf.type !== 3) || path.startsWith('usr/lib/debug/')) {
      continue;
    }
    checked++;
    if (elf.interpreter !== undefined && realFile(fs, elf.interpreter) === undefined) {
      problems.push(`/${path}: interpreter ${elf.interpreter} not found`);
    }
    const origin = `/${path.slice(0, Math.max(0, path.lastIndexOf('/')))}`;
    const own = (list: readonly string[]) => list.map((d) => expand(d, origin, arch.triplet));
    const dirs = [
      ...(elf.runpath.length === 0 ? own(elf.rpath) : []),
      ...ldLibraryPath,
      ...own(elf.runpath),
      ...system,
    ].filter((d) => d !== '');
    for (const lib of elf.needed) {
      const found = lib.includes('/')
        ? realFile(fs, lib)
        : dirs
            .map((d) => realFile(fs, `${d}/${lib}`))
            .find((p) => {
              const f = p === undefined ? undefined : facts.get(p);
              return f !== undefined && f.machine === elf.machine && f.class === elf.class;
            });
      if (found === undefined) problems.push(`/${path}: ${lib} not found`);
    }
  }
  const note = unchecked.length > 0 ? `; not read (over 512 MiB): ${listSome(unchecked)}` : '';
  return problems.length === 0
    ? passed(LINKAGE, `${checked} ELF files: every interpreter and needed library is in the image${note}`)
    : failed(LINKAGE, `missing libraries: ${listSome(problems, 10)}${note}`);
};
