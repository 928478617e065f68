import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Home, isIroncladError } from '../../src/core/index.ts';
import { cachePath } from '../../src/debian/index.ts';
import type { Lockfile } from '../../src/definition/index.ts';
import { buildImages, CYCLONEDX_MEDIA_TYPE, SPDX_MEDIA_TYPE } from '../../src/image/index.ts';
import { flattenImage, imageSourceFrom, layoutBlobStore } from '../../src/oci/index.ts';
import { EMBEDDED_SBOM_PATH } from '../../src/sbom/index.ts';
import { createFixtureImage, type FixtureImage } from '../support/fixture-image.ts';

describe('buildImages over the fixture archive', () => {
  let fx: FixtureImage;
  before(async () => {
    fx = await createFixtureImage();
  });
  after(async () => fx.close());

  test('the lock holds the closure without the excluded package', () => {
    const pkgs = fx.lock.variants.runtime?.platforms['linux/amd64']?.packages.map((p) => p.name);
    assert.deepEqual(pkgs, ['fix-config', 'fixtool', 'libfix1']);
    assert.deepEqual(fx.lock.variants.runtime?.platforms['linux/amd64']?.excluded, ['debconf']);
  });

  test('builds a tagged, non-root runtime image with stripped docs and no setuid bits', async () => {
    const result = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro }, fx.ctx);
    const [image] = result.images;
    assert.ok(image);
    assert.deepEqual(image.tags, ['fixture:1.0']);
    const platform = image.platforms[0]!;
    assert.equal(platform.config.config?.User, '65532:65532');
    assert.equal(platform.config.config?.Labels?.['dev.ironclad.shell'], 'false');
    // One layer per source package plus the generated files.
    assert.deepEqual(
      platform.layers.map((l) => l.group.name),
      ['fix-config', 'fixlib', 'fixtool', 'ironclad-generated', 'ironclad-sbom'],
    );

    const source = imageSourceFrom(layoutBlobStore(new Home(fx.home).store), 'fixture:1.0');
    const fs = await flattenImage(await source.resolve());
    const paths = new Set(fs.paths());
    assert.ok(paths.has('usr/bin/fixtool'));
    assert.ok(paths.has('usr/share/doc/libfix1/copyright'), 'copyright files are kept for licenses');
    assert.ok(!paths.has('usr/share/doc/libfix1/changelog.Debian.gz'));
    assert.ok(!paths.has('usr/share/man/man1/fixtool.1.gz'));
    assert.ok(!paths.has('usr/share/locale/de/LC_MESSAGES/fixtool.mo'));
    assert.ok(!paths.has('usr/bin/debconf'), 'excluded packages are not shipped');
    assert.equal((fs.get('usr/bin/fixhelper')?.mode ?? 0) & 0o6000, 0, 'setuid removed in runtime variants');
    assert.ok(paths.has('var/lib/dpkg/status.d/fixtool'));
    const sbom = JSON.parse(new TextDecoder().decode(await fs.readFile(EMBEDDED_SBOM_PATH, 1 << 20)));
    const debs = sbom.packages.filter((p: { externalRefs?: { referenceLocator: string }[] }) =>
      p.externalRefs?.some((r) => /^pkg:deb\/debian\/[^?]+@.*arch=/.test(r.referenceLocator)),
    );
    assert.deepEqual(debs.map((p: { name: string }) => p.name).sort(), ['fix-config', 'fixtool', 'libfix1']);
    const referrers = await source.referrers(platform.manifest.digest);
    assert.deepEqual(referrers.map((r) => r.artifactType).sort(), [SPDX_MEDIA_TYPE, CYCLONEDX_MEDIA_TYPE]);
    assert.match(new TextDecoder().decode(await fs.readFile('etc/passwd', 1 << 20)), /^nonroot:x:65532:65532:/m);
  });

  test('building the same lock twice gives the same index digest', async () => {
    const a = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro }, fx.ctx);
    const b = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro, variant: 'all' }, fx.ctx);
    assert.equal(a.images[0]?.index.digest, b.images[0]?.index.digest);
    const dev = b.images.find((i) => i.variant.variant === 'dev');
    assert.equal(dev?.platforms[0]?.config.config?.User, '0:0');
    assert.equal(dev?.platforms[0]?.config.config?.Labels?.['dev.ironclad.shell'], 'true');
  });

  test('parsed .debs found in the derived cache need no .deb; --no-cache fetches and verifies them again', async () => {
    const first = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro }, fx.ctx);
    const debs = (fx.lock.variants.runtime?.platforms['linux/amd64']?.packages ?? []).map((p) =>
      cachePath(new Home(fx.home), p.sha256),
    );
    await Promise.all(debs.map((d) => rm(d)));
    const cached = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro }, fx.ctx);
    assert.equal(cached.images[0]?.index.digest, first.images[0]?.index.digest);
    for (const d of debs) assert.equal(existsSync(d), false, 'a cached parsed .deb is used without its .deb');
    const fresh = await buildImages(fx.loaded, fx.lock, { distroConfig: fx.archive.distro, noCache: true }, fx.ctx);
    assert.equal(fresh.images[0]?.index.digest, first.images[0]?.index.digest);
    for (const d of debs) assert.equal(existsSync(d), true, '--no-cache reads every .deb, fetched and verified');
  });

  test('a lock for another definition is refused as stale', async () => {
    const stale: Lockfile = { ...fx.lock, definitionDigest: `sha256:${'0'.repeat(64)}` };
    await assert.rejects(buildImages(fx.loaded, stale, { distroConfig: fx.archive.distro }, fx.ctx), (err) =>
      isIroncladError(err, 'LOCK_STALE'),
    );
  });

  test('a tampered .deb in the archive is refused before anything is tagged', async () => {
    const tampered: Lockfile = JSON.parse(JSON.stringify(fx.lock));
    const pkg = (tampered.variants.runtime?.platforms['linux/amd64']?.packages ?? [])[0] as { sha256: string };
    pkg.sha256 = 'f'.repeat(64);
    await assert.rejects(
      buildImages(fx.loaded, tampered, { distroConfig: fx.archive.distro, out: `${fx.dir}/tampered` }, fx.ctx),
      (err) => isIroncladError(err, 'DIGEST_MISMATCH'),
    );
  });

  test('advisories scoped to a variant are compiled into the VEX of that variant only', async () => {
    const file = join(fx.loaded.dir, 'advisories.yaml');
    await writeFile(
      file,
      [
        '- {cve: CVE-2025-0001, package: fixtool, status: not_affected, impact: not shipped, variants: [runtime]}',
        '- {cve: CVE-2025-0002, package: libfix1, status: fixed, notes: fixed in 1.2-4}',
        '- {cve: CVE-2025-0003, package: bash, status: affected, action: do not, variants: [dev]}',
      ].join('\n'),
    );
    try {
      const out = join(fx.dir, 'scoped');
      const result = await buildImages(
        fx.loaded,
        fx.lock,
        { distroConfig: fx.archive.distro, variant: 'all', out },
        fx.ctx,
      );
      const names = (variant: string) =>
        result.images
          .find((i) => i.variant.variant === variant)
          ?.vex.get('linux/amd64')
          ?.statements.map((st) => st.vulnerability.name);
      assert.deepEqual(names('runtime'), ['CVE-2025-0001', 'CVE-2025-0002']);
      assert.deepEqual(names('dev'), ['CVE-2025-0002', 'CVE-2025-0003']);
    } finally {
      await rm(file);
    }
  });
});
