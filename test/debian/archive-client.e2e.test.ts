import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { loadDistro, openArchive } from '../../src/debian/index.ts';
import { fetchPackageFile } from '../../src/debian/package-download.ts';

// Talks to deb.debian.org: verifies the real bookworm, bookworm-updates and bookworm-security InRelease files
// against the pinned keys, loads their amd64 indices, and fetches one small .deb whose name contains a `+`.
test('opens the real bookworm archive for amd64', { timeout: 600_000 }, async () => {
  const home = await mkdtemp(join(tmpdir(), 'ironclad-e2e-'));
  try {
    const ctx = createContext({ home });
    const distro = await loadDistro('debian-12');
    const archive = await openArchive(distro, ctx, { architecture: 'amd64' });
    assert.deepEqual(
      archive.suites.map((s) => s.suite),
      ['bookworm', 'bookworm-updates', 'bookworm-security'],
    );
    for (const s of archive.suites) {
      assert.match(s.inReleaseSha256, /^[0-9a-f]{64}$/);
      assert.ok(s.signers.length >= 1);
    }
    const python = archive.packages.filter((p) => p.name === 'python3.11-minimal');
    assert.ok(python.some((p) => p.suite === 'bookworm' && p.architecture === 'amd64'));
    // Arch-all packages come from the binary-amd64 index (No-Support-for-Architecture-all).
    const tzdata = archive.packages.filter((p) => p.name === 'tzdata' && p.architecture === 'all');
    assert.ok(tzdata.length > 0);
    const newest = tzdata[tzdata.length - 1]!;
    const path = await fetchPackageFile(newest, ctx);
    assert.equal(await fetchPackageFile(newest, ctx), path);

    // A warm run serves every index from the cache.
    const again = await openArchive(distro, ctx, { architecture: 'amd64' });
    assert.equal(again.packages.length, archive.packages.length);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
