import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARBITRARY_UID_LABEL, READ_ONLY_ROOT_LABEL } from '../../src/definition/index.ts';
import { Definition } from '../../src/definition/schema.ts';
import { expandVariants, inBuildOrder, probedVariants } from '../../src/definition/variants.ts';
import { imageLabels } from '../../src/image/image-config.ts';

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
    'package-budget': 40,
    'package-manager': false,
    tests: [{ name: 'hello', run: ['python3.11', '-c', 'print(1)'], 'exit-code': 3, 'stdout-regex': '^1$' }],
    paths: [
      { path: '/data', type: 'dir', mode: '0700', owner: 'nonroot' },
      { path: '/etc/x', type: 'file', content: '' },
      { path: '/etc/y', type: 'file', source: 'y.conf', sha256: 'a'.repeat(64), owner: '0:65532' },
      { path: '/var/log/app.log', type: 'symlink', target: '/dev/stdout', platforms: ['linux/amd64'] },
      { path: '/etc/z', type: 'delete' },
    ],
    'work-dir': '/data',
    'stop-signal': 'SIGINT',
    ports: [8080, '53/udp'],
    volumes: ['/data'],
    annotations: { 'org.opencontainers.image.vendor': 'Example' },
    variants: {
      dev: { 'tags-suffix': '-debug', 'size-budget': 1000, 'package-budget': 200, 'package-manager': true },
    },
  });
  assert.equal(d.sizeBudget, 25_000_000);
  assert.equal(d.packageBudget, 40);
  assert.deepEqual(d.tests[0], {
    kind: 'command',
    name: 'hello',
    run: ['python3.11', '-c', 'print(1)'],
    exitCode: 3,
    stdoutRegex: '^1$',
    timeout: 30,
  });
  assert.deepEqual(d.paths, [
    { path: '/data', type: 'dir', mode: 0o700, owner: 'nonroot' },
    { path: '/etc/x', type: 'file', mode: 0o644, owner: 'root', content: '' },
    { path: '/etc/y', type: 'file', mode: 0o644, owner: '0:65532', source: 'y.conf', sha256: 'a'.repeat(64) },
    { path: '/var/log/app.log', type: 'symlink', target: '/dev/stdout', owner: 'root', platforms: ['linux/amd64'] },
    { path: '/etc/z', type: 'delete' },
  ]);
  assert.equal(d.workdir, '/data');
  assert.equal(d.stopSignal, 'SIGINT');
  assert.deepEqual(d.ports, ['8080/tcp', '53/udp']);
  assert.deepEqual(d.volumes, ['/data']);
  assert.deepEqual(d.annotations, { 'org.opencontainers.image.vendor': 'Example' });
  assert.deepEqual(d.variants.dev, {
    tagsSuffix: '-debug',
    sizeBudget: 1000,
    packageBudget: 200,
    packageManager: true,
  });
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
    [{ 'work-dir': 'relative/dir' }, 'invalid_format@work-dir'],
    [{ ports: [0] }, 'too_small@ports.0'],
    [{ ports: ['80/icmp'] }, 'invalid_format@ports.0'],
    [{ 'stop-signal': 'TERM' }, 'invalid_value@stop-signal'],
    [{ paths: [{ path: '/x', type: 'dir', mode: '4755' }] }, 'custom@paths.0.mode'],
    [{ paths: [{ path: '/x', type: 'fifo' }] }, 'invalid_union@paths.0.type'],
    [{ paths: [{ path: '/x', type: 'file', source: '../x', sha256: 'a'.repeat(64) }] }, 'custom@paths.0.source'],
    [{ 'size-budget': 'huge' }, 'custom@size-budget'],
    [{ 'package-budget': '40' }, 'invalid_type@package-budget'],
    [{ 'package-budget': 0 }, 'too_small@package-budget'],
    [{ 'package-budget': 2.5 }, 'invalid_type@package-budget'],
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
    [{ user: 'app', accounts: { users: [{ name: 'app', uid: 1000 }] } }, []],
    [{ user: '1000:1000' }, []],
    [{ user: 'nobody' }, []],
    [
      { accounts: { users: [{ name: 'nonroot', uid: 65532 }] } },
      ['custom@accounts.users.0.name', 'custom@accounts.users.0.uid', 'custom@accounts.users.0.gid'],
    ],
    [
      {
        accounts: {
          users: [
            { name: 'a', uid: 7 },
            { name: 'a', uid: 7 },
          ],
        },
      },
      ['custom@accounts.users.1.name', 'custom@accounts.users.1.uid'],
    ],
    [
      {
        accounts: {
          users: [{ name: 'a', uid: 7, groups: ['ghosts'] }],
          groups: [{ name: 'g', gid: 0, members: ['b'] }],
        },
      },
      ['custom@accounts.groups.0.gid', 'custom@accounts.groups.0.members.0', 'custom@accounts.users.0.groups.0'],
    ],
    [{ accounts: { users: [{ name: 'web', uid: 101, gid: 102 }], groups: [{ name: 'web', gid: 102 }] } }, []],
    [{ paths: [{ path: '/d', type: 'dir', owner: 'ghost' }] }, ['custom@paths.0.owner']],
    [{ paths: [{ path: '/d', type: 'dir', owner: 'root:ghosts' }] }, ['custom@paths.0.owner']],
    [{ paths: [{ path: '/d', type: 'dir', owner: 'nobody:nogroup' }] }, []],
    [{ paths: [{ path: '/d', type: 'dir', platforms: ['linux/s390x'] }] }, ['custom@paths.0.platforms.0']],
    [
      {
        paths: [
          { path: '/d', type: 'dir' },
          { path: '/d', type: 'delete' },
        ],
      },
      ['custom@paths.1.path'],
    ],
    [
      {
        paths: [
          { path: '/d', type: 'dir', platforms: ['linux/amd64'] },
          { path: '/d', type: 'delete', platforms: ['linux/arm64'] },
        ],
      },
      [],
    ],
    [{ paths: [{ path: '/f', type: 'file' }] }, ['custom@paths.0.content']],
    [{ paths: [{ path: '/f', type: 'file', content: 'x', sha256: 'a'.repeat(64) }] }, ['custom@paths.0.sha256']],
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
    [{ paths: [{ path: '/d', type: 'dir', content: 'x' }] }, ['unrecognized_keys@paths.0']],
  ];
  for (const [doc, want] of table) assert.deepEqual(issues(doc), want, JSON.stringify(doc));
});

const labelsOf = (doc: Record<string, unknown>) =>
  expandVariants(Definition.parse({ ...minimal, ...doc })).map((variant) =>
    imageLabels({
      variant,
      os: 'linux',
      architecture: 'amd64',
      epoch: 0,
      user: { uid: 65532, gid: 65532 },
      layers: [],
      hasShell: false,
      hasPackageManager: false,
    }),
  );

test('read-only-root: default false, inherited by variants unless they set it, recorded as a label only when true', () => {
  assert.equal(Definition.parse(minimal).readOnlyRoot, false);
  assert.deepEqual(
    labelsOf({}).map((l) => l[READ_ONLY_ROOT_LABEL]),
    [undefined],
  );
  assert.deepEqual(
    labelsOf({ 'read-only-root': true, variants: { dev: { 'read-only-root': false }, slim: {} } }).map(
      (l) => l[READ_ONLY_ROOT_LABEL],
    ),
    ['true', undefined, 'true'],
  );
  assert.deepEqual(issues({ 'read-only-root': 'yes' }), ['invalid_type@read-only-root']);
});

test('arbitrary-uid: default false, inherited by variants unless they set it, recorded as a label only when true', () => {
  assert.equal(Definition.parse(minimal).arbitraryUid, false);
  assert.deepEqual(
    labelsOf({ 'arbitrary-uid': true, variants: { dev: { 'arbitrary-uid': false }, slim: {} } }).map(
      (l) => l[ARBITRARY_UID_LABEL],
    ),
    ['true', undefined, 'true'],
  );
});

test('drop-tests: a variant leaves out named base tests, and only names that exist', () => {
  const tests = [
    { name: 'version', run: ['/usr/bin/x', '--version'] },
    { name: 'as-any-uid', run: ['/usr/bin/x'], user: '1000680000:0' },
  ];
  const variants = expandVariants(
    Definition.parse({ ...minimal, tests, variants: { dev: { 'drop-tests': ['as-any-uid'] }, slim: {} } }),
  );
  assert.deepEqual(
    variants.map((v) => [v.variant, v.tests.map((t) => t.name)]),
    [
      ['runtime', ['version', 'as-any-uid']],
      ['dev', ['version']],
      ['slim', ['version', 'as-any-uid']],
    ],
  );
  assert.deepEqual(issues({ tests, variants: { dev: { 'drop-tests': ['as-any-ui'] } } }), [
    'custom@variants.dev.drop-tests.0',
  ]);
});

test('drop-paths: a variant leaves out named base paths entries, and only entries that exist', () => {
  const paths = [
    { path: '/var/run', type: 'symlink', target: '/run' },
    { path: '/usr/lib/x/jit.so', type: 'delete' },
    { path: '/run/x', type: 'dir' },
  ];
  const variants = expandVariants(
    Definition.parse({ ...minimal, paths, variants: { dev: { 'drop-paths': ['/var/run', '/usr/lib/x/jit.so'] } } }),
  );
  assert.deepEqual(
    variants.map((v) => [v.variant, v.paths.map((p) => p.path)]),
    [
      ['runtime', ['/var/run', '/usr/lib/x/jit.so', '/run/x']],
      ['dev', ['/run/x']],
    ],
  );
  assert.deepEqual(issues({ paths, variants: { dev: { 'drop-paths': ['/var/run/'] } } }), [
    'custom@variants.dev.drop-paths.0',
  ]);
});

test('a variant whose image another variant probes is built first; otherwise the order is kept', () => {
  const tests = [
    {
      name: 'serves',
      service: { port: 8080 },
      probes: [{ exec: { run: ['/usr/bin/client'], variant: 'dev' } }, { exec: { run: ['/usr/bin/x'] } }],
    },
  ];
  const variants = expandVariants(Definition.parse({ ...minimal, tests, variants: { dev: {}, slim: {} } }));
  assert.deepEqual(
    variants.map((v) => [v.variant, probedVariants(v)]),
    [
      ['runtime', ['dev']],
      ['dev', []],
      ['slim', ['dev']],
    ],
  );
  assert.deepEqual(
    inBuildOrder(variants).map((v) => v.variant),
    ['dev', 'runtime', 'slim'],
  );
  const plain = expandVariants(Definition.parse({ ...minimal, variants: { dev: {} } }));
  assert.deepEqual(
    inBuildOrder(plain).map((v) => v.variant),
    ['runtime', 'dev'],
  );
});
