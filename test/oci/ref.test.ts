import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { formatImageRef, type ImageRef, parseImageRef } from '../../src/oci/index.ts';

const D = `sha256:${'a'.repeat(64)}`;

const good: [string, ImageRef][] = [
  ['oci:out/layout', { kind: 'oci-layout', dir: 'out/layout' }],
  ['oci:out/layout:v1', { kind: 'oci-layout', dir: 'out/layout', tag: 'v1' }],
  ['oci:/abs/path:latest', { kind: 'oci-layout', dir: '/abs/path', tag: 'latest' }],
  ['docker-archive:img.tar', { kind: 'docker-archive', file: 'img.tar' }],
  ['docker://ghcr.io/org/app:1.2', { kind: 'registry', host: 'ghcr.io', repo: 'org/app', tag: '1.2' }],
  ['docker://localhost:5000/app@' + D, { kind: 'registry', host: 'localhost:5000', repo: 'app', digest: D as never }],
  ['docker://alpine', { kind: 'registry', host: 'docker.io', repo: 'library/alpine' }],
  ['docker://bitnami/redis:7', { kind: 'registry', host: 'docker.io', repo: 'bitnami/redis', tag: '7' }],
  ['registry.example.com/a/b:c', { kind: 'registry', host: 'registry.example.com', repo: 'a/b', tag: 'c' }],
  ['localhost/app', { kind: 'registry', host: 'localhost', repo: 'app' }],
  [
    '127.0.0.1:5000/app:t@' + D,
    { kind: 'registry', host: '127.0.0.1:5000', repo: 'app', tag: 't', digest: D as never },
  ],
  ['python:3.11', { kind: 'store', name: 'python', tag: '3.11' }],
  ['python', { kind: 'store', name: 'python' }],
  ['team/python@' + D, { kind: 'store', name: 'team/python', digest: D as never }],
];

test('parseImageRef: accepted forms', () => {
  for (const [input, want] of good) assert.deepEqual(parseImageRef(input), want, input);
});

test('formatImageRef round-trips', () => {
  for (const [, ref] of good) assert.deepEqual(parseImageRef(formatImageRef(ref)), ref);
});

test('parseImageRef: malformed references are USAGE errors', () => {
  for (const bad of [
    '',
    'oci:',
    'docker-archive:',
    'Python:3.11',
    'python:bad tag',
    'python@sha256:123',
    'ghcr.io/Org/App:1',
    'ftp://host/x',
    'docker://ghcr.io/app:-x',
  ]) {
    assert.throws(
      () => parseImageRef(bad),
      (e: unknown) => isIroncladError(e, 'USAGE'),
      bad,
    );
  }
});
