import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { isIroncladError } from '../../src/core/index.ts';
import { readDeb } from '../../src/debian/index.ts';

const work = mkdtempSync(join(tmpdir(), 'deb-reader-'));
after(() => rmSync(work, { recursive: true, force: true }));

const CONTROL = `Package: hello
Version: 1.0-1
Architecture: amd64
Maintainer: Test <test@example.org>
Description: test package
 with a continuation line
`;

const built = new Map<string, string>();

/** Builds a real .deb with dpkg-deb from a small tree (once per compression); returns its path. */
function buildDeb(compression: string): string {
  const cached = built.get(compression);
  if (cached !== undefined) return cached;
  const root = join(work, `root-${compression}`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'DEBIAN/control'), CONTROL);
  writeFileSync(join(root, 'DEBIAN/conffiles'), '/etc/hello.conf\n');
  writeFileSync(join(root, 'usr/bin/hello'), '#!/bin/sh\necho hello\n');
  chmodSync(join(root, 'usr/bin/hello'), 0o4755);
  writeFileSync(join(root, 'etc/hello.conf'), 'greeting=hi\n');
  symlinkSync('hello', join(root, 'usr/bin/hi'));
  const md5 = createHash('md5')
    .update(readFileSync(join(root, 'usr/bin/hello')))
    .digest('hex');
  writeFileSync(join(root, 'DEBIAN/md5sums'), `${md5}  usr/bin/hello\n`);
  const out = join(work, `hello-${compression}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', `-Z${compression}`, '--build', root, out], { stdio: 'ignore' });
  built.set(compression, out);
  return out;
}

for (const compression of ['xz', 'gzip', 'zstd', 'none']) {
  test(`reads a dpkg-deb built package (-Z${compression})`, async () => {
    const deb = await readDeb(buildDeb(compression));
    assert.equal(deb.control.get('Package'), 'hello');
    assert.equal(deb.control.get('description'), 'test package\n with a continuation line');
    assert.equal(deb.controlText, CONTROL);
    assert.deepEqual(deb.conffiles, ['/etc/hello.conf']);
    assert.equal(deb.md5sums.size, 1);
    const byPath = new Map(deb.entries.map((e) => [e.path, e]));
    assert.ok(!byPath.has(''), 'root entry is omitted');
    assert.ok(deb.entries.every((e) => !e.path.startsWith('.') && !e.path.startsWith('/')));
    const hello = byPath.get('usr/bin/hello');
    assert.ok(hello?.type === 'file');
    assert.equal(Buffer.from(hello.data).toString(), '#!/bin/sh\necho hello\n');
    assert.equal(hello.mode, 0o4755);
    assert.equal(hello.uid, 0);
    assert.equal(deb.md5sums.get('usr/bin/hello'), createHash('md5').update(hello.data).digest('hex'));
    const hi = byPath.get('usr/bin/hi');
    assert.ok(hi?.type === 'symlink');
    assert.equal(hi.linkname, 'hello');
    assert.equal(byPath.get('usr/bin')?.type, 'dir');
  });
}

test('reads from a stream as well as a path', async () => {
  const path = buildDeb('xz');
  const { createReadStream } = await import('node:fs');
  const deb = await readDeb(createReadStream(path), { name: 'hello.deb' });
  assert.equal(deb.dataCompression, 'xz');
  assert.ok(deb.entries.length > 3);
});

// --- crafted archives: what dpkg-deb refuses to build --------------------------------------------------

/** An ar archive from members, following ar(5) exactly (60-byte headers, even padding). */
function arArchive(members: readonly (readonly [string, Uint8Array])[]): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n', 'latin1')];
  for (const [name, data] of members) {
    const header =
      name.padEnd(16) +
      '0'.padEnd(12) +
      '0'.padEnd(6) +
      '0'.padEnd(6) +
      '100644'.padEnd(8) +
      String(data.length).padEnd(10);
    parts.push(Buffer.from(`${header}\`\n`, 'latin1'), Buffer.from(data));
    if (data.length % 2 === 1) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

type Crafted = Partial<tar.Header> & { name: string; content?: string };

async function tarOf(entries: readonly Crafted[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { content, ...header } of entries) {
    pack.entry({ mode: 0o644, mtime: new Date(0), ...header }, content ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function craftedDeb(data: readonly Crafted[], dataName = 'data.tar.gz'): Promise<string> {
  const control = await tarOf([{ name: './control', content: CONTROL }]);
  const dataTar = await tarOf(data);
  const bytes = arArchive([
    ['debian-binary', Buffer.from('2.0\n')],
    ['control.tar.gz', gzipSync(control)],
    [dataName, dataName.endsWith('.gz') ? gzipSync(dataTar) : dataTar],
  ]);
  const path = join(work, `crafted-${Math.random().toString(36).slice(2)}.deb`);
  writeFileSync(path, bytes);
  return path;
}

async function rejects(path: string, code: string, opts: Parameters<typeof readDeb>[1] = {}): Promise<void> {
  await assert.rejects(readDeb(path, opts), (err) => isIroncladError(err) && err.code === code);
}

test('crafted archive without hostile content reads back', async () => {
  const deb = await readDeb(
    await craftedDeb([
      { name: './', type: 'directory', mode: 0o755 },
      { name: './usr/', type: 'directory', mode: 0o755 },
      { name: './usr/a', content: 'a' },
      { name: './usr/b', type: 'link', linkname: './usr/a' },
    ]),
  );
  assert.deepEqual(
    deb.entries.map((e) => [e.path, e.type]),
    [
      ['usr', 'dir'],
      ['usr/a', 'file'],
      ['usr/b', 'hardlink'],
    ],
  );
});

test('hostile and malformed archives are rejected with a code', async (t) => {
  const cases: [string, () => Promise<string>, string][] = [
    ['../ path', () => craftedDeb([{ name: './usr/../../etc/passwd', content: 'x' }]), 'HOSTILE_INPUT'],
    ['absolute path', () => craftedDeb([{ name: '/etc/passwd', content: 'x' }]), 'HOSTILE_INPUT'],
    [
      'hardlink to a missing entry',
      () => craftedDeb([{ name: './usr/b', type: 'link', linkname: './usr/nothere' }]),
      'HOSTILE_INPUT',
    ],
    ['unknown compression', () => craftedDeb([{ name: './a', content: 'a' }], 'data.tar.lz4'), 'INVALID_INPUT'],
    [
      'truncated archive',
      async () => {
        const full = readFileSync(buildDeb('xz'));
        const path = join(work, 'truncated.deb');
        writeFileSync(path, full.subarray(0, full.length - 100));
        return path;
      },
      'INVALID_INPUT',
    ],
    [
      'not an ar archive',
      async () => {
        const path = join(work, 'garbage.deb');
        writeFileSync(path, 'this is not a package');
        return path;
      },
      'INVALID_INPUT',
    ],
    [
      'wrong format version',
      async () => {
        const path = join(work, 'v3.deb');
        writeFileSync(path, arArchive([['debian-binary', Buffer.from('3.0\n')]]));
        return path;
      },
      'INVALID_INPUT',
    ],
  ];
  for (const [name, make, code] of cases) {
    await t.test(name, async () => rejects(await make(), code));
  }
});

test('limits: oversized members and too many entries are HOSTILE_INPUT', async () => {
  const path = await craftedDeb([
    { name: './a', content: 'a'.repeat(1000) },
    { name: './b', content: 'b' },
  ]);
  await rejects(path, 'HOSTILE_INPUT', { limits: { maxUnpackedSize: 500 } });
  await rejects(path, 'HOSTILE_INPUT', { limits: { maxEntries: 1 } });
  await rejects(path, 'HOSTILE_INPUT', { limits: { maxMemberSize: 50 } });
  await rejects(path, 'HOSTILE_INPUT', { limits: { maxPathLength: 0 } });
});

test('device nodes are reported with their type (assembly rejects them)', async () => {
  const deb = await readDeb(
    await craftedDeb([{ name: './dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 }]),
  );
  assert.equal(deb.entries[0]?.type, 'block');
});

test('a missing file is NOT_FOUND', async () => {
  await rejects(join(work, 'nope.deb'), 'NOT_FOUND');
});
