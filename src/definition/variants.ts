import { fail } from '../core/index.ts';
import type { PackageSpec } from './fields.ts';
import type { PathSpec } from './paths-schema.ts';
import type { Definition, VariantOverlay } from './schema.ts';
import type { DefinitionTest } from './tests-schema.ts';

/** The name of the base definition as a variant. */
export const RUNTIME_VARIANT = 'runtime';

/** The label that records `read-only-root: true` in the image, so `run` and `test` honour it wherever the image goes. */
export const READ_ONLY_ROOT_LABEL = 'dev.ironclad.read-only-root';
/** Labels naming the definition an image was built from (read back by `ironclad test IMAGE`). */
export const DEFINITION_LABELS = {
  path: 'dev.ironclad.definition',
  digest: 'dev.ironclad.definition-digest',
} as const;
/** The label that records `arbitrary-uid: true`: the image promises to work as any uid in group 0 (OpenShift). */
export const ARBITRARY_UID_LABEL = 'dev.ironclad.arbitrary-uid';

/** One concrete image to build: the base definition with at most one overlay applied. */
export interface ImageVariant {
  /** `runtime` for the base definition, otherwise the key under `variants`. */
  readonly variant: string;
  readonly name: string;
  readonly description?: string;
  readonly kind: Definition['kind'];
  readonly distro: string;
  readonly platforms: readonly string[];
  /** Base tags with the variant's suffix appended (unchanged for runtime). */
  readonly tags: readonly string[];
  readonly packages: readonly PackageSpec[];
  readonly exclude: readonly string[];
  readonly user: string;
  readonly accounts: Definition['accounts'];
  readonly environment: Readonly<Record<string, string>>;
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly workdir?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** `port/protocol`, as ExposedPorts keys. */
  readonly ports: readonly string[];
  readonly volumes: readonly string[];
  readonly stopSignal?: string;
  readonly sizeBudget?: number;
  /** Upper bound on the number of installed packages. */
  readonly packageBudget?: number;
  readonly paths: readonly PathSpec[];
  readonly tests: readonly DefinitionTest[];
  readonly shell: boolean;
  readonly packageManager: boolean;
  /** Packages are configured at build time (dev variants); runtime variants never are. */
  readonly configure: boolean;
  /** The image runs with a read-only root file system (tmpfs on /tmp and the volumes). */
  readonly readOnlyRoot: boolean;
  /** The image works as an arbitrary uid in group 0: its volumes are writable by group 0. */
  readonly arbitraryUid: boolean;
  /** Layer compression (the definition's `compression`, the same for every variant). */
  readonly compression: 'gzip' | 'zstd';
}

/**
 * Expands a definition into its concrete variants: `runtime` first, then each named variant in name order.
 * Overlay rules: packages, exclude and tests are appended, a later entry replacing an earlier one with the same
 * name (so a variant can re-pin a package or redefine a test), and `drop-tests` leaves named base tests out;
 * environment, labels and annotations are merged, the overlay
 * winning; paths are appended, one with the same path and platforms replacing the base entry, and `drop-paths` leaves named
 * base entries out; user, entrypoint, cmd,
 * work-dir, stop-signal, ports, volumes, description, read-only-root, arbitrary-uid and the shell / package-manager
 * flags are replaced.
 * A package the variant lists explicitly is dropped from the inherited exclude list: that is how a dev variant
 * brings back what the runtime leaves out. `size-budget` and `package-budget` are not inherited, because a budget
 * for the runtime image says nothing about a variant that adds a shell and a package manager. Pure.
 */
export function expandVariants(def: Definition): readonly ImageVariant[] {
  const base = runtimeVariant(def);
  const names = Object.keys(def.variants).sort();
  return [base, ...names.map((n) => applyOverlay(base, n, def.variants[n] ?? {}))];
}

/**
 * Picks variants by a selector: `all`, `runtime`, or a variant name (such as `dev`). Throws USAGE, listing the
 * available names, when the selector names no variant of this definition.
 */
export function selectVariants(def: Definition, selector: string): readonly ImageVariant[] {
  const all = expandVariants(def);
  if (selector === 'all') return all;
  const chosen = all.filter((v) => v.variant === selector);
  if (chosen.length === 0) {
    const names = ['all', ...all.map((v) => v.variant)].join(', ');
    fail('USAGE', `image ${def.name} has no variant "${selector}"`, { hint: `choose one of: ${names}` });
  }
  return chosen;
}

function runtimeVariant(def: Definition): ImageVariant {
  return {
    variant: RUNTIME_VARIANT,
    name: def.name,
    ...(def.description === undefined ? {} : { description: def.description }),
    kind: def.kind,
    distro: def.distro,
    platforms: def.platforms,
    tags: def.tags,
    packages: def.packages,
    exclude: def.exclude,
    user: def.user,
    accounts: def.accounts,
    environment: def.environment,
    ...(def.entrypoint === undefined ? {} : { entrypoint: def.entrypoint }),
    ...(def.cmd === undefined ? {} : { cmd: def.cmd }),
    ...(def.workdir === undefined ? {} : { workdir: def.workdir }),
    labels: def.labels,
    annotations: def.annotations,
    ports: def.ports,
    volumes: def.volumes,
    ...(def.stopSignal === undefined ? {} : { stopSignal: def.stopSignal }),
    ...(def.sizeBudget === undefined ? {} : { sizeBudget: def.sizeBudget }),
    ...(def.packageBudget === undefined ? {} : { packageBudget: def.packageBudget }),
    paths: def.paths,
    tests: def.tests,
    shell: def.shell,
    packageManager: def.packageManager,
    configure: false,
    readOnlyRoot: def.readOnlyRoot,
    arbitraryUid: def.arbitraryUid,
    compression: def.compression,
  };
}

function applyOverlay(base: ImageVariant, variant: string, o: VariantOverlay): ImageVariant {
  const packages = mergeByKey(base.packages, o.packages ?? [], (p) => p.name);
  const requested = new Set(packages.map((p) => p.name));
  const exclude = mergeByKey(base.exclude, o.exclude ?? [], (n) => n).filter((n) => !requested.has(n));
  const suffix = o.tagsSuffix ?? `-${variant}`;
  const { sizeBudget: _runtimeSize, packageBudget: _runtimePackages, ...inherited } = base;
  return {
    ...inherited,
    variant,
    ...(o.description === undefined ? {} : { description: o.description }),
    tags: base.tags.map((t) => `${t}${suffix}`),
    packages,
    exclude,
    user: o.user ?? base.user,
    environment: { ...base.environment, ...o.environment },
    ...(o.entrypoint === undefined ? {} : { entrypoint: o.entrypoint }),
    ...(o.cmd === undefined ? {} : { cmd: o.cmd }),
    ...(o.workdir === undefined ? {} : { workdir: o.workdir }),
    labels: { ...base.labels, ...o.labels },
    annotations: { ...base.annotations, ...o.annotations },
    ports: o.ports ?? base.ports,
    volumes: o.volumes ?? base.volumes,
    ...(o.stopSignal === undefined ? {} : { stopSignal: o.stopSignal }),
    // Keyed by path and platforms: one path declared once per platform (a symlink to an architecture's
    // directory) is several entries, all kept.
    paths: mergeByKey(
      base.paths.filter((p) => !(o.dropPaths ?? []).includes(p.path)),
      o.paths ?? [],
      (p) => `${p.path} ${(p.platforms ?? []).join(',')}`,
    ),
    ...(o.sizeBudget === undefined ? {} : { sizeBudget: o.sizeBudget }),
    ...(o.packageBudget === undefined ? {} : { packageBudget: o.packageBudget }),
    tests: mergeByKey(
      base.tests.filter((t) => !(o.dropTests ?? []).includes(t.name)),
      o.tests ?? [],
      (t) => t.name,
    ),
    shell: o.shell ?? base.shell,
    packageManager: o.packageManager ?? base.packageManager,
    configure: o.configure ?? o.packageManager ?? base.packageManager,
    readOnlyRoot: o.readOnlyRoot ?? base.readOnlyRoot,
    arbitraryUid: o.arbitraryUid ?? base.arbitraryUid,
  };
}

/** Appends `added` to `base`; an added item whose key already exists replaces that item in place. */
function mergeByKey<T>(base: readonly T[], added: readonly T[], key: (item: T) => string): readonly T[] {
  const out = new Map<string, T>();
  for (const item of [...base, ...added]) out.set(key(item), item);
  return [...out.values()];
}

/** The other variants `v`'s tests run commands in (exec probes with `variant:`), in first-use order. */
export function probedVariants(v: ImageVariant): readonly string[] {
  const names = v.tests.flatMap((t) =>
    t.kind === 'service'
      ? t.probes.flatMap((p) => (p.kind === 'exec' && p.variant !== undefined ? [p.variant] : []))
      : [],
  );
  return [...new Set(names)].filter((n) => n !== v.variant);
}

/**
 * `variants` reordered so that a variant whose image another one's tests run commands in comes first (a dev
 * variant holding the client a runtime's service test uses): built in this order, every test finds the image it
 * needs. Otherwise the order is kept.
 */
export function inBuildOrder(variants: readonly ImageVariant[]): readonly ImageVariant[] {
  const needed = new Set(variants.flatMap(probedVariants));
  return [...variants.filter((v) => needed.has(v.variant)), ...variants.filter((v) => !needed.has(v.variant))];
}
