import { localBasePath, type PlannedImage, type PlannedVariant } from './plan.ts';

/**
 * The work of an update as independent jobs for an existing engine (a CI matrix, Kubernetes Indexed Jobs), instead
 * of a scheduler of our own: a build is a pure function of (definition, lock), so each cell runs `ironclad build`
 * alone, and cells share what they compress through an OCI repository (`build --cache-from`). Pure: from a plan to
 * a list; nothing is read or run here.
 */

/** One cell: one variant of one image on one platform. */
export interface BuildJob {
  /** Unique, stable and usable as a Kubernetes name or a CI job label: `<image>-<variant>-<os>-<arch>[-<variant>]`. */
  readonly id: string;
  readonly image: string;
  /** The definition's path as the engine's checkout sees it (repository-relative). */
  readonly definition: string;
  readonly variant: string;
  readonly platform: string;
  /** Why the cell is built: `lock-changed`, `not-built`, or `requested` (`--all`). */
  readonly reason: string;
  /**
   * Cells that must finish first. A variant follows its image's runtime on the same platform: it is cut along the
   * runtime's package groups, so run after it, it finds those layers in the shared repository instead of
   * compressing them again. A customization (`extends:`) follows its base's cell of the same variant and platform
   * when the base is rebuilt too: its first layers are the base's.
   */
  readonly needs: readonly string[];
  /** 0 for cells without needs, else one more than the latest of its needs: engines without a DAG run by wave. */
  readonly wave: number;
  /** The `ironclad` arguments the cell runs. */
  readonly args: readonly string[];
}

/** After its cells, one image variant is assembled for all its platforms and pushed: every layer is shared by then. */
export interface PublishJob {
  readonly id: string;
  readonly image: string;
  readonly definition: string;
  readonly variant: string;
  /** `NAME:TAG` of every tag. */
  readonly tags: readonly string[];
  readonly needs: readonly string[];
  /** The `ironclad` arguments that assemble the image (all platforms, layers from the shared repository). */
  readonly args: readonly string[];
  /** Then one `ironclad push` per tag, when a registry was given. */
  readonly push: readonly (readonly string[])[];
}

export interface JobPlan {
  readonly jobs: readonly BuildJob[];
  /** Jobs grouped by wave, each as a GitHub Actions matrix (`{include: [...]}`); jobs of one wave are independent. */
  readonly waves: readonly { readonly include: readonly BuildJob[] }[];
  readonly publish: readonly PublishJob[];
}

export interface JobPlanOptions {
  /** Plan every variant, not only those `update` would rebuild. */
  readonly all?: boolean;
  /** The repository where cells share layers (`build --cache-from`); none: each cell compresses all it needs. */
  readonly cacheFrom?: string;
  /** `HOST/PREFIX` the published images go to, as `PREFIX/NAME:TAG` (as `update --registry`). */
  readonly registry?: string;
  /** The definition path as a job should name it. */
  readonly definitionPath: (image: PlannedImage) => string;
}

/** Jobs for every variant the plan rebuilds (or every variant with `all`), sorted by wave, then by id. */
export function planJobs(plan: readonly PlannedImage[], opts: JobPlanOptions): JobPlan {
  const jobs: BuildJob[] = [];
  const publish: PublishJob[] = [];
  const shared = opts.cacheFrom === undefined ? [] : ['--cache-from', opts.cacheFrom];
  // Cell ids by definition, variant and platform: a customization's cell follows its base's (the plan lists bases
  // first), whose layers it starts with.
  const cellIds = new Map<string, string>();
  const cellKey = (path: string, variant: string, platform: string) => `${path}\0${variant}\0${platform}`;
  for (const image of plan) {
    const base = localBasePath(image.loaded);
    const definition = opts.definitionPath(image);
    const runtimeIds = new Map<string, string>();
    for (const v of orderRuntimeFirst(image.variants)) {
      const reason = v.rebuild ?? (opts.all === true ? 'requested' : undefined);
      if (reason === undefined) continue;
      const name = v.variant.name;
      const cells: BuildJob[] = v.platforms.map((platform) => {
        const id = jobId(name, v.variant.variant, platform);
        const runtime = v.variant.variant === 'runtime' ? undefined : runtimeIds.get(platform);
        const baseCell = base === undefined ? undefined : cellIds.get(cellKey(base, v.variant.variant, platform));
        const needs = [...(runtime === undefined ? [] : [runtime]), ...(baseCell === undefined ? [] : [baseCell])];
        const wave =
          needs.length === 0 ? 0 : 1 + Math.max(...needs.map((n) => jobs.find((j) => j.id === n)?.wave ?? 0));
        return {
          id,
          image: name,
          definition,
          variant: v.variant.variant,
          platform,
          reason,
          needs,
          wave,
          args: ['build', definition, '--variant', v.variant.variant, '--platform', platform, ...shared],
        };
      });
      if (v.variant.variant === 'runtime') for (const c of cells) runtimeIds.set(c.platform, c.id);
      for (const c of cells) cellIds.set(cellKey(image.loaded.path, c.variant, c.platform), c.id);
      jobs.push(...cells);
      publish.push({
        id: `${slug(name)}-${slug(v.variant.variant)}`,
        image: name,
        definition,
        variant: v.variant.variant,
        tags: v.tags,
        needs: cells.map((c) => c.id),
        args: ['build', definition, '--variant', v.variant.variant, ...shared],
        push: opts.registry === undefined ? [] : v.tags.map((tag) => ['push', tag, `${opts.registry}/${tag}`]),
      });
    }
  }
  jobs.sort((a, b) => a.wave - b.wave || a.id.localeCompare(b.id));
  const waveCount = jobs.reduce((n, j) => Math.max(n, j.wave + 1), 0);
  const waves = Array.from({ length: waveCount }, (_, w) => ({ include: jobs.filter((j) => j.wave === w) }));
  return { jobs, waves, publish };
}

function orderRuntimeFirst(variants: readonly PlannedVariant[]): PlannedVariant[] {
  return [...variants].sort(
    (a, b) => Number(b.variant.variant === 'runtime') - Number(a.variant.variant === 'runtime'),
  );
}

/** A Kubernetes-safe name: lower-case letters, digits and `-`. */
function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function jobId(image: string, variant: string, platform: string): string {
  return [image, variant, ...platform.split('/')].map(slug).join('-');
}
