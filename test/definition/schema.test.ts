import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Definition } from '../../src/definition/schema.ts';

const minimal = { name: 'python', distro: 'debian-12', packages: ['python3.11-minimal'] };

function issues(doc: Record<string, unknown>): string[] {
  const r = Definition.safeParse({ ...minimal, ...doc });
  return r.success ? [] : r.error.issues.map((i) => `${i.code}@${i.path.join('.')}`);
}

test('a minimal definition gets hardened defaults', () => {
  const d = Definition.parse(minimal);
  assert.equal(d.kind, 'hardened');
  assert.equal(d.user, 'nonroot');
  assert.deepEqual(d.platforms, ['linux/amd64', 'linux/arm64']);
  assert.deepEqual(d.tags, ['latest']);
  assert.deepEqual(d.packages, [{ name: 'python3.11-minimal' }]);
  assert.equal(d.shell, false);
  assert.equal(d.packageManager, false);
  assert.deepEqual(d.variants, {});
});

test('kebab-case keys become the camelCase model', () => {
  const d = Definition.parse({
    ...minimal,
    'size-budget': '25MB',
    'package-manager': false,
    tests: [{ name: 'hello', run: ['python3.11', '-c', 'print(1)'], 'exit-code': 3, 'stdout-regex': '^1$' }],
    paths: [
      { path: '/data', type: 'dir', mode: '0700', uid: 65532, gid: 65532 },
      { path: '/etc/x', type: 'file' },
    ],
    variants: { dev: { 'tags-suffix': '-debug', 'size-budget': 1000, 'package-manager': true } },
  });
  assert.equal(d.sizeBudget, 25_000_000);
  assert.deepEqual(d.tests[0], {
    kind: 'command',
    name: 'hello',
    run: ['python3.11', '-c', 'print(1)'],
    exitCode: 3,
    stdoutRegex: '^1$',
    timeout: 30,
  });
  assert.deepEqual(d.paths, [
    { path: '/data', type: 'dir', mode: 0o700, uid: 65532, gid: 65532 },
    { path: '/etc/x', type: 'file', mode: 0o644, uid: 0, gid: 0, content: '' },
  ]);
  assert.deepEqual(d.variants.dev, { tagsSuffix: '-debug', sizeBudget: 1000, packageManager: true });
});

test('unknown keys are errors at every level', () => {
  assert.deepEqual(issues({ entrypiont: ['/bin/x'] }), ['unrecognized_keys@']);
  assert.deepEqual(issues({ tests: [{ name: 't', run: ['x'], stdot: 'y' }] }), ['unrecognized_keys@tests.0']);
  assert.deepEqual(issues({ variants: { dev: { pakages: ['bash'] } } }), ['unrecognized_keys@variants.dev']);
});

test('field grammars are enforced', () => {
  const table: [Record<string, unknown>, string][] = [
    [{ name: 'Python' }, 'invalid_format@name'],
    [{ kind: 'soft' }, 'invalid_value@kind'],
    [{ platforms: ['amd64'] }, 'invalid_format@platforms.0'],
    [{ platforms: [] }, 'too_small@platforms'],
    [{ packages: [] }, 'too_small@packages'],
    [{ packages: ['Bad_Name'] }, 'invalid_format@packages.0'],
    [{ user: 'Nobody!' }, 'invalid_format@user'],
    [{ environment: { 'BAD-NAME': 'x' } }, 'invalid_key@environment.BAD-NAME'],
    [{ environment: { PORT: 8080 } }, 'invalid_type@environment.PORT'],
    [{ workdir: 'relative/dir' }, 'invalid_format@workdir'],
    [{ 'size-budget': 'huge' }, 'custom@size-budget'],
    [{ paths: [{ path: '/x', type: 'dir', mode: 755 }] }, 'invalid_type@paths.0.mode'],
    [{ paths: [{ path: '/x/../y', type: 'dir' }] }, 'custom@paths.0.path'],
    [{ tests: [{ name: 't', run: [] }] }, 'too_small@tests.0.run'],
    [{ tests: [{ name: 't', run: ['x'], 'stdout-regex': '(' }] }, 'custom@tests.0.stdout-regex'],
    [{ variants: { runtime: {} } }, 'invalid_key@variants.runtime'],
  ];
  for (const [doc, want] of table) assert.deepEqual(issues(doc), [want], JSON.stringify(doc));
});

test('cross-field rules: users, duplicates, contradictions', () => {
  const table: [Record<string, unknown>, string[]][] = [
    [{ user: 'app' }, ['custom@user']],
    [{ user: 'app', accounts: [{ name: 'app', uid: 1000, gid: 1000, home: '/home/app' }] }, []],
    [{ user: '1000:1000' }, []],
    [
      { accounts: [{ name: 'nonroot', uid: 65532, gid: 65532, home: '/h' }] },
      ['custom@accounts.0.name', 'custom@accounts.0.uid'],
    ],
    [
      {
        accounts: [
          { name: 'a', uid: 7, gid: 7, home: '/a' },
          { name: 'a', uid: 7, gid: 7, home: '/a' },
        ],
      },
      ['custom@accounts.1.name', 'custom@accounts.1.uid'],
    ],
    [{ tags: ['1', '1'] }, ['custom@tags.1']],
    [{ packages: ['bash', 'bash=5.2-1'] }, ['custom@packages.1']],
    [{ exclude: ['python3.11-minimal'] }, ['custom@exclude.0']],
    [{ tests: [{ name: 't', run: ['x'], stdout: 'a', 'stdout-regex': 'a' }] }, ['custom@tests.0.stdout-regex']],
    [
      {
        tests: [
          { name: 't', run: ['x'] },
          { name: 't', run: ['y'] },
        ],
      },
      ['custom@tests.1.name'],
    ],
    [{ variants: { dev: { user: 'ghost' } } }, ['custom@variants.dev.user']],
    [{ variants: { dev: { packages: ['bash'], exclude: ['bash'] } } }, ['custom@variants.dev.exclude.0']],
    [{ paths: [{ path: '/d', type: 'dir', content: 'x' }] }, ['custom@paths.0.content']],
  ];
  for (const [doc, want] of table) assert.deepEqual(issues(doc), want, JSON.stringify(doc));
});
