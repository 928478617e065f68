import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { mergeCustomization } from '../../src/definition/extends.ts';
import { loadDefinition } from '../../src/definition/load.ts';

// A base may give one path once per platform (the java images' default-java link names each architecture's
// JVM); a customization must keep both entries, and replace only the one its own entry shares a platform with.

const link = (target: string, platform: string) => ({
  path: '/usr/lib/jvm/default-java',
  type: 'symlink',
  target,
  platforms: [platform],
});
const amd64 = link('java-21-openjdk-amd64', 'linux/amd64');
const arm64 = link('java-21-openjdk-arm64', 'linux/arm64');
const conf = { path: '/etc/app.conf', type: 'file', content: 'a\n' };

function mergedPaths(basePaths: unknown[], ownPaths: unknown[]): unknown {
  const result = mergeCustomization(
    { name: 'base', paths: basePaths },
    { extends: 'base', name: 'c', paths: ownPaths },
  );
  assert.ok('merged' in result);
  return result.merged.paths;
}

test("a customization keeps each of the base's per-platform entries of one path", () => {
  const war = { path: '/var/lib/app.war', type: 'file', source: 'app.war', sha256: 'a'.repeat(64) };
  assert.deepEqual(mergedPaths([amd64, arm64, conf], [war]), [amd64, arm64, conf, war]);
});

test('an entry for one platform replaces only the base entry on that platform, in its place', () => {
  const own = link('java-17-openjdk-arm64', 'linux/arm64');
  assert.deepEqual(mergedPaths([amd64, arm64, conf], [own]), [amd64, own, conf]);
});

test('an entry without platforms replaces the base entries of its path on every platform', () => {
  const own = { path: '/usr/lib/jvm/default-java', type: 'symlink', target: 'java-17-openjdk' };
  assert.deepEqual(mergedPaths([amd64, conf, arm64], [own]), [own, conf]);
  const newConf = { ...conf, content: 'b\n' };
  assert.deepEqual(mergedPaths([amd64, arm64, conf], [newConf]), [amd64, arm64, newConf]);
});

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ironclad-extends-paths-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a customization of the tomcat catalog image that adds paths keeps both default-java links', async () => {
  const tomcat = resolve(import.meta.dirname, '../../images/tomcat');
  await writeFile(
    join(dir, 'image.yaml'),
    [
      `extends: ${relative(dir, tomcat)}`,
      'name: my-tomcat',
      'paths:',
      '  - {path: /var/lib/tomcat11/webapps/ROOT/index.jsp, type: file, content: "It works.\\n"}',
      '',
    ].join('\n'),
  );
  const loaded = await loadDefinition(dir);
  const links = loaded.definition.paths.filter((p) => p.path === '/usr/lib/jvm/default-java');
  assert.deepEqual(
    links.map((p) => [p.platforms, p.type === 'symlink' ? p.target : '']),
    [
      [['linux/amd64'], 'java-21-openjdk-amd64'],
      [['linux/arm64'], 'java-21-openjdk-arm64'],
    ],
  );
});
