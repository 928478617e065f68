import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { readGoBuildInfo } from '../../../src/sbom/catalogers/go-buildinfo.ts';
import { catalogOf, file, osRelease } from '../images.ts';

// No Go toolchain is assumed: the binaries are built here, byte by byte, per Go's debug/buildinfo format.
const SENTINEL_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const SENTINEL_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');
const MODINFO = [
  'path\texample.com/app/cmd/app',
  'mod\texample.com/app\tv1.4.2\th1:abc=',
  'dep\tgithub.com/sirupsen/logrus\tv1.9.3\th1:def=',
  'dep\tgolang.org/x/sys\tv0.1.0\th1:ghi=',
  '=>\tgolang.org/x/sys\tv0.15.0\th1:jkl=',
  'build\t-compiler=gc',
  '',
].join('\n');
const VADDR = 0x400000;

function uvarint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

/** A 64-bit little-endian ELF without section headers; one PT_LOAD maps the whole file at VADDR. */
function elf(body: (fileOffsetToVaddr: (off: number) => number) => Buffer, bodyAt = 0x100): Buffer {
  const b = body((off) => VADDR + off);
  const out = Buffer.alloc(bodyAt + b.length);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  out.writeUInt16LE(2, 16); // ET_EXEC
  out.writeUInt16LE(62, 18); // x86-64
  out.writeBigUInt64LE(64n, 32); // e_phoff
  out.writeBigUInt64LE(0n, 40); // e_shoff: none, so the reader scans for the magic
  out.writeUInt16LE(56, 54); // e_phentsize
  out.writeUInt16LE(1, 56); // e_phnum
  out.writeUInt32LE(1, 64); // PT_LOAD
  out.writeBigUInt64LE(0n, 72); // p_offset
  out.writeBigUInt64LE(BigInt(VADDR), 80); // p_vaddr
  out.writeBigUInt64LE(BigInt(out.length), 96); // p_filesz
  b.copy(out, bodyAt);
  return out;
}

function header(flags: number): Buffer {
  const h = Buffer.alloc(32);
  h.write('\xff Go buildinf:', 0, 'latin1');
  h[14] = 8;
  h[15] = flags;
  return h;
}

const modBytes = Buffer.concat([SENTINEL_START, Buffer.from(MODINFO), SENTINEL_END]);

function inlineBinary(): Buffer {
  const v = Buffer.from('go1.22.1');
  return elf(() => Buffer.concat([header(2), uvarint(v.length), v, uvarint(modBytes.length), modBytes]));
}

/** Go < 1.18: pointers to {data, len} string headers, all as virtual addresses. */
function pointerBinary(): Buffer {
  const base = 0x100;
  const v = Buffer.from('go1.16.15');
  // Layout after the 32-byte header: two pointers, two string headers, then the string bytes.
  const hdr = header(0);
  const strHdrs = 48;
  const vAt = 80;
  const mAt = vAt + v.length;
  const body = Buffer.alloc(mAt + modBytes.length);
  hdr.copy(body, 0);
  body.writeBigUInt64LE(BigInt(VADDR + base + strHdrs), 16);
  body.writeBigUInt64LE(BigInt(VADDR + base + strHdrs + 16), 24);
  body.writeBigUInt64LE(BigInt(VADDR + base + vAt), strHdrs);
  body.writeBigUInt64LE(BigInt(v.length), strHdrs + 8);
  body.writeBigUInt64LE(BigInt(VADDR + base + mAt), strHdrs + 16);
  body.writeBigUInt64LE(BigInt(modBytes.length), strHdrs + 24);
  v.copy(body, vAt);
  modBytes.copy(body, mAt);
  return elf(() => body, base);
}

const EXPECTED_DEPS = [
  { path: 'github.com/sirupsen/logrus', version: 'v1.9.3' },
  { path: 'golang.org/x/sys', version: 'v0.15.0' },
];

test('inline build info (Go >= 1.18) is read, replacements applied', () => {
  const info = readGoBuildInfo(inlineBinary())!;
  assert.equal(info.goVersion, 'go1.22.1');
  assert.equal(info.path, 'example.com/app/cmd/app');
  assert.deepEqual(info.main, { path: 'example.com/app', version: 'v1.4.2' });
  assert.deepEqual(info.deps, EXPECTED_DEPS);
});

test('pointer build info (Go < 1.18) is read through the program headers', () => {
  const info = readGoBuildInfo(pointerBinary())!;
  assert.equal(info.goVersion, 'go1.16.15');
  assert.deepEqual(info.deps, EXPECTED_DEPS);
});

test('non-Go ELF files and non-ELF files give null', () => {
  assert.equal(readGoBuildInfo(elf(() => Buffer.alloc(64))), null);
  assert.equal(readGoBuildInfo(Buffer.from('#!/bin/sh\necho hi\n')), null);
  const real = execFileSync('sh', ['-c', 'command -v sh']).toString().trim();
  assert.equal(readGoBuildInfo(execFileSync('cat', [real])), null);
});

test('corrupt build info is INVALID_INPUT, not a crash', () => {
  const bin = inlineBinary();
  bin.writeUInt8(0xff, 0x100 + 32); // a varint that never ends within bounds → absurd length
  bin.fill(0xff, 0x100 + 33, 0x100 + 44);
  assert.throws(
    () => readGoBuildInfo(bin),
    (e: { code?: string }) => e.code === 'INVALID_INPUT',
  );
});

test('the Go cataloger reports modules and stdlib from executables in the image', async () => {
  const bin = inlineBinary();
  const cat = await catalogOf([
    [
      ...osRelease(),
      { type: 'file', path: 'app', mode: 0o755, uid: 0, gid: 0, mtime: 1700000000, data: bin },
      { type: 'file', path: 'not-exec', mode: 0o644, uid: 0, gid: 0, mtime: 1700000000, data: bin },
      file('script', '#!/bin/sh\n'.repeat(200), 0o755),
    ],
  ]);
  assert.deepEqual(
    cat.packages.map((p) => p.purl),
    [
      'pkg:golang/example.com/app@v1.4.2',
      'pkg:golang/github.com/sirupsen/logrus@v1.9.3',
      'pkg:golang/golang.org/x/sys@v0.15.0',
      'pkg:golang/stdlib@1.22.1',
    ],
  );
  assert.deepEqual(cat.packages[0]!.locations, ['app']);
});
