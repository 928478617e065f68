import { fail } from '../../core/index.ts';
import { isRecord } from '../encoding.ts';
import type { ProvenanceBase, ProvenanceDependency, ReadProvenance, ResourceDescriptor } from './provenance.ts';

/*
 * Validating reader for Ironclad SLSA provenance (the inverse of buildProvenance). Every problem is collected
 * and reported at once (STYLE.md rule 10) as one INVALID_INPUT error.
 */

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Collects field problems while reading an untrusted JSON tree. */
class Fields {
  readonly problems: string[] = [];

  obj(parent: Record<string, unknown>, key: string, path: string): Record<string, unknown> {
    const v = parent[key];
    if (isRecord(v)) return v;
    this.problems.push(`${path}.${key}`);
    return {};
  }

  str(parent: Record<string, unknown>, key: string, path: string): string {
    const v = parent[key];
    if (typeof v === 'string' && v !== '') return v;
    this.problems.push(`${path}.${key}`);
    return '';
  }

  optStr(parent: Record<string, unknown>, key: string, path: string): string | undefined {
    const v = parent[key];
    if (v === undefined || typeof v === 'string') return v;
    this.problems.push(`${path}.${key}`);
    return undefined;
  }

  sha256(parent: Record<string, unknown>, path: string): string {
    const digest = this.obj(parent, 'digest', path);
    const v = digest.sha256;
    if (typeof v === 'string' && HEX_SHA256.test(v)) return v;
    this.problems.push(`${path}.digest.sha256`);
    return '';
  }
}

/** @throws IroncladError `INVALID_INPUT` naming every invalid field, or when the buildType is not `buildType`. */
export function readProvenance(predicate: Record<string, unknown>, buildType: string): ReadProvenance {
  const f = new Fields();
  const def = f.obj(predicate, 'buildDefinition', '$');
  const run = f.obj(predicate, 'runDetails', '$');
  const type = def.buildType;
  if (type !== buildType) {
    fail('INVALID_INPUT', `provenance: buildType is ${JSON.stringify(type)?.slice(0, 100)}, expected ${buildType}`, {
      hint: 'only provenance written by Ironclad can drive a rebuild',
    });
  }
  const ext = f.obj(def, 'externalParameters', '$.buildDefinition');
  const int = f.obj(def, 'internalParameters', '$.buildDefinition');
  const definition = f.obj(ext, 'definition', '$.externalParameters');
  const builder = f.obj(run, 'builder', '$.runDetails');
  const result = {
    definition: {
      path: f.str(definition, 'path', '$.externalParameters.definition'),
      sha256: f.sha256(definition, '$.externalParameters.definition'),
      ...readDocument(f, definition),
    },
    variant: f.str(ext, 'variant', '$.externalParameters'),
    platform: f.str(ext, 'platform', '$.externalParameters'),
    ...readSource(f, ext),
    noTest: readBool(f, ext, 'noTest', '$.externalParameters'),
    ...readCompression(f, ext),
    ...readBase(f, ext),
    ironcladVersion: f.str(int, 'ironcladVersion', '$.internalParameters'),
    sourceDateEpoch: readEpoch(f, int),
    builderId: f.str(builder, 'id', '$.runDetails.builder'),
    ...readMetadata(f, run),
    ...readByproducts(f, run),
    dependencies: readDependencies(f, def),
  };
  if (f.problems.length > 0) fail('INVALID_INPUT', `provenance: missing or invalid ${f.problems.join(', ')}`);
  return result;
}

/** The recorded definition document: a JSON object when present (absent in provenance of older builds). */
function readDocument(
  f: Fields,
  definition: Record<string, unknown>,
): { document?: Readonly<Record<string, unknown>> } {
  if (definition.document === undefined) return {};
  if (isRecord(definition.document)) return { document: definition.document };
  f.problems.push('$.externalParameters.definition.document');
  return {};
}

function readSource(f: Fields, ext: Record<string, unknown>): { source?: { repository: string; revision: string } } {
  if (ext.source === undefined) return {};
  const src = f.obj(ext, 'source', '$.externalParameters');
  const path = '$.externalParameters.source';
  return { source: { repository: f.str(src, 'repository', path), revision: f.str(src, 'revision', path) } };
}

/** Absent means gzip; a compression this version cannot write is refused rather than rebuilt otherwise. */
function readCompression(f: Fields, ext: Record<string, unknown>): { compression?: 'zstd' } {
  if (ext.compression === undefined) return {};
  if (ext.compression === 'zstd') return { compression: 'zstd' };
  f.problems.push('$.externalParameters.compression');
  return {};
}

/** A customization's base (docs/customization.md); absent for any other image. */
function readBase(
  f: Fields,
  ext: Record<string, unknown>,
  parent = '$.externalParameters',
  depth = 0,
): { base?: ProvenanceBase } {
  if (ext.base === undefined) return {};
  const path = `${parent}.base`;
  // A chain of customizations is short (the loader allows 8 links); deeper nesting is not ours.
  if (depth >= 8) {
    f.problems.push(path);
    return {};
  }
  const b = f.obj(ext, 'base', parent);
  const definition = f.obj(b, 'definition', path);
  const epoch = b.sourceDateEpoch;
  const packages = b.packages;
  const names = Array.isArray(packages) && packages.every((n) => typeof n === 'string') ? packages : undefined;
  if (names === undefined) f.problems.push(`${path}.packages`);
  if (!(typeof epoch === 'number' && Number.isSafeInteger(epoch) && epoch >= 0))
    f.problems.push(`${path}.sourceDateEpoch`);
  return {
    base: {
      name: f.str(b, 'name', path),
      manifestSha256: f.sha256(b, path),
      variant: f.str(b, 'variant', path),
      definition: {
        path: f.str(definition, 'path', `${path}.definition`),
        sha256: f.sha256(definition, `${path}.definition`),
      },
      sourceDateEpoch: typeof epoch === 'number' ? epoch : 0,
      packages: names ?? [],
      ...readBase(f, b, path, depth + 1),
    },
  };
}

function readBool(f: Fields, parent: Record<string, unknown>, key: string, path: string): boolean {
  if (typeof parent[key] === 'boolean') return parent[key];
  f.problems.push(`${path}.${key}`);
  return false;
}

function readEpoch(f: Fields, int: Record<string, unknown>): number {
  const v = int.sourceDateEpoch;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  f.problems.push('$.internalParameters.sourceDateEpoch');
  return 0;
}

function readMetadata(
  f: Fields,
  run: Record<string, unknown>,
): Partial<Record<'invocationId' | 'startedOn' | 'finishedOn', string>> {
  if (run.metadata === undefined) return {};
  const m = f.obj(run, 'metadata', '$.runDetails');
  const out: Partial<Record<'invocationId' | 'startedOn' | 'finishedOn', string>> = {};
  for (const key of ['invocationId', 'startedOn', 'finishedOn'] as const) {
    const v = f.optStr(m, key, '$.runDetails.metadata');
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function readByproducts(f: Fields, run: Record<string, unknown>): { byproducts?: readonly ResourceDescriptor[] } {
  if (run.byproducts === undefined) return {};
  if (!Array.isArray(run.byproducts) || !run.byproducts.every(isRecord)) {
    f.problems.push('$.runDetails.byproducts');
    return {};
  }
  return { byproducts: run.byproducts as ResourceDescriptor[] };
}

function readDependencies(f: Fields, def: Record<string, unknown>): ProvenanceDependency[] {
  const deps = def.resolvedDependencies;
  if (!Array.isArray(deps)) {
    f.problems.push('$.buildDefinition.resolvedDependencies');
    return [];
  }
  return deps.flatMap((d: unknown, i): ProvenanceDependency[] => {
    const path = `$.buildDefinition.resolvedDependencies[${i}]`;
    if (!isRecord(d)) {
      f.problems.push(path);
      return [];
    }
    const dep = readDependency(f, d, path);
    return dep ? [dep] : [];
  });
}

function readDependency(f: Fields, d: Record<string, unknown>, path: string): ProvenanceDependency | undefined {
  const uri = f.str(d, 'uri', path);
  if (d.name === 'source' && d.annotations === undefined) {
    const at = uri.lastIndexOf('@');
    return { kind: 'source', uri: at > 0 ? uri.slice(0, at) : uri, revision: at > 0 ? uri.slice(at + 1) : '' };
  }
  const ann = f.obj(d, 'annotations', path);
  const apath = `${path}.annotations`;
  switch (ann.kind) {
    case 'suite':
      return {
        kind: 'suite',
        suite: f.str(d, 'name', path),
        uri,
        inReleaseSha256: f.sha256(d, path),
        date: f.str(ann, 'date', apath),
      };
    case 'deb':
      return {
        kind: 'package',
        name: f.str(d, 'name', path),
        version: f.str(ann, 'version', apath),
        architecture: f.str(ann, 'architecture', apath),
        suite: f.str(ann, 'suite', apath),
        uri,
        sha256: f.sha256(d, path),
        ...readRebuildHints(f, ann, apath),
      };
    default:
      f.problems.push(`${apath}.kind`);
      return undefined;
  }
}

/** The optional `source`, `sourceVersion` and decimal `size` annotations of a .deb dependency. */
function readRebuildHints(
  f: Fields,
  ann: Record<string, unknown>,
  path: string,
): { source?: string; sourceVersion?: string; size?: number } {
  const source = f.optStr(ann, 'source', path);
  const sourceVersion = f.optStr(ann, 'sourceVersion', path);
  const sizeText = f.optStr(ann, 'size', path);
  let size: number | undefined;
  if (sizeText !== undefined) {
    size = /^[0-9]{1,15}$/.test(sizeText) ? Number(sizeText) : undefined;
    if (size === undefined) f.problems.push(`${path}.size`);
  }
  return {
    ...(source !== undefined && { source }),
    ...(sourceVersion !== undefined && { sourceVersion }),
    ...(size !== undefined && { size }),
  };
}
