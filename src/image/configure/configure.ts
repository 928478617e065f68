import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, type StageContext } from '../../core/index.ts';
import { type Platform, platformMatches, type TarEntry } from '../../oci/index.ts';
import { runInRootfs } from '../../testing/index.ts';
import { ancestorsOf, type FileNode, type FileTree, parentOf } from '../file-tree.ts';
import { fileTriggersToActivate } from '../synthesize/dpkg-triggers.ts';
import { JAVA_CACERTS_PATH, withEntryDates } from '../synthesize/java-cacerts.ts';
import { comparePaths } from '../tree-builder.ts';
import { captureChanges } from './rootfs-capture.ts';
import { writeTree } from './rootfs-write.ts';

/**
 * Configuring a dev image's packages (docs/dev-variants.md). The packages are unpacked into the tree by
 * `assemble` as for any image and the dpkg database says "unpacked"; here the tree is written to a scratch
 * root filesystem and `dpkg --configure -a` runs in it, in a runc container with no network, as root,
 * under a fixed environment (SOURCE_DATE_EPOCH, fixed hash seeds, C locale, UTC). What the maintainer scripts
 * and triggers changed becomes one layer on top of the package layers, which stay byte-identical to an
 * unconfigured build (and to the runtime variant's where the packages are the same).
 *
 * Reproducibility: every mtime in the layer is the epoch, and files that record the moment or the host rather
 * than the inputs are dropped (DROPPED below). Runtime variants never come here: they run no package code.
 */

/** What is left out of the configure layer, and why. */
const DROPPED: readonly { readonly re: RegExp; readonly why: string }[] = [
  { re: /^var\/log\/(dpkg\.log|alternatives\.log|apt(\/.*)?)$/, why: 'logs with wall-clock times' },
  { re: /^var\/lib\/dpkg\/[a-z]+-old$/, why: "dpkg's backup of the previous database" },
  { re: /^var\/lib\/dpkg\/(lock|lock-frontend|triggers\/Lock)$/, why: 'lock files' },
  { re: /^var\/cache\/debconf\/[a-z]+\.dat-old$/, why: "debconf's backup of the previous database" },
  { re: /^var\/cache\/ldconfig\/aux-cache$/, why: "ldconfig's cache of inode numbers and ctimes" },
  { re: /^(tmp|var\/tmp|run)\/.+$/, why: 'scratch space' },
];

/** Paths the configure layer leaves out (exported for the docs test and the record). */
export function isDropped(path: string): boolean {
  return DROPPED.some((d) => d.re.test(path));
}

/**
 * Configuring the toolchains takes minutes natively. Under qemu-user every instruction of every script is
 * emulated, and on a busy machine postgres' dev variant (hundreds of update-alternatives calls in perl) took over
 * 30 minutes, so a foreign platform gets longer. A hung script is still stopped.
 */
const TIMEOUT_MS = { native: 30 * 60 * 1000, emulated: 120 * 60 * 1000 };
/** More than this many bytes of changes means something other than configuration happened. */
const MAX_CHANGED_BYTES = 512 * 1024 * 1024;

export interface ConfigureOptions {
  readonly epoch: number;
  /** The image's platform, and the machine's (a foreign one runs through binfmt_misc's qemu). */
  readonly platform: Platform;
  readonly host: Platform;
}

export interface ConfiguredTree {
  /** The tree as configured: what the image shows with the configure layer applied. */
  readonly tree: FileTree;
  /** The configure layer: changed paths with their parents, and whiteouts for removed paths, sorted. */
  readonly entries: readonly TarEntry[];
  /** Paths dropped as logs and caches. */
  readonly dropped: readonly string[];
}

/**
 * Runs `dpkg --configure -a` over `tree` (which must carry dpkg's database in the unpacked state), replays
 * the file triggers unpacking would have activated, and requires `dpkg --audit` to be silent afterwards.
 * @throws IroncladError DEFINITION_INVALID when configuring fails (dpkg's output in the message);
 *   RUNTIME_UNAVAILABLE when runc cannot run the platform here or configuring does not finish in time;
 *   HOSTILE_INPUT from captureChanges.
 */
export async function configureTree(
  tree: FileTree,
  opts: ConfigureOptions,
  ctx: StageContext,
): Promise<ConfiguredTree> {
  // A fresh scratch directory of the home (its leftovers are swept like any other), always removed.
  const bundle = await ctx.home.scratchDir('configure');
  try {
    const rootfs = join(bundle, 'rootfs');
    await writeTree(tree, rootfs);
    const native = platformMatches(opts.host, opts.platform) || platformMatches(opts.platform, opts.host);
    const timeoutMs = native ? TIMEOUT_MS.native : TIMEOUT_MS.emulated;
    const result = await runInRootfs(
      bundle,
      {
        args: ['/bin/sh', '-ec', configureScript(fileTriggersToActivate(tree))],
        env: configureEnv(opts.epoch),
        platform: opts.platform,
        host: opts.host,
        timeoutMs,
        stderr: (c) => ctx.log.debug(Buffer.from(c).toString('utf8').trimEnd()),
      },
      ctx,
    );
    if (result.timedOut) {
      fail(
        'RUNTIME_UNAVAILABLE',
        `configuring the packages did not finish within ${timeoutMs / 60_000} minutes` +
          (native ? '' : ' under qemu-user emulation'),
        {
          hint: native
            ? 'a maintainer script may be waiting for something; IRONCLAD_DEBUG=1 shows its output as it runs'
            : 'emulation is much slower on a busy machine: build this platform when the machine is idle, or on one of its own',
        },
      );
    }
    if (result.exitCode !== 0) {
      const out = firstAndLast(`${result.stdout}\n${result.stderr}`.trim().split('\n'), 25, 10);
      fail('DEFINITION_INVALID', `configuring the packages failed (exit ${result.exitCode}):\n${out}`, {
        hint: 'a package needs something the variant does not list; add it to the variant packages and re-lock',
      });
    }
    const changes = await captureChanges(rootfs, tree, {
      epoch: opts.epoch,
      dropped: isDropped,
      maxBytes: MAX_CHANGED_BYTES,
    });
    const changed = changes.changed.map((n) => reproducibleNode(n, opts.epoch));
    return { ...applyChanges(tree, changed, changes.removed, opts.epoch), dropped: changes.dropped };
  } finally {
    await rm(bundle, { recursive: true, force: true });
  }
}

/**
 * A file a maintainer script wrote with the wall-clock time inside it, made a function of the epoch instead:
 * ca-certificates-java's Java trust store dates every entry (the file's mtime is clamped like every other).
 */
function reproducibleNode(node: FileNode, epoch: number): FileNode {
  if (node.path !== JAVA_CACERTS_PATH || node.type !== 'file') return node;
  return { ...node, data: withEntryDates(node.data, epoch * 1000) };
}

/** dpkg's first complaint is usually the cause and its last the summary; the middle repeats. */
function firstAndLast(lines: readonly string[], first: number, last: number): string {
  if (lines.length <= first + last) return lines.join('\n');
  return [...lines.slice(0, first), `[... ${lines.length - first - last} lines ...]`, ...lines.slice(-last)].join('\n');
}

const SNAKEOIL_KEY = '/etc/ssl/private/ssl-cert-snakeoil.key';
const SNAKEOIL_CERT = '/etc/ssl/certs/ssl-cert-snakeoil.pem';

/**
 * The script run in the container. dpkg configures packages in dependency order and then runs the triggers
 * they activated; file triggers, which dpkg activates while unpacking, are activated here by name.
 */
export function configureScript(fileTriggers: readonly string[]): string {
  const quoted = fileTriggers.map((t) => `'${t.replaceAll("'", `'\\''`)}'`).join(' ');
  return [
    // base-passwd's preinst would have written /etc/passwd and /etc/group from its master files; the build
    // generated them with the image's accounts only, so the system accounts scripts chown to are added here.
    'if [ -x /usr/sbin/update-passwd ]; then update-passwd; fi',
    'dpkg --configure -a',
    ...(fileTriggers.length > 0 ? [`for t in ${quoted}; do dpkg-trigger --no-await "$t"; done`] : []),
    'dpkg --triggers-only -a',
    // ssl-cert's postinst makes a random "snakeoil" key pair. An image must not carry a private key made at build
    // time (everyone who pulls it has the key), and a random one would change every build's digest. Neither file
    // belongs to a package, so dpkg misses nothing; `make-ssl-cert generate-default-snakeoil` makes a pair in a
    // container that wants one. Any other key a script leaves is refused rather than shipped.
    `rm -f ${SNAKEOIL_KEY} ${SNAKEOIL_CERT}`,
    "find /etc/ssl/certs -lname '*ssl-cert-snakeoil.pem' -delete 2>/dev/null || :",
    'keys=$(find /etc/ssl/private ! -type d 2>/dev/null || :)',
    'if [ -n "$keys" ]; then echo "a maintainer script left private keys in the image:" $keys >&2; exit 1; fi',
    'audit=$(dpkg --audit)',
    'if [ -n "$audit" ]; then echo "$audit" >&2; exit 1; fi',
  ].join('\n');
}

/** A fixed environment: no terminal, no questions, and every knob that makes tools' output vary pinned. */
export function configureEnv(epoch: number): string[] {
  return [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'HOME=/root',
    'DEBIAN_FRONTEND=noninteractive',
    'DEBCONF_NONINTERACTIVE_SEEN=true',
    'LC_ALL=C',
    'TZ=UTC',
    `SOURCE_DATE_EPOCH=${epoch}`,
    'PERL_HASH_SEED=0',
    'PERL_PERTURB_KEYS=0',
    'PYTHONHASHSEED=0',
  ];
}

function applyChanges(
  tree: FileTree,
  changed: readonly FileNode[],
  removed: readonly string[],
  epoch: number,
): { tree: FileTree; entries: TarEntry[] } {
  const nodes = new Map(tree.nodes);
  for (const path of removed) {
    for (const p of [...nodes.keys()]) if (p === path || p.startsWith(`${path}/`)) nodes.delete(p);
  }
  for (const n of changed) nodes.set(n.path, n);
  const sorted = new Map([...nodes].sort(([a], [b]) => comparePaths(a, b)));
  const paths = new Set<string>();
  for (const n of changed) for (const p of [...ancestorsOf(n.path), n.path]) paths.add(p);
  for (const p of removed) for (const a of ancestorsOf(p)) paths.add(a);
  const entries: TarEntry[] = [...paths].map((p) => toEntry(sorted.get(p)!, epoch));
  for (const p of removed) {
    const dir = parentOf(p);
    const name = `.wh.${p.slice(dir.length === 0 ? 0 : dir.length + 1)}`;
    // OCI image-spec layer.md, "Whiteouts": an empty file named .wh.<name> hides <name> of lower layers.
    entries.push({
      type: 'file',
      path: dir === '' ? name : `${dir}/${name}`,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: epoch,
      data: new Uint8Array(),
    });
  }
  entries.sort((a, b) => comparePaths(a.path, b.path));
  return { tree: { ...tree, nodes: sorted }, entries };
}

function toEntry(n: FileNode, epoch: number): TarEntry {
  const base = { path: n.path, mode: n.mode, uid: n.uid, gid: n.gid, mtime: Math.min(n.mtime, epoch) };
  switch (n.type) {
    case 'dir':
      return { ...base, type: 'dir' };
    case 'symlink':
      return { ...base, type: 'symlink', target: n.target };
    case 'file':
    case 'hardlink':
      return { ...base, type: 'file', data: n.data };
  }
}
