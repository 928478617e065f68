import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { imageSourceFrom, layoutBlobStore } from '../../src/oci/index.ts';
import { generateSbom } from '../../src/sbom/index.ts';

// A foreign image: a real Debian bookworm system made by mmdebstrap (needs root and the Debian archive), packed
// into an OCI layout by umoci, so neither the filesystem nor the image comes from our own code.
test('the SBOM of an mmdebstrap bookworm image lists exactly what dpkg-query lists', {
  timeout: 600_000,
}, async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root for mmdebstrap');
  const work = mkdtempSync(join(tmpdir(), 'sbom-foreign-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const root = join(work, 'rootfs');
  const layout = join(work, 'layout');
  execFileSync('mmdebstrap', ['--quiet', '--variant=apt', '--format=directory', 'bookworm', root], { stdio: 'ignore' });
  execFileSync('umoci', ['init', '--layout', layout]);
  execFileSync('umoci', ['new', '--image', `${layout}:latest`]);
  execFileSync('umoci', ['insert', '--image', `${layout}:latest`, root, '/']);

  const expected = execFileSync('dpkg-query', [
    '-W',
    `--admindir=${root}/var/lib/dpkg`,
    '-f',
    // dpkg-query's own format syntax, not a JavaScript template.
    ['Package', 'Version', 'Architecture'].map((f) => `\${${f}}`).join(' ') + '\\n',
  ])
    .toString()
    .trim()
    .split('\n')
    .sort();
  const source = imageSourceFrom(layoutBlobStore(layout), 'latest');
  const doc = await generateSbom(source, { imageName: 'bookworm' }, createContext({ home: work }));
  const got = doc.packages
    .filter((p) => p.type === 'deb')
    .map((p) => `${p.name} ${p.version} ${p.arch}`)
    .sort();
  assert.deepEqual(got, expected);
  assert.deepEqual(doc.distro, { id: 'debian', versionId: '12', codename: 'bookworm' });
  const libc = doc.packages.find((p) => p.name === 'libc6')!;
  assert.match(libc.purl, /^pkg:deb\/debian\/libc6@[^?]+\?arch=[a-z0-9]+&upstream=glibc&distro=debian-12$/);
  // glibc's copyright file is free-form (NOASSERTION); most of the others are machine-readable.
  const licensed = doc.packages.filter((p) => p.licenses !== 'NOASSERTION');
  assert.ok(licensed.length > doc.packages.length / 2, `${licensed.length} of ${doc.packages.length} with licenses`);
  assert.ok(doc.unowned !== undefined && doc.unowned.total > 1000);
});
