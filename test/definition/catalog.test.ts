import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadDefinition } from '../../src/definition/load.ts';
import { expandVariants } from '../../src/definition/variants.ts';

// Every image in the catalog must load, and its runtime variant must keep the hardened promises that a
// definition can express (DESIGN.md, Image rules). images/reference/* holds unhardened look-alikes of
// well-known images, built only to compare against; they are checked separately below.
const IMAGES = resolve(import.meta.dirname, '../../images');
const REFERENCES = join(IMAGES, 'reference');
const names = readdirSync(IMAGES)
  .filter((n) => n !== 'reference')
  .sort();
const references = readdirSync(REFERENCES).sort();

test('the catalog is not empty', () => {
  assert.ok(names.length >= 6, names.join(', '));
});

/**
 * Runtime images allowed a shell, each for a reason written down in docs/definitions.md: postgres (initdb runs its
 * backends through popen(3), i.e. /bin/sh), mariadb (its system tables are made by piping SQL scripts into
 * `mariadbd --bootstrap`) and busybox (a shell by nature).
 */
const SHELL_EXCEPTIONS = new Set(['busybox', 'mariadb', 'postgres']);

/**
 * Runtime images whose size or package budget is not below a peer's published figure (catalog.peers), each with
 * its reason. Package counts are not like for like: Debian splits into packages of their own what Wolfi folds
 * into one (gcc-N-base, tzdata, netbase, media-types) and builds some libraries with more features. The test
 * fails when an image listed here no longer needs to be.
 */
const ABOVE_PEER = new Map<string, string>([
  [
    'caddy',
    "equal to Chainguard's 5, which has its CA bundle too: ca-certificates, which ACME and HTTPS upstreams are " +
      "verified against; Debian's caddy links libzstd.so.1 (libzstd1, for badger) and its file server needs " +
      "media-types' /etc/mime.types for the Content-Type of .txt, .woff2, .mp4... (5 vs 5)",
  ],
  ['curl', "Debian's libcurl4t64 has GSSAPI, LDAP, RTMP and SSH, which bring Kerberos, SASL and GnuTLS (32 vs 17)"],
  [
    'git',
    "Debian's libcurl3t64-gnutls has GSSAPI, LDAP, RTMP and SSH, which bring Kerberos, SASL and nettle (36 vs 24)",
  ],
  [
    'node',
    "Debian 13's Node.js 20 is nodejs and libnode115 with ICU, libuv, c-ares, nghttp2 and brotli as packages of " +
      'their own, and 4 node-* packages holding the builtins node loads (acorn, cjs-module-lexer, minimatch, ' +
      "undici): 21 packages and 41.2 MB against DHI's Node.js 22 (19, 41 MB); Chainguard's 26 is above it",
  ],
  [
    'rabbitmq',
    'the broker and its .app files need 11 OTP applications that Debian ships as erlang-* packages of their own ' +
      'beside erlang-base, and erlang-eldap serves the LDAP plugin (22, budget 24, vs 20)',
  ],
  ['ruby', 'Debian ships Ruby as libruby, ruby3.3 and 9 default-gem and rubygems packages (26 vs 15)'],
]);

for (const name of names) {
  test(`images/${name} loads, and its runtime variant is hardened`, async () => {
    const loaded = await loadDefinition(join(IMAGES, name));
    const variants = expandVariants(loaded.definition);
    const runtime = variants[0];
    assert.ok(runtime);
    assert.equal(runtime.kind, 'hardened');
    // nonroot, or a service's own declared account (nginx, redis, postgres); never root.
    assert.ok(runtime.user === 'nonroot' || runtime.accounts.users.some((u) => u.name === runtime.user), runtime.user);
    assert.equal(runtime.shell, SHELL_EXCEPTIONS.has(name), 'a runtime image has no shell');
    assert.equal(runtime.packageManager, false);
    assert.ok(runtime.sizeBudget !== undefined, 'a runtime image has a size budget');
    assert.ok(runtime.packageBudget !== undefined, 'a runtime image has a package budget');
    const shipped = new Set(runtime.packages.map((p) => p.name));
    for (const banned of ['bash', 'coreutils', 'dpkg', 'apt', 'debconf', 'perl-base', 'busybox']) {
      assert.ok(!shipped.has(banned), `runtime requests ${banned}`);
    }
    if (shipped.has('tzdata') || shipped.has('ca-certificates')) {
      assert.ok(runtime.exclude.includes('debconf'), 'tzdata/ca-certificates would pull in debconf');
    }
    for (const v of variants.slice(1)) {
      assert.ok(
        v.tags.every((t) => t.endsWith('-dev') || v.variant !== 'dev'),
        `${v.variant} tags`,
      );
    }
    const catalog = loaded.definition.catalog;
    assert.ok(catalog, 'a catalog image has a catalog: block (overview, usage, links, dates)');
    assert.ok(catalog.usage.length > 0 && catalog.links.length > 0, 'usage notes and upstream links');
    assert.ok(catalog.release !== undefined && catalog.endOfLife !== undefined, 'release and end-of-life dates');
    const text = readFileSync(loaded.path, 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=\.\.\/\.\.\/schema\/definition\.schema\.json$/m);
  });

  test(`images/${name}: the runtime budgets are below the peers' published figures`, async () => {
    const loaded = await loadDefinition(join(IMAGES, name));
    const runtime = expandVariants(loaded.definition)[0];
    const packageBudget = runtime?.packageBudget;
    const sizeBudget = runtime?.sizeBudget;
    assert.ok(packageBudget !== undefined && sizeBudget !== undefined);
    const peers = loaded.definition.catalog?.peers ?? [];
    for (const p of peers)
      assert.ok(p.source !== undefined && p.describes !== undefined, `${p.name}: source, describes`);
    const above = peers.flatMap((p) => [
      ...(p.packages !== undefined && packageBudget >= p.packages
        ? [`package budget ${packageBudget} >= ${p.name} ${p.packages}`]
        : []),
      ...(p.size !== undefined && sizeBudget >= p.size ? [`size budget ${sizeBudget} >= ${p.name} ${p.size}`] : []),
    ]);
    if (ABOVE_PEER.has(name)) assert.notDeepEqual(above, [], `${name} is below its peers now: drop it from ABOVE_PEER`);
    else assert.deepEqual(above, []);
  });
}

// The catalog tells mariadb users to add files to /etc/mysql/conf.d. MariaDB keeps the last value of an option, so
// that directory must be read after the image's settings, and a directory mounted over it (empty or not) must not
// take any of them away (docs/definitions.md, "mariadb: the configuration files").
test('images/mariadb reads /etc/mysql/conf.d last, and keeps none of its own settings there', async () => {
  const loaded = await loadDefinition(join(IMAGES, 'mariadb'));
  for (const v of expandVariants(loaded.definition)) {
    const myCnf = v.paths.find((p) => p.path === '/etc/mysql/my.cnf');
    assert.ok(myCnf?.type === 'file' && 'content' in myCnf, `${v.variant}: /etc/mysql/my.cnf is a file`);
    const includes = myCnf.content.split('\n').filter((line) => line.startsWith('!include'));
    assert.deepEqual(includes, ['!includedir /etc/mysql/mariadb.conf.d/', '!includedir /etc/mysql/conf.d/'], v.variant);
    const inConfD = v.paths.filter((p) => p.path.startsWith('/etc/mysql/conf.d/')).map((p) => p.path);
    assert.deepEqual(inConfD, [], `${v.variant}: the image's settings are not in conf.d`);
  }
});

test('the reference catalog is not empty', () => {
  assert.ok(references.length >= 1);
});

for (const name of references) {
  test(`images/reference/${name} loads as a reference image`, async () => {
    const loaded = await loadDefinition(join(REFERENCES, name));
    for (const v of expandVariants(loaded.definition)) assert.equal(v.kind, 'reference', v.variant);
    const text = readFileSync(loaded.path, 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=\.\.\/\.\.\/\.\.\/schema\/definition\.schema\.json$/m);
  });
}
