import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configureEnv, configureScript, isDropped } from '../../../src/image/configure/configure.ts';

test('configureScript: update-passwd, configure, file triggers quoted, triggers, no private key, silent audit', () => {
  const script = configureScript(['/usr/share/man', "/odd'path"]);
  assert.match(script, /^if \[ -x \/usr\/sbin\/update-passwd \]; then update-passwd; fi\ndpkg --configure -a\n/);
  assert.match(script, /for t in '\/usr\/share\/man' '\/odd'\\''path'; do dpkg-trigger --no-await "\$t"; done/);
  assert.match(
    script,
    /dpkg --triggers-only -a\nrm -f \/etc\/ssl\/private\/ssl-cert-snakeoil\.key \/etc\/ssl\/certs\/ssl-cert-snakeoil\.pem\n/,
  );
  assert.match(script, /-lname '\*ssl-cert-snakeoil\.pem' -delete/);
  assert.match(
    script,
    /keys=\$\(find \/etc\/ssl\/private ! -type d .*\nif \[ -n "\$keys" \]; then .* exit 1; fi\naudit=\$\(dpkg --audit\)/,
  );
  assert.doesNotMatch(configureScript([]), /dpkg-trigger/);
});

test('configureEnv: no questions, pinned epoch and hash seeds', () => {
  const env = configureEnv(1_700_000_000);
  for (const kv of ['DEBIAN_FRONTEND=noninteractive', 'SOURCE_DATE_EPOCH=1700000000', 'PERL_HASH_SEED=0', 'TZ=UTC']) {
    assert.ok(env.includes(kv), kv);
  }
});

test('isDropped: logs, backups, locks, ldconfig aux-cache and scratch space; nothing else', () => {
  const dropped = [
    'var/log/dpkg.log',
    'var/log/alternatives.log',
    'var/lib/dpkg/status-old',
    'var/lib/dpkg/diversions-old',
    'var/lib/dpkg/lock-frontend',
    'var/lib/dpkg/triggers/Lock',
    'var/cache/debconf/config.dat-old',
    'var/cache/ldconfig/aux-cache',
    'tmp/x',
    'run/lock',
  ];
  const kept = ['var/lib/dpkg/status', 'var/cache/debconf/config.dat', 'etc/ld.so.cache', 'tmp', 'var/log'];
  for (const p of dropped) assert.ok(isDropped(p), p);
  for (const p of kept) assert.ok(!isDropped(p), p);
});
