import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createContext } from '../../src/core/context.ts';
import { expandVariants } from '../../src/definition/index.ts';
import { parseDefinition } from '../../src/definition/load.ts';
import { hostPlatform, openImageSource } from '../../src/oci/index.ts';
import { type FunctionalResult, testImage } from '../../src/testing/index.ts';
import { mirrorHostPaths, writeRunnableImage } from '../support/runnable-image.ts';

// A tiny server in the host's perl (perl-base only): HTTP for GET, "+PONG" for anything else; exits 0 on SIGTERM.
// `never` as its port prints a configuration error and never listens; `ignore-term` makes it ignore SIGTERM.
const SERVER = `use IO::Socket::INET; $| = 1;
my $port = shift // 8080; my $mode = shift // '';
if ($port eq 'never') { print STDERR "configuration error: not listening\\n"; sleep 600; exit 1 }
$SIG{TERM} = $mode eq 'ignore-term' ? 'IGNORE' : sub { print "stopping\\n"; exit 0 };
my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port, Listen => 5, ReuseAddr => 1) or die "listen: $!";
print "listening on $port\\n";
while (my $c = $s->accept) {
  my $line = <$c>;
  if ($line =~ /^GET/) { while (my $h = <$c>) { last if $h =~ /^\\r?\\n$/ }
    print $c "HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\nX-Test: yes\\r\\n\\r\\nhello from perl\\n" }
  else { print $c "+PONG\\r\\n" }
  close $c;
}`;

const CLIENT =
  'use IO::Socket::INET; my $c = IO::Socket::INET->new("127.0.0.1:8080") or die "connect: $!"; print $c "PING\\r\\n"; print scalar <$c>';

const PERL_LIB = '/usr/lib/x86_64-linux-gnu/perl-base';

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const host = hostPlatform();
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-test-'));
  await writeRunnableImage(join(dir, 'layout'), {
    tag: 'server',
    index: true,
    binaries: ['/usr/bin/perl'],
    extra: mirrorHostPaths(filesUnder(PERL_LIB)),
    config: { User: '65532:65532', Entrypoint: ['/usr/bin/perl', '-e', SERVER], StopSignal: 'SIGTERM' },
  });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function testsOf(tests: string): Promise<FunctionalResult[]> {
  const yaml = `name: server\ndistro: debian-12\nplatforms: [linux/amd64]\npackages: [perl-base]\ntests:\n${tests}`;
  const variant = expandVariants(parseDefinition(yaml, 'image.yaml').definition)[0]!;
  const source = openImageSource({ kind: 'oci-layout', dir: join(dir, 'layout'), tag: 'server' }, {});
  const ctx = createContext({ home: join(dir, 'home') });
  const r = await testImage(source, { host, variant }, ctx);
  assert.deepEqual(await readdir(ctx.home.tmp), [], 'every container and the unpacked image are removed');
  return [...r.platforms[0]!.tests];
}

test('a server that listens passes http, tcp and exec probes and stops cleanly on its stop signal', async () => {
  const [starts, served] = await testsOf(`  - name: serves
    service: {port: 8080}
    probes:
      - http: {path: /, status: 200, headers: {content-type: "^text/plain"}, body-regex: "hello from perl"}
      - tcp: {send: "PING\\r\\n", expect: "^\\\\+PONG"}
      - exec: {run: [/usr/bin/perl, -e, '${CLIENT.replaceAll("'", "''")}'], stdout: "+PONG"}
`);
  assert.equal(starts?.name, 'starts');
  assert.equal(starts?.status, 'passed', starts?.message);
  assert.equal(served?.status, 'passed', `${served?.message}\n${served?.stderr}`);
  assert.match(served?.stdout ?? '', /listening on 8080[\s\S]*stopping/);
  assert.equal(served?.exitCode, 0);
});

test('a wrong probe expectation fails naming the probe', async () => {
  const [, r] = await testsOf(`  - name: wrong-status
    service: {port: 8080}
    probes:
      - http: {path: /, status: 204}
`);
  assert.equal(r?.status, 'failed');
  assert.match(r?.message ?? '', /probe 1 \(http\): GET \/: status 200, expected 204/);
});

test('a server that never listens fails the service test with its logs', async () => {
  const [, r] = await testsOf(`  - name: never
    service: {port: 8080, cmd: [never], ready-timeout: 2}
    probes: [{tcp: {}}]
`);
  assert.equal(r?.status, 'failed');
  assert.match(r?.message ?? '', /port 8080 did not accept connections within 2 s/);
  assert.match(r?.stderr ?? '', /configuration error: not listening/);
});

test('a server that ignores its stop signal fails', async () => {
  const [, r] = await testsOf(`  - name: stubborn
    service: {port: 8080, cmd: ["8080", ignore-term], stop-timeout: 1}
    probes: [{tcp: {}}]
`);
  assert.equal(r?.status, 'failed');
  assert.match(r?.message ?? '', /did not exit within 1 s of SIGTERM/);
});
