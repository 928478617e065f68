import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireRegistry } from '../../src/cli/copy-endpoints.ts';
import { isIroncladError } from '../../src/core/index.ts';
import { type ImageRef, parseImageRef, sourceTag } from '../../src/oci/index.ts';

test('the tag a copy takes from its source: its own, none for a digest, latest for an unnamed image', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const cases: [string, string | undefined][] = [
    ['docker://h.io/r:1.0', '1.0'],
    ['docker://h.io/r', 'latest'],
    [`docker://h.io/r@${digest}`, undefined],
    [`docker://h.io/r:1.0@${digest}`, '1.0'],
    ['python:3.11', '3.11'],
    ['oci:out', 'latest'],
    ['oci:out:v2', 'v2'],
    ['docker-archive:img.tar', 'latest'],
  ];
  for (const [text, tag] of cases) assert.equal(sourceTag(parseImageRef(text)), tag, text);
});

test('requireRegistry refuses other transports with USAGE', () => {
  for (const text of ['python:3.11', 'oci:out', 'docker-archive:x.tar']) {
    const ref: ImageRef = parseImageRef(text);
    assert.throws(
      () => requireRegistry(ref, 'the destination'),
      (e) => isIroncladError(e, 'USAGE'),
    );
  }
});
