import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIroncladError } from '../../../src/core/index.ts';
import { osReleaseText } from '../../../src/image/synthesize/os-release.ts';

const bookworm = { id: 'debian', name: 'Debian GNU/Linux', versionId: '12', versionCodename: 'bookworm' };

test('os-release keeps Debian identity and names the image', () => {
  assert.equal(
    osReleaseText('python', bookworm),
    [
      'PRETTY_NAME="Ironclad python (Debian GNU/Linux 12 (bookworm))"',
      'NAME="Debian GNU/Linux"',
      'VERSION_ID="12"',
      'VERSION="12 (bookworm)"',
      'VERSION_CODENAME=bookworm',
      'ID=debian',
      'HOME_URL="https://www.debian.org/"',
      'SUPPORT_URL="https://www.debian.org/support"',
      'BUG_REPORT_URL="https://bugs.debian.org/"',
      '',
    ].join('\n'),
  );
  const trixie = osReleaseText('base', { ...bookworm, versionId: '13', versionCodename: 'trixie' });
  assert.match(trixie, /^PRETTY_NAME="Ironclad base \(Debian GNU\/Linux 13 \(trixie\)\)"$/m);
  assert.doesNotMatch(trixie, /ID_LIKE/);
});

test('os-release quoting and validation', () => {
  assert.match(osReleaseText('a"b$', bookworm), /^PRETTY_NAME="Ironclad a\\"b\\\$ /m);
  assert.throws(
    () => osReleaseText('x', { ...bookworm, id: 'Debian Linux' }),
    (err) => isIroncladError(err, 'INVALID_INPUT'),
  );
  assert.throws(
    () => osReleaseText('x\ny', bookworm),
    (err) => isIroncladError(err, 'INVALID_INPUT'),
  );
});
