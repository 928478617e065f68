import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { numericUser, resolveImageUser } from '../../src/testing/image-user.ts';

const files = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\nbroken line\n',
  group: 'root:x:0:\nnonroot:x:65532:\naudio:x:29:nonroot\nstaff:x:50:other\n',
};

test('resolves the forms of config User (OCI config.md)', () => {
  const cases: [string, object][] = [
    ['', { uid: 0, gid: 0, additionalGids: [], home: '/root' }],
    ['root', { uid: 0, gid: 0, additionalGids: [], home: '/root' }],
    ['nonroot', { uid: 65532, gid: 65532, additionalGids: [29], home: '/home/nonroot' }],
    ['65532', { uid: 65532, gid: 65532, additionalGids: [29], home: '/home/nonroot' }],
    ['65532:50', { uid: 65532, gid: 50, additionalGids: [29], home: '/home/nonroot' }],
    ['nonroot:staff', { uid: 65532, gid: 50, additionalGids: [29], home: '/home/nonroot' }],
    ['1000', { uid: 1000, gid: 0, additionalGids: [] }],
    ['1000:1000', { uid: 1000, gid: 1000, additionalGids: [] }],
  ];
  for (const [spec, want] of cases) assert.deepEqual(resolveImageUser(spec, files), want, spec);
});

test('works without account files for numeric users, and refuses unknown names', () => {
  assert.deepEqual(resolveImageUser('65532:65532', {}), { uid: 65532, gid: 65532, additionalGids: [] });
  for (const spec of ['app', '1000:nogroup', '99999999999']) {
    assert.throws(
      () => resolveImageUser(spec, files),
      (e) => isIroncladError(e, 'INVALID_INPUT'),
      spec,
    );
  }
});

test('numericUser accepts uid and uid:gid only', () => {
  assert.deepEqual(numericUser('65532:65532'), { uid: 65532, gid: 65532 });
  assert.deepEqual(numericUser('0'), { uid: 0 });
  assert.equal(numericUser('nonroot'), undefined);
  assert.equal(numericUser(undefined), undefined);
});
