import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Ironclad's version, read once from its package.json (the one place it is written): the nearest package.json
 * named `ironclad` above this file, which holds both when run from the sources and from compiled output.
 */
function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'ironclad' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json here (or not ours): keep walking up.
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('the ironclad package.json was not found above the installed code');
    dir = up;
  }
}

export const IRONCLAD_VERSION: string = readVersion();
