import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storeNameFor } from '../../src/oci/local-store.ts';
import { parseImageRef } from '../../src/oci/ref.ts';
import { isLocalDestination, isRegistryRef, namedTag } from '../../src/oci/transports.ts';

const digest = `sha256:${'a'.repeat(64)}`;

test('the tag a reference names: its own; none for a digest alone or an archive', () => {
  const cases: [string, string | undefined][] = [
    ['docker://h.io/r:1.0', '1.0'],
    ['docker://h.io/r', undefined],
    [`docker://h.io/r@${digest}`, undefined],
    [`docker://h.io/r:1.0@${digest}`, '1.0'],
    ['python:3.11', '3.11'],
    ['python', undefined],
    ['oci:out', undefined],
    ['oci:out:v2', 'v2'],
    ['docker-archive:img.tar', undefined],
  ];
  for (const [text, tag] of cases) assert.equal(namedTag(parseImageRef(text)), tag, text);
});

test('only layouts and the store are local destinations; only docker:// references are registry references', () => {
  const cases: [string, boolean, boolean][] = [
    ['oci:out:v2', true, false],
    ['python:3.11', true, false],
    ['docker-archive:img.tar', false, false],
    ['docker://h.io/r:1.0', false, true],
  ];
  for (const [text, local, registry] of cases) {
    assert.equal(isLocalDestination(parseImageRef(text)), local, text);
    assert.equal(isRegistryRef(parseImageRef(text)), registry, text);
  }
});

test('a pulled image is stored under its repository path, without the host and Docker Hub’s library/', () => {
  const cases: [string, string][] = [
    ['docker://127.0.0.1:5000/team/python:3.11', 'team/python'],
    ['registry.example.com/python', 'python'],
    ['docker://debian:12', 'debian'],
    ['docker://docker.io/bitnami/redis', 'bitnami/redis'],
    ['docker://ghcr.io/library/app', 'library/app'],
  ];
  for (const [text, name] of cases) {
    const ref = parseImageRef(text);
    assert.ok(isRegistryRef(ref), text);
    assert.deepEqual(storeNameFor(ref), { kind: 'store', name }, text);
  }
});
