import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { Definition } from '../../src/definition/schema.ts';
import { expandVariants, selectVariants } from '../../src/definition/variants.ts';

const def = Definition.parse({
  name: 'python',
  distro: 'debian-12',
  tags: ['3.11', 'latest'],
  packages: ['python3.11-minimal', 'libc6'],
  exclude: ['debconf', 'dpkg'],
  environment: { LANG: 'C.UTF-8', SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt' },
  labels: { team: 'platform' },
  entrypoint: ['/usr/bin/python3.11'],
  'size-budget': '20MB',
  'package-budget': 40,
  tests: [
    { name: 'hello', run: ['python3.11', '-c', 'print(1)'], stdout: '1' },
    { name: 'user', run: ['id'], stdout: '65532' },
  ],
  variants: {
    dev: {
      packages: ['bash', 'dpkg', 'libc6=2.36-9+deb12u9'],
      exclude: ['perl-base'],
      user: 'root',
      environment: { LANG: 'en_US.UTF-8', PIP_NO_CACHE_DIR: '1' },
      tests: [{ name: 'user', run: ['id'], stdout: 'uid=0' }],
      shell: true,
      'package-manager': true,
    },
    debug: { 'tags-suffix': '-dbg', entrypoint: ['/usr/bin/python3.11', '-X', 'dev'], labels: { debug: 'yes' } },
  },
});

test('expandVariants yields runtime first, then variants by name', () => {
  assert.deepEqual(
    expandVariants(def).map((v) => v.variant),
    ['runtime', 'debug', 'dev'],
  );
});

test('the runtime variant is the base definition', () => {
  const [runtime] = expandVariants(def);
  assert.ok(runtime);
  assert.equal(runtime.name, 'python');
  assert.deepEqual(runtime.tags, ['3.11', 'latest']);
  assert.equal(runtime.user, 'nonroot');
  assert.equal(runtime.sizeBudget, 20_000_000);
  assert.equal(runtime.packageBudget, 40);
  assert.equal(runtime.shell, false);
});

test('overlay rules, table-driven', () => {
  const byName = new Map(expandVariants(def).map((v) => [v.variant, v]));
  const dev = byName.get('dev');
  const debug = byName.get('debug');
  assert.ok(dev && debug);
  const table: [string, unknown, unknown][] = [
    ['dev tags get the default suffix', dev.tags, ['3.11-dev', 'latest-dev']],
    ['debug tags get its own suffix', debug.tags, ['3.11-dbg', 'latest-dbg']],
    [
      'packages appended, a re-pin replaces in place',
      dev.packages,
      [
        { name: 'python3.11-minimal' },
        { name: 'libc6', version: '2.36-9+deb12u9' },
        { name: 'bash' },
        { name: 'dpkg' },
      ],
    ],
    ['excludes appended, minus what the variant asks for', dev.exclude, ['debconf', 'perl-base']],
    ['debug inherits excludes', debug.exclude, ['debconf', 'dpkg']],
    ['user replaced', dev.user, 'root'],
    ['user inherited', debug.user, 'nonroot'],
    [
      'environment merged, overlay wins',
      dev.environment,
      { LANG: 'en_US.UTF-8', SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt', PIP_NO_CACHE_DIR: '1' },
    ],
    ['labels merged', debug.labels, { team: 'platform', debug: 'yes' }],
    [
      'tests appended, same name replaced',
      dev.tests.map((t) => `${t.name}:${t.kind === 'command' ? t.stdout : ''}`),
      ['hello:1', 'user:uid=0'],
    ],
    ['entrypoint inherited', dev.entrypoint, ['/usr/bin/python3.11']],
    ['entrypoint replaced', debug.entrypoint, ['/usr/bin/python3.11', '-X', 'dev']],
    ['size budget not inherited', dev.sizeBudget, undefined],
    ['package budget not inherited', dev.packageBudget, undefined],
    ['flags replaced', [dev.shell, dev.packageManager], [true, true]],
    ['flags inherited', [debug.shell, debug.packageManager], [false, false]],
  ];
  for (const [what, actual, expected] of table) assert.deepEqual(actual, expected, what);
});

test('expandVariants does not modify the definition', () => {
  const before = JSON.stringify(def);
  expandVariants(def);
  assert.equal(JSON.stringify(def), before);
});

test('selectVariants: all, runtime, a name, and an unknown name', () => {
  assert.equal(selectVariants(def, 'all').length, 3);
  assert.deepEqual(
    selectVariants(def, 'runtime').map((v) => v.variant),
    ['runtime'],
  );
  assert.deepEqual(
    selectVariants(def, 'dev').map((v) => v.variant),
    ['dev'],
  );
  assert.throws(
    () => selectVariants(def, 'slim'),
    (e) => isIroncladError(e, 'USAGE') && /runtime, debug, dev/.test(e.hint ?? ''),
  );
});

test('a path declared once per platform keeps every platform in a variant that adds paths', () => {
  const d = Definition.parse({
    name: 'jre',
    distro: 'debian-12',
    platforms: ['linux/amd64', 'linux/arm64'],
    tags: ['1'],
    packages: ['openjdk-17-jre-headless'],
    paths: [
      { path: '/usr/lib/jvm/default-java', type: 'symlink', target: 'java-amd64', platforms: ['linux/amd64'] },
      { path: '/usr/lib/jvm/default-java', type: 'symlink', target: 'java-arm64', platforms: ['linux/arm64'] },
      { path: '/etc/a', type: 'file', content: 'base' },
    ],
    variants: {
      dev: {
        paths: [
          { path: '/usr/share/man/man1', type: 'dir' },
          { path: '/etc/a', type: 'file', content: 'dev' },
        ],
      },
    },
  });
  const dev = expandVariants(d).find((v) => v.variant === 'dev');
  assert.deepEqual(
    dev?.paths.map((p) => [
      p.path,
      p.type === 'symlink' ? p.target : p.type === 'file' && 'content' in p ? p.content : p.type,
    ]),
    [
      ['/usr/lib/jvm/default-java', 'java-amd64'],
      ['/usr/lib/jvm/default-java', 'java-arm64'],
      ['/etc/a', 'dev'],
      ['/usr/share/man/man1', 'dir'],
    ],
  );
});
