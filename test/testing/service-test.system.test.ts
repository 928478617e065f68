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
import { type FunctionalResult, type TestImageOptions, testImage } from '../../src/testing/index.ts';
import { mirrorHostPaths, writeRunnableImage } from '../support/runnable-image.ts';

// A tiny server in the host's perl (perl-base only): HTTP for GET, "+PONG" for anything else; exits 0 on SIGTERM.
// `never` as its port prints a configuration error and never listens; `ignore-term` makes it ignore SIGTERM;
// `ready-after N` answers GET with 503 until it has answered N of them, as a server that listens before it is ready.
// GET /big answers a 300 000-byte body, more than a pipe holds.
const SERVER = `use IO::Socket::INET; $| = 1;
my $port = shift // 8080; my $mode = shift // ''; my $unready = $mode eq 'ready-after' ? shift : 0;
if ($port eq 'never') { print STDERR "configuration error: not listening\\n"; sleep 600; exit 1 }
$SIG{TERM} = $mode eq 'ignore-term' ? 'IGNORE' : sub { print "stopping\\n"; exit 0 };
my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port, Listen => 5, ReuseAddr => 1) or die "listen: $!";
print "listening on $port\\n";
while (my $c = $s->accept) {
  my $line = <$c>;
  if ($line =~ /^GET/ && $unready > 0) { $unready--; while (my $h = <$c>) { last if $h =~ /^\\r?\\n$/ }
    print $c "HTTP/1.0 503 Service Unavailable\\r\\n\\r\\nnot ready\\n" }
  elsif ($line =~ m{^GET /big }) { while (my $h = <$c>) { last if $h =~ /^\\r?\\n$/ }
    print $c "HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\n", "x" x 300000, "\\nend\\n" }
  elsif ($line =~ /^GET/) { while (my $h = <$c>) { last if $h =~ /^\\r?\\n$/ }
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

async function testsOf(tests: string, variantImage?: TestImageOptions['variantImage']): Promise<FunctionalResult[]> {
  const yaml = `name: server\ndistro: debian-12\nplatforms: [linux/amd64]\npackages: [perl-base]\ntests:\n${tests}`;
  const variant = expandVariants(parseDefinition(yaml, 'image.yaml').definition)[0]!;
  const source = openImageSource({ kind: 'oci-layout', dir: join(dir, 'layout'), tag: 'server' }, {});
  const ctx = createContext({ home: join(dir, 'home') });
  const r = await testImage(source, { host, variant, ...(variantImage !== undefined && { variantImage }) }, ctx);
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

test('an http probe gets a body larger than a pipe holds, to its end', async () => {
  const [, r] = await testsOf(`  - name: big-body
    service: {port: 8080}
    probes:
      - http: {path: /big, status: 200, body-regex: "^x{300000}\\\\nend\\\\n$"}
`);
  assert.equal(r?.status, 'passed', `${r?.message}\n${r?.stderr}`);
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

test('with a ready-path, probes wait until the server answers it 2xx; without one they see 503', async () => {
  const probes = `    probes:
      - http: {path: /, status: 200, body-regex: "hello from perl"}
`;
  const [, waited] = await testsOf(`  - name: waits
    service: {port: 8080, cmd: ["8080", ready-after, "3"], ready-path: /health}
${probes}`);
  assert.equal(waited?.status, 'passed', `${waited?.message}\n${waited?.stderr}`);
  const [, early] = await testsOf(`  - name: early
    service: {port: 8080, cmd: ["8080", ready-after, "3"]}
${probes}`);
  assert.equal(early?.status, 'failed');
  assert.match(early?.message ?? '', /probe 1 \(http\): GET \/: status 503, expected 200/);
});

test('a server that never answers its ready-path 2xx fails, naming the last answer', async () => {
  const [, r] = await testsOf(`  - name: never-ready
    service: {port: 8080, cmd: ["8080", ready-after, "1000000"], ready-path: /health, ready-timeout: 1}
    probes: [{tcp: {}}]
`);
  assert.equal(r?.status, 'failed');
  assert.match(r?.message ?? '', /GET \/health on port 8080 did not answer 2xx within 1 s \(last answer: status 503/);
});

test('a server that ignores its stop signal fails', async () => {
  const [, r] = await testsOf(`  - name: stubborn
    service: {port: 8080, cmd: ["8080", ignore-term], stop-timeout: 1}
    probes: [{tcp: {}}]
`);
  assert.equal(r?.status, 'failed');
  assert.match(r?.message ?? '', /did not exit within 1 s of SIGTERM/);
});

test('an exec probe with variant: runs its command in that variant of the image, sharing the network namespace', async () => {
  // The client lives only in the "dev" image: a perl program saved as a file the server image does not have.
  await writeRunnableImage(join(dir, 'layout'), {
    tag: 'server-dev',
    index: true,
    binaries: ['/usr/bin/perl'],
    extra: [
      ...mirrorHostPaths(filesUnder(PERL_LIB)),
      {
        type: 'file',
        path: 'usr/local/bin/ping.pl',
        mode: 0o755,
        uid: 0,
        gid: 0,
        mtime: 1700000000,
        data: Buffer.from(CLIENT),
      },
    ],
    config: { User: '65532:65532' },
  });
  const dev = openImageSource({ kind: 'oci-layout', dir: join(dir, 'layout'), tag: 'server-dev' }, {});
  const asked: string[] = [];
  const variantImage: NonNullable<TestImageOptions['variantImage']> = async (name, platform) => {
    asked.push(name);
    return name === 'dev' ? dev.resolve(platform) : undefined;
  };
  const probe = (variant: string) => `  - name: client-in-${variant}
    service: {port: 8080}
    probes:
      - exec: {run: [/usr/bin/perl, /usr/local/bin/ping.pl], variant: ${variant}, stdout: "+PONG"}
`;
  const [, inDev] = await testsOf(probe('dev'), variantImage);
  assert.equal(inDev?.status, 'passed', `${inDev?.message}\n${inDev?.stderr}`);
  const [, missing] = await testsOf(probe('debug'), variantImage);
  assert.equal(missing?.status, 'failed');
  assert.match(missing?.message ?? '', /the debug variant of sha256:[0-9a-f]{64} is not available/);
  assert.deepEqual(asked, ['dev', 'debug']);
});
