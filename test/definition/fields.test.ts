import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileMode, packageSpec, parseNumericUser, parseSize, platform, tag } from '../../src/definition/fields.ts';

test('parseSize reads decimal and binary units and plain byte counts', () => {
  const table: [string | number, number | undefined][] = [
    ['25MB', 25_000_000],
    ['20MiB', 20 * 1024 * 1024],
    ['1.5 GB', 1_500_000_000],
    ['512kb', 512_000],
    ['100', 100],
    ['100B', 100],
    [4096, 4096],
    ['', undefined],
    ['0MB', undefined],
    ['-5MB', undefined],
    ['5 parsecs', undefined],
    ['MB', undefined],
    [1.5, undefined],
  ];
  for (const [input, want] of table) assert.equal(parseSize(input), want, String(input));
});

test('packageSpec splits name=version pins and rejects malformed ones', () => {
  assert.deepEqual(packageSpec.parse('libssl3'), { name: 'libssl3' });
  assert.deepEqual(packageSpec.parse('libssl3=3.0.15-1~deb12u1'), { name: 'libssl3', version: '3.0.15-1~deb12u1' });
  assert.deepEqual(packageSpec.parse('libc6=1:2.36-9'), { name: 'libc6', version: '1:2.36-9' });
  for (const bad of ['LibSSL', 'a', 'libssl3=', 'libssl3=x1', 'libssl3=1=2', 'lib ssl']) {
    assert.equal(packageSpec.safeParse(bad).success, false, bad);
  }
});

test('fileMode takes quoted octal and refuses numbers and setuid/setgid bits', () => {
  assert.equal(fileMode.parse('0755'), 0o755);
  assert.equal(fileMode.parse('644'), 0o644);
  assert.equal(fileMode.parse('1777'), 0o1777);
  assert.equal(fileMode.safeParse(755).success, false);
  assert.equal(fileMode.safeParse('0789').success, false);
  assert.equal(fileMode.safeParse('4755').success, false);
  assert.equal(fileMode.safeParse('2755').success, false);
});

test('platform and tag follow the OCI grammars', () => {
  for (const ok of ['linux/amd64', 'linux/arm64', 'linux/arm/v7']) assert.equal(platform.safeParse(ok).success, true);
  for (const bad of ['amd64', 'linux/', 'Linux/amd64', 'linux/arm/v7/x']) {
    assert.equal(platform.safeParse(bad).success, false, bad);
  }
  for (const ok of ['3.11', 'latest', '_x', 'a'.repeat(128)]) assert.equal(tag.safeParse(ok).success, true, ok);
  for (const bad of ['-dev', '.x', 'a:b', 'a'.repeat(129), '']) assert.equal(tag.safeParse(bad).success, false, bad);
});

test('parseNumericUser reads uid:gid only', () => {
  assert.deepEqual(parseNumericUser('65532:65532'), { uid: 65532, gid: 65532 });
  assert.equal(parseNumericUser('nonroot'), undefined);
  assert.equal(parseNumericUser('1000'), undefined);
});
