import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

/*
 * The module graph is a decision written down here (like go-containerregistry's depcheck): each module lists the
 * modules it may import, modules reach each other only through index.ts, and the graph has no cycles.
 * docs/architecture.md draws the same table; change both together.
 */
const SRC = resolve(import.meta.dirname, '../src');

/** Which modules each module may import (besides itself). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  oci: ['core'],
  debian: ['core'],
  definition: ['core'],
  registry: ['core', 'oci'],
  sbom: ['core', 'debian', 'oci'],
  vuln: ['core', 'debian', 'oci', 'sbom'],
  testing: ['core', 'debian', 'definition', 'oci', 'sbom', 'vuln'],
  compare: ['core', 'debian', 'oci', 'sbom', 'vuln'],
  image: ['core', 'debian', 'definition', 'oci', 'sbom', 'testing', 'vuln'],
  attest: ['core', 'debian', 'definition', 'image', 'oci', 'sbom', 'testing'],
  catalog: ['attest', 'core', 'definition', 'oci', 'testing', 'vuln'],
  policy: ['attest', 'core'],
  server: ['catalog', 'compare', 'core', 'oci', 'testing', 'vuln'],
  update: ['attest', 'core', 'debian', 'definition', 'image', 'oci', 'sbom', 'vuln'],
  cli: [
    'attest',
    'catalog',
    'compare',
    'core',
    'debian',
    'definition',
    'image',
    'oci',
    'policy',
    'registry',
    'sbom',
    'server',
    'testing',
    'update',
    'vuln',
  ],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(path: string): string[] {
  const src = readFileSync(path, 'utf8');
  return [...src.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1] ?? '');
}

/** Module-to-module edges, each with the first file that makes it. */
function moduleEdges(): { edges: Map<string, Map<string, string>>; problems: string[] } {
  const edges = new Map<string, Map<string, string>>();
  const problems: string[] = [];
  for (const file of files(SRC)) {
    const from = relative(SRC, file).split('/')[0] ?? '';
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(file), spec));
      const to = target.split('/')[0] ?? '';
      if (to === from) continue;
      const where = `${relative(SRC, file)} imports ${spec}`;
      if (target !== `${to}/index.ts`) problems.push(`${where}: reach other modules through ${to}/index.ts`);
      const out = edges.get(from) ?? new Map<string, string>();
      if (!out.has(to)) out.set(to, where);
      edges.set(from, out);
    }
  }
  return { edges, problems };
}

test('modules import each other only through index.ts, and only modules their allow-list names', () => {
  const { edges, problems } = moduleEdges();
  for (const [from, out] of edges) {
    const allowed = ALLOWED[from];
    if (allowed === undefined) {
      problems.push(`src/${from} is not in the allow-list of test/architecture.test.ts; add it with its imports`);
      continue;
    }
    for (const [to, where] of out) {
      if (!allowed.includes(to))
        problems.push(`${where}: ${from} may not import ${to} (allowed: ${allowed.join(', ')})`);
    }
  }
  assert.deepEqual(problems, []);
});

test('the allow-list itself has no cycles, so neither has the code', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (m: string, path: string[]) => {
    if (state.get(m) === 'done') return;
    if (state.get(m) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(m)), m].join(' → '));
      return;
    }
    state.set(m, 'visiting');
    for (const to of ALLOWED[m] ?? []) visit(to, [...path, m]);
    state.set(m, 'done');
  };
  for (const m of Object.keys(ALLOWED)) visit(m, []);
  assert.deepEqual(cycles, []);
});

test('every module in src/ is in the allow-list', () => {
  const modules = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
  assert.deepEqual(
    modules.filter((m) => ALLOWED[m] === undefined),
    [],
  );
});

test('decisions by the kind of image reference are made in the transport table only', () => {
  // Comparing ref.kind elsewhere spreads what a transport means over the verbs; ask the table (src/oci/transports.ts).
  const kinds = "'(registry|store|oci-layout|docker-archive)'";
  const pattern = new RegExp(`\\.kind\\s*[!=]==?\\s*${kinds}|case\\s+${kinds}|switch\\s*\\(\\s*ref\\.kind\\s*\\)`);
  const offenders = files(SRC)
    .filter((f) => relative(SRC, f) !== join('oci', 'transports.ts'))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (pattern.test(line) ? [`${relative(SRC, f)}:${i + 1}: ${line.trim()}`] : [])),
    );
  assert.deepEqual(offenders, []);
});
