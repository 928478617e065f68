import { fail } from '../core/index.ts';
import type { LockedPackage } from '../definition/index.ts';
import { copyNode } from './file-data.ts';
import { ancestorsOf, type FileNode, type FileTree, sameContent } from './file-tree.ts';
import { DEFAULT_MAX_LAYERS, groupPackages, type LayerPlan, type PackageGroup, treeToLayers } from './layers-plan.ts';

/*
 * The layers a customization adds on top of its base image (docs/customization.md). The customization's whole
 * tree is assembled as for any image; what differs from the base image's tree goes into new layers: one per
 * source package the customization adds, then one with everything else it changed (its paths, certificates and
 * accounts, and the generated files that list them: status.d, passwd, the CA bundle). The base's layers are
 * used as they are, so the result starts with exactly the base image's layers.
 */

/** The layer holding what the customization changed that no added package ships. */
export const CUSTOMIZATION_GROUP = 'ironclad-customization';

/**
 * Plans the layers on top of the base: the nodes of `tree` that are missing from `base` or differ from it (type,
 * mode, owner, content or link target; mtimes do not count), each with the parents it needs. Pure. Throws
 * DEFINITION_INVALID when the customization removes a path of the base: a layer on top could only hide it, and
 * the base's layers would still ship it.
 */
export function customizationPlans(
  tree: FileTree,
  base: FileTree,
  added: readonly LockedPackage[],
  epoch: number,
): LayerPlan[] {
  const removed = [...base.nodes.keys()].filter((p) => !tree.nodes.has(p));
  if (removed.length > 0) {
    fail('DEFINITION_INVALID', `the customization removes /${removed[0]} of its base`, {
      hint: 'a customization adds to its base; to remove something, change the base definition',
    });
  }
  const addedNames = new Set(added.map((p) => p.name));
  const ownersHere = (n: FileNode): FileNode => copyNode(n, { owners: n.owners.filter((o) => addedNames.has(o)) });
  const nodes = new Map<string, FileNode>();
  for (const node of tree.nodes.values()) {
    const was = base.nodes.get(node.path);
    if (was !== undefined && unchanged(was, node)) continue;
    for (const dir of ancestorsOf(node.path)) {
      const parent = tree.nodes.get(dir);
      if (parent !== undefined && !nodes.has(dir)) nodes.set(dir, ownersHere(parent));
    }
    nodes.set(node.path, ownersHere(node));
  }
  const packageGroups = groupPackages(added, DEFAULT_MAX_LAYERS).filter((g) => g.kind === 'packages');
  const groups: PackageGroup[] = [
    ...packageGroups,
    { name: CUSTOMIZATION_GROUP, kind: 'synthesized', packages: [], size: 0 },
  ];
  const diff: FileTree = { ...tree, nodes };
  // A group of an added package that ships nothing new (all its files identical to the base's) has no layer.
  return treeToLayers(diff, groups, epoch).filter((p) => p.entries.length > 0 || p.group.kind === 'synthesized');
}

function unchanged(a: FileNode, b: FileNode): boolean {
  return a.type === b.type && a.uid === b.uid && a.gid === b.gid && sameContent(a, b);
}
