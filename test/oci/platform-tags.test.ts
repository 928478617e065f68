import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseImageRef, writesPlatformTags } from '../../src/oci/index.ts';
import { platformTagSuffix, platformTags } from '../../src/oci/platform-tags.ts';
import type { Descriptor, Digest, Platform } from '../../src/oci/types.ts';

const manifest = (n: number, platform?: Platform) => ({
  descriptor: {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${String(n).repeat(64).slice(0, 64)}` as Digest,
    size: 100,
    ...(platform !== undefined && { platform }),
  } satisfies Descriptor,
  bytes: new Uint8Array(),
});
const linux = (architecture: string, variant?: string): Platform => ({
  os: 'linux',
  architecture,
  ...(variant !== undefined && { variant }),
});

test('suffixes: the architecture and variant for Linux, the OS first otherwise', () => {
  const cases: [Platform, string][] = [
    [linux('amd64'), 'amd64'],
    [linux('arm64', 'v8'), 'arm64v8'],
    [linux('arm', 'v7'), 'armv7'],
    [linux('s390x'), 's390x'],
    [{ os: 'windows', architecture: 'amd64' }, 'windows-amd64'],
  ];
  for (const [platform, suffix] of cases) assert.equal(platformTagSuffix(platform), suffix);
});

test('every tag gets one TAG-ARCH per platform manifest, in index order', () => {
  const ms = [manifest(1, linux('amd64')), manifest(2, linux('arm64')), manifest(3, linux('arm', 'v7'))];
  assert.deepEqual(
    platformTags(['3.11', 'latest'], ms).map((p) => [p.tag, p.manifest.descriptor.digest]),
    [
      ['3.11-amd64', ms[0]?.descriptor.digest],
      ['3.11-arm64', ms[1]?.descriptor.digest],
      ['3.11-armv7', ms[2]?.descriptor.digest],
      ['latest-amd64', ms[0]?.descriptor.digest],
      ['latest-arm64', ms[1]?.descriptor.digest],
      ['latest-armv7', ms[2]?.descriptor.digest],
    ],
  );
});

test('no per-platform tag where it would not name one image manifest', () => {
  const table: [string, ReturnType<typeof manifest>[], string[]][] = [
    ['a single platform: TAG names it already', [manifest(1, linux('amd64'))], []],
    [
      'BuildKit attestation manifests (unknown/unknown) are not images',
      [
        manifest(1, linux('amd64')),
        manifest(2, linux('arm64')),
        manifest(3, { os: 'unknown', architecture: 'unknown' }),
      ],
      ['t-amd64', 't-arm64'],
    ],
    [
      'one image left after the attestation manifest',
      [manifest(1, linux('amd64')), manifest(3, { os: 'unknown', architecture: 'unknown' })],
      [],
    ],
    [
      'a manifest without a platform',
      [manifest(1, linux('amd64')), manifest(2, linux('arm64')), manifest(4)],
      ['t-amd64', 't-arm64'],
    ],
    [
      'two manifests with one suffix: neither is tagged',
      [manifest(1, linux('amd64')), manifest(2, linux('arm64')), manifest(5, linux('arm64'))],
      ['t-amd64'],
    ],
  ];
  for (const [what, ms, tags] of table)
    assert.deepEqual(
      platformTags(['t'], ms).map((p) => p.tag),
      tags,
      what,
    );
});

test('the transport table writes per-platform tags into OCI layouts only', () => {
  assert.equal(writesPlatformTags(parseImageRef('oci:out:1.0')), true);
  assert.equal(writesPlatformTags(parseImageRef('docker://registry.example.com/team/app:1.0')), false);
  assert.equal(writesPlatformTags(parseImageRef('python:3.11')), false);
  assert.equal(writesPlatformTags(parseImageRef('docker-archive:x.tar')), false);
});
