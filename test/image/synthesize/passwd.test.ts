import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../../src/core/index.ts';
import { groupText } from '../../../src/image/synthesize/group.ts';
import { passwdText, resolveAccounts } from '../../../src/image/synthesize/passwd.ts';

const app = { name: 'app', uid: 1000, gid: 1000, home: '/srv/app', shell: '/bin/sh' };

test('passwd and group for runtime and dev variants', () => {
  const table = [
    {
      kind: 'runtime' as const,
      declared: [],
      passwd:
        'root:x:0:0:root:/root:/usr/sbin/nologin\n' +
        'nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin\n' +
        'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
      group: 'root:x:0:\nnonroot:x:65532:\nnogroup:x:65534:\n',
    },
    {
      kind: 'runtime' as const,
      declared: [app],
      passwd:
        'root:x:0:0:root:/root:/usr/sbin/nologin\n' +
        'app:x:1000:1000:app:/srv/app:/usr/sbin/nologin\n' +
        'nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin\n' +
        'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
      group: 'root:x:0:\napp:x:1000:\nnonroot:x:65532:\nnogroup:x:65534:\n',
    },
    {
      kind: 'dev' as const,
      declared: [app],
      passwd:
        'root:x:0:0:root:/root:/bin/bash\n' +
        'app:x:1000:1000:app:/srv/app:/bin/sh\n' +
        'nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin\n' +
        'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
      group: 'root:x:0:\napp:x:1000:\nnonroot:x:65532:\nnogroup:x:65534:\n',
    },
  ];
  for (const row of table) {
    const accounts = resolveAccounts(row.declared, row.kind);
    assert.equal(passwdText(accounts), row.passwd, `${row.kind} passwd`);
    assert.equal(groupText(accounts), row.group, `${row.kind} group`);
  }
});

test('accounts that clash or would corrupt the files are rejected', () => {
  const bad = [
    { ...app, name: 'nonroot' },
    { ...app, uid: 65532 },
    { ...app, home: '/a:b' },
  ];
  for (const account of bad) {
    assert.throws(
      () => resolveAccounts([account], 'runtime'),
      (err) => isIroncladError(err, 'DEFINITION_INVALID'),
    );
  }
});
