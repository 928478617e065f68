import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runCli } from '../../src/cli/main.ts';
import { captureIO } from '../support/cli-io.ts';
import { type RegistryServer, startRegistry } from '../support/registry-server.ts';

const exec = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
/** Debian's place for locally added CAs: a machine behind a TLS-inspecting proxy trusts it there. */
const LOCAL_CAS = '/usr/local/share/ca-certificates';
/**
 * Dev stages trust what this machine trusts, as a user behind such a proxy would set them up (and it exercises
 * the dev image's ca-certificates): the context's host-ca/ holds this machine's local CAs.
 */
const TRUST_HOST_CAS = ['COPY host-ca/ /usr/local/share/ca-certificates/', 'RUN update-ca-certificates'];

/**
 * buildah's environment: a storage.conf of its own under `work` (overlay driver, root and run root there), so no
 * storage setting of the machine applies and nothing is shared with its other containers.
 */
const buildahEnv = (work: string) => ({ ...process.env, CONTAINERS_STORAGE_CONF: join(work, 'buildah/storage.conf') });

async function writeBuildahConf(work: string): Promise<void> {
  await mkdir(join(work, 'buildah'), { recursive: true });
  const conf = [
    '[storage]',
    'driver = "overlay"',
    `graphroot = "${join(work, 'buildah/root')}"`,
    `runroot = "${join(work, 'buildah/run')}"`,
    '',
  ];
  await writeFile(join(work, 'buildah/storage.conf'), conf.join('\n'));
}

/**
 * Removes everything buildah stored under `work` (containers, images, their overlay mounts), whatever state a
 * failed test left it in, so that the directory can then be deleted.
 */
async function removeBuildahStore(work: string): Promise<void> {
  for (const args of [
    ['rm', '--all'],
    ['rmi', '--all', '--force'],
  ]) {
    await exec('buildah', args, { env: buildahEnv(work) }).catch(() => undefined);
  }
  // Anything still mounted below `work` (a build killed halfway) would keep rm from deleting it.
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''))
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(`${work}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) await exec('umount', ['-l', point]).catch(() => undefined);
}

// Needs the real Debian archive, the npm registry, runc, buildah (scripts/setup.sh installs it) and root: buildah
// keeps its images in overlay storage of its own under the test's temp dir (a pulled layer is unpacked once and
// shared, not copied per layer as with vfs), all of it removed at the end. Builds the cc, python and node images
// (runtime and dev) and base dev, amd64, from the repository's locks, pushes each once with our CLI to one local
// docker-registry, and builds real multi-stage Dockerfiles against them with buildah, shell-form RUN lines
// included; each final image runs in runc as 65532 and prints what it should.
describe('dev variants as Dockerfile build stages, with the Debian archive and the npm registry (e2e)', () => {
  let work: string;
  let registry: RegistryServer;
  let io: ReturnType<typeof captureIO>;

  const cli = async (args: string[]) => {
    const status = await runCli(args, io);
    assert.equal(status, 0, `ironclad ${args.join(' ')}:\n${io.err.join('\n')}`);
  };
  /**
   * buildah with its own storage under `work`: the kernel's overlayfs (root needed; a few GB for all flows, where
   * vfs copied every layer's whole tree), chroot isolation.
   */
  const buildah = async (args: string[]) => {
    const { stdout } = await exec('buildah', args, { maxBuffer: 64 * 1024 * 1024, env: buildahEnv(work) });
    return stdout;
  };
  /** Builds `dockerfile` with the files of `context`, and returns the final image's output when run in runc. */
  const buildAndRun = async (
    name: string,
    dockerfile: string,
    context: Record<string, string>,
    args: string[] = [],
  ) => {
    const dir = join(work, 'ctx', name);
    await hostCas(dir);
    await writeFile(join(dir, 'Dockerfile'), dockerfile.replaceAll('REGISTRY', `${registry.host}/ironclad`));
    for (const [file, text] of Object.entries(context)) await writeFile(join(dir, file), text);
    const log = await buildah([
      'bud',
      '--isolation',
      'chroot',
      '--tls-verify=false',
      '--layers=false',
      ...args,
      '-t',
      `localhost/${name}`,
      dir,
    ]);
    await mkdir(join(work, 'oci'), { recursive: true });
    const layout = join(work, 'oci', name);
    await buildah(['push', `localhost/${name}`, `oci:${layout}:latest`]);
    io.out.length = 0;
    await cli(['run', `oci:${layout}:latest`]);
    return { log, output: io.out.join('').trim() };
  };

  /** `dir/host-ca/` with this machine's local CAs (none is fine: update-ca-certificates then adds nothing). */
  const hostCas = async (dir: string) => {
    await mkdir(join(dir, 'host-ca'), { recursive: true });
    await writeFile(join(dir, 'host-ca', 'README'), 'CAs the test machine trusts\n');
    const names = await readdir(LOCAL_CAS).catch(() => [] as string[]);
    for (const n of names.filter((x) => x.endsWith('.crt')))
      await copyFile(join(LOCAL_CAS, n), join(dir, 'host-ca', n));
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'ironclad-dev-e2e-'));
    await writeBuildahConf(work);
    io = captureIO(REPO, { IRONCLAD_HOME: join(work, 'home') });
    registry = await startRegistry();
    for (const [image, variant] of [
      ['cc', 'all'],
      ['python', 'all'],
      ['node', 'all'],
      ['base', 'dev'],
    ] as const) {
      await cli(['build', join(REPO, 'images', image), '--variant', variant, '--platform', 'linux/amd64', '--no-test']);
    }
    const push = [
      ['cc:latest', 'cc:latest'],
      ['cc:latest-dev', 'cc:latest-dev'],
      ['python:3.11', 'python:3.11'],
      ['python:3.11-dev', 'python:3.11-dev'],
      ['node:20', 'node:20'],
      ['node:20-dev', 'node:20-dev'],
      ['base:latest-dev', 'base:latest-dev'],
    ];
    for (const [from, to] of push) await cli(['push', from!, `docker://${registry.host}/ironclad/${to}`]);
  });
  after(async () => {
    await registry?.stop();
    if (work) await removeBuildahStore(work);
    await rm(work, { recursive: true, force: true });
  });

  test('C: compiled with gcc in cc dev, run in cc runtime as 65532', async () => {
    const { output } = await buildAndRun(
      'c-app',
      [
        'FROM REGISTRY/cc:latest-dev AS build',
        ...TRUST_HOST_CAS,
        'COPY hello.c /src/hello.c',
        'RUN cd /src && gcc -O2 -Wall -o hello hello.c && ./hello',
        'FROM REGISTRY/cc:latest',
        'COPY --from=build /src/hello /usr/local/bin/hello',
        'ENTRYPOINT ["/usr/local/bin/hello"]',
        '',
      ].join('\n'),
      {
        'hello.c':
          '#include <stdio.h>\n#include <unistd.h>\n' +
          'int main(void) { printf("hello from C as %d\\n", (int)getuid()); return 0; }\n',
      },
    );
    assert.equal(output, 'hello from C as 65532');
  });

  test('Python: a C extension built with pip --target in python dev, imported in python runtime', async () => {
    const { output } = await buildAndRun(
      'py-app',
      [
        'FROM REGISTRY/python:3.11-dev AS build',
        ...TRUST_HOST_CAS,
        'COPY setup.py fast.c /src/',
        // A venv for the build tools (PEP 668 keeps the system pip for apt), no index: no network needed.
        'RUN python3 -m venv /venv && /venv/bin/pip install --no-index --no-build-isolation --target /app /src',
        'FROM REGISTRY/python:3.11',
        'COPY --from=build /app /app',
        'ENV PYTHONPATH=/app',
        'CMD ["python3", "-c", "import fast, os; print(fast.add(2, 3), os.getuid())"]',
        '',
      ].join('\n'),
      {
        'setup.py':
          "from setuptools import setup, Extension\nsetup(name='fast', version='1.0', ext_modules=[Extension('fast', ['fast.c'])])\n",
        'fast.c': [
          '#define PY_SSIZE_T_CLEAN',
          '#include <Python.h>',
          'static PyObject *add(PyObject *self, PyObject *args) {',
          '  long a, b;',
          '  if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;',
          '  return PyLong_FromLong(a + b);',
          '}',
          'static PyMethodDef methods[] = {{"add", add, METH_VARARGS, "a + b"}, {NULL, NULL, 0, NULL}};',
          'static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "fast", NULL, -1, methods};',
          'PyMODINIT_FUNC PyInit_fast(void) { return PyModule_Create(&module); }',
          '',
        ].join('\n'),
      },
    );
    assert.equal(output, '5 65532');
  });

  test('Node: npm install of a real package in node dev, run in node runtime', async () => {
    // The build reaches the npm registry the way this machine does.
    const { stdout } = await exec('npm', ['config', 'get', 'registry']);
    const { output } = await buildAndRun(
      'node-app',
      [
        'FROM REGISTRY/node:20-dev AS build',
        ...TRUST_HOST_CAS,
        // Node reads its own CA list; this makes it use the system's, now with the local CAs.
        'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
        'ARG NPM_CONFIG_REGISTRY',
        'WORKDIR /app',
        'COPY package.json app.js ./',
        'RUN npm install --omit=dev --no-audit --no-fund && ls node_modules',
        'FROM REGISTRY/node:20',
        'COPY --from=build /app /app',
        'CMD ["/app/app.js"]',
        '',
      ].join('\n'),
      {
        'package.json': JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies: { ms: '2.1.3' } }),
        'app.js': "console.log(require('ms')('2 days'), process.getuid());\n",
      },
      ['--build-arg', `NPM_CONFIG_REGISTRY=${stdout.trim()}`],
    );
    assert.equal(output, '172800000 65532');
  });

  test('apt-get update and install from the real archive, signatures verified; dpkg audit and verify silent', async () => {
    const dir = join(work, 'ctx', 'apt');
    await hostCas(dir);
    await writeFile(
      join(dir, 'Dockerfile'),
      [
        `FROM ${registry.host}/ironclad/base:latest-dev`,
        ...TRUST_HOST_CAS,
        'RUN apt-get update && apt-get install -y jq && jq --version && test -z "$(dpkg --audit)" && dpkg --verify && echo verified',
        '',
      ].join('\n'),
    );
    const log = await buildah(['bud', '--isolation', 'chroot', '--tls-verify=false', '-t', 'localhost/apt', dir]);
    assert.match(log, /^jq-1\.\d+$/m);
    assert.match(log, /^verified$/m);
  });

  test('the same dev lock gives the same digest with a warm and with an empty cache', async () => {
    const digest = async (home: string) => {
      const own = captureIO(REPO, { IRONCLAD_HOME: home });
      const args = ['build', join(REPO, 'images', 'base'), '--variant', 'dev', '--platform', 'linux/amd64'];
      assert.equal(await runCli([...args, '--no-test', '--format', 'json'], own), 0, own.err.join('\n'));
      return JSON.parse(own.out.join('')).images[0].index as string;
    };
    const warm = await digest(join(work, 'home'));
    const cold = await digest(join(work, 'empty-home'));
    assert.match(warm, /^sha256:[0-9a-f]{64}$/);
    assert.equal(cold, warm);
  });
});
