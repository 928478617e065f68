import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

// Enforces DESIGN.md's dependency direction: cli/server → stages → formats → core,
// and that modules reach each other only through index.ts.
const SRC = resolve(import.meta.dirname, '../src');
const FORMATS = new Set(['oci', 'debian', 'definition']);
const STAGES = new Set(['image', 'sbom', 'attest', 'vuln', 'testing', 'compare', 'registry', 'catalog']);
const TOP = new Set(['cli', 'server']);

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

test('modules import each other only through index.ts, in the allowed direction', () => {
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
      if (to === 'core') continue;
      if (from === 'core') problems.push(`${where}: core imports nothing of ours`);
      if (FORMATS.has(from) && !FORMATS.has(to)) problems.push(`${where}: a format module must not import ${to}`);
      if (STAGES.has(from) && TOP.has(to)) problems.push(`${where}: a stage must not import ${to}`);
    }
  }
  assert.deepEqual(problems, []);
});
