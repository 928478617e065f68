import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { test } from 'node:test';

/*
 * What a start of `ironclad images` loads, read from the import statements: the entry point, main.ts and the one
 * verb module main.ts loads (the others are dynamic imports, loaded only for their own verb). Listing the store
 * reads an OCI layout; loading the vulnerability database (native SQLite), OpenPGP or the archive client for it
 * made the start cost several times a bare node start (bench/startup.ts measures that; this test keeps it so).
 */
const SRC = resolve(import.meta.dirname, '../../src');

/** Static imports that stay at run time (`import type` is erased; `import { type A }` still loads the module). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)];
  return specs.map((m) => m[1] ?? '');
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(spec: string): string {
  const parts = spec.split('/');
  return parts.slice(0, spec.startsWith('@') ? 2 : 1).join('/');
}

/** Every source file and every package reached from `entries` through static imports. */
function reach(entries: readonly string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = entries.map((e) => resolve(SRC, e));
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of runtimeImports(file)) {
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:')) packages.add(packageName(spec));
    }
  }
  return { files, packages };
}

test('ironclad images loads the cli, core and oci modules only, not the database, OpenPGP or the SBOM code', () => {
  const { files, packages } = reach(['cli/bin.ts', 'cli/images.ts']);
  for (const heavy of ['better-sqlite3', 'openpgp', '@cyclonedx/cyclonedx-library', 'yaml', 'zod']) {
    assert.ok(!packages.has(heavy), `ironclad images loads ${heavy}`);
  }
  const modules = new Set([...files].map((f) => relative(SRC, f).split('/')[0]));
  assert.deepEqual([...modules].sort(), ['cli', 'core', 'oci']);
});
