import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isIroncladError } from '../../src/core/index.ts';
import { serializeParagraphs } from '../../src/debian/control.ts';
import { iterateParagraphs, parseControl, parseSingleParagraph, serializeParagraph } from '../../src/debian/index.ts';

const isInvalid = (e: unknown) => isIroncladError(e, 'INVALID_INPUT');

const STATUS = `Package: libc6
Status: install ok installed
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.
 .
 This package includes shared versions.
Conffiles:
 /etc/ld.so.conf.d/x86_64-linux-gnu.conf d4e7a7b88a71b5ffd9e2644e71a0cfab

Package: zlib1g
Version: 1:1.2.13.dfsg-1
`;

describe('parseControl', () => {
  test('splits paragraphs, keeps field order and continuation lines', () => {
    const [libc, zlib] = parseControl(STATUS);
    assert.ok(libc && zlib);
    assert.deepEqual([...libc.fields.keys()], ['Package', 'Status', 'Version', 'Description', 'Conffiles']);
    assert.equal(
      libc.get('Description'),
      'GNU C Library: Shared libraries\n Contains the standard libraries that are used by nearly all programs on\n the system.\n .\n This package includes shared versions.',
    );
    assert.equal(libc.get('Conffiles'), '\n /etc/ld.so.conf.d/x86_64-linux-gnu.conf d4e7a7b88a71b5ffd9e2644e71a0cfab');
    assert.equal(zlib.get('Version'), '1:1.2.13.dfsg-1');
    assert.equal(libc.line, 1);
    assert.equal(zlib.line, 12);
  });

  test('field lookup ignores case (Policy 5.1)', () => {
    const [p] = parseControl('Package: a\nPre-Depends: b\n');
    assert.equal(p?.get('package'), 'a');
    assert.equal(p?.get('PRE-DEPENDS'), 'b');
    assert.equal(p?.fields.get('pre-depends'), undefined); // the map itself keeps the original spelling
    assert.equal(p?.get('Depends'), undefined);
  });

  test('trims blanks around values, accepts CRLF, blank-only separator lines and a byte order mark', () => {
    const ps = parseControl('\ufeffPackage:   a  \r\nVersion:1\r\n \t \r\nPackage: b\r\n\r\n\r\n');
    assert.deepEqual(
      ps.map((p) => [...p.fields]),
      [
        [
          ['Package', 'a'],
          ['Version', '1'],
        ],
        [['Package', 'b']],
      ],
    );
  });

  test('empty input gives no paragraphs', () => {
    assert.deepEqual(parseControl(''), []);
    assert.deepEqual(parseControl('\n\n'), []);
  });

  test('comments only where allowed (source control files)', () => {
    const text = 'Source: a\n# a comment\nBuild-Depends: b,\n# inside a value\n c\n';
    assert.throws(() => parseControl(text), isInvalid);
    const [p] = parseControl(text, { allowComments: true });
    assert.equal(p?.get('Build-Depends'), 'b,\n c');
  });

  const MALFORMED: [string, string][] = [
    ['continuation first', ' starts with a blank\n'],
    ['no colon', 'Package a\n'],
    ['empty name', ': value\n'],
    ['name with a space', 'Pack age: a\n'],
    ['name starting with a dash', '-Package: a\n'],
    ['duplicate field', 'Package: a\nPackage: b\n'],
    ['duplicate field differing in case', 'Package: a\npackage: b\n'],
  ];
  for (const [name, text] of MALFORMED) {
    test(`rejects ${name} with INVALID_INPUT`, () => assert.throws(() => parseControl(text), isInvalid));
  }

  test('error messages name the line', () => {
    assert.throws(
      () => parseControl('A: 1\n\nB: 2\nbroken\n', { what: 'test data' }),
      (e) => isInvalid(e) && /test data, line 4/.test((e as Error).message),
    );
  });

  test('enforces the size limit', () => {
    assert.throws(() => parseControl('Package: a\n', { maxLength: 5 }), isInvalid);
  });

  test('iterateParagraphs is lazy: a later error does not stop earlier paragraphs', () => {
    const it = iterateParagraphs('A: 1\n\nbroken\n');
    assert.equal(it.next().value?.get('A'), '1');
    assert.throws(() => it.next(), isInvalid);
  });

  test('parseSingleParagraph requires exactly one paragraph', () => {
    assert.equal(parseSingleParagraph('Package: a\n').get('Package'), 'a');
    assert.throws(() => parseSingleParagraph(''), isInvalid);
    assert.throws(() => parseSingleParagraph('A: 1\n\nB: 2\n'), isInvalid);
  });
});

describe('serializeParagraph', () => {
  test('round-trips parsed paragraphs byte for byte', () => {
    const paragraphs = parseControl(STATUS);
    assert.equal(serializeParagraphs(paragraphs.map((p) => p.fields)), STATUS);
  });

  test('writes fields in the given order', () => {
    assert.equal(
      serializeParagraph([
        ['Package', 'a'],
        ['Architecture', 'all'],
        ['Version', '1'],
      ]),
      'Package: a\nArchitecture: all\nVersion: 1\n',
    );
  });

  const UNWRITABLE: [string, [string, string][]][] = [
    ['an invalid name', [['Bad Name', 'x']]],
    ['an empty continuation line', [['Description', 'short\n\n more']]],
    ['a blank continuation line', [['Description', 'short\n   \n more']]],
    ['a continuation without leading blank', [['Description', 'short\nmore']]],
    [
      'a duplicate field',
      [
        ['A', '1'],
        ['a', '2'],
      ],
    ],
  ];
  for (const [name, fields] of UNWRITABLE) {
    test(`rejects ${name}`, () => assert.throws(() => serializeParagraph(fields), isInvalid));
  }
});
