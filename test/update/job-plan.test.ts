import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { createUpdateFixture, type UpdateFixture } from '../support/update-fixture.ts';

const REPO = resolve(import.meta.dirname, '../..');
const CACHE = '127.0.0.1:5000/ironclad-cache';

interface Job {
  id: string;
  image: string;
  definition: string;
  variant: string;
  platform: string;
  reason: string;
  needs: string[];
  wave: number;
  args: string[];
}
interface Plan {
  schema: string;
  jobs: Job[];
  waves: { include: Job[] }[];
  publish: { id: string; needs: string[]; args: string[]; push: string[][]; tags: string[] }[];
}

let fx: UpdateFixture;
let plan: Plan;
before(async () => {
  fx = await createUpdateFixture();
  // A fourth image with a dev variant: its dev cells follow its runtime cells.
  await mkdir(join(fx.dir, 'images', 'duo'));
  await writeFile(
    join(fx.dir, 'images', 'duo', 'image.yaml'),
    'name: duo\ndistro: fixture\nplatforms: [linux/amd64]\ntags: ["3"]\npackages: [fixtool]\nexclude: [debconf]\n' +
      'variants:\n  dev: {packages: [bash], user: root, shell: true}\n',
  );
  assert.equal((await fx.cli('lock', 'images/duo', '--distros', 'distros')).code, 0);
  // A customization of it: its dev cell needs its own runtime cell and duo's dev cell, a third wave.
  await mkdir(join(fx.dir, 'images', 'my-duo'));
  await writeFile(join(fx.dir, 'images', 'my-duo', 'image.yaml'), 'extends: duo\nname: my-duo\ntags: ["3-corp"]\n');
  assert.equal((await fx.cli('lock', 'images/my-duo', '--distros', 'distros')).code, 0);
  const r = await fx.cli(
    'update',
    '--plan',
    '--all',
    '--cache-from',
    CACHE,
    '--registry',
    '127.0.0.1:5000/base',
    '--distros',
    'distros',
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.err);
  plan = JSON.parse(r.out) as Plan;
});
after(() => fx.close());

test('update --plan: one job per image × variant × platform, variants after their runtime, in waves', () => {
  assert.match(plan.schema, /\/update-plan\/v1$/);
  assert.deepEqual(
    plan.jobs.map((j) => [j.wave, j.id, j.needs]),
    [
      [0, 'config-runtime-linux-amd64', []],
      [0, 'duo-runtime-linux-amd64', []],
      [0, 'lib-runtime-linux-amd64', []],
      [0, 'tool-runtime-linux-amd64', []],
      [1, 'duo-dev-linux-amd64', ['duo-runtime-linux-amd64']],
      [1, 'my-duo-runtime-linux-amd64', ['duo-runtime-linux-amd64']],
      [2, 'my-duo-dev-linux-amd64', ['my-duo-runtime-linux-amd64', 'duo-dev-linux-amd64']],
    ],
  );
  assert.deepEqual(
    plan.waves.map((w) => w.include.map((j) => j.id)),
    [
      plan.jobs.slice(0, 4).map((j) => j.id),
      ['duo-dev-linux-amd64', 'my-duo-runtime-linux-amd64'],
      ['my-duo-dev-linux-amd64'],
    ],
  );
  const dev = plan.jobs.find((j) => j.id === 'duo-dev-linux-amd64');
  assert.deepEqual(dev?.args, [
    'build',
    'images/duo/image.yaml',
    '--variant',
    'dev',
    '--platform',
    'linux/amd64',
    '--cache-from',
    CACHE,
  ]);
  const publish = plan.publish.find((p) => p.id === 'duo-dev');
  assert.deepEqual(publish?.needs, ['duo-dev-linux-amd64']);
  assert.deepEqual(publish?.push, [['push', 'duo:3-dev', '127.0.0.1:5000/base/duo:3-dev']]);
});

test('without --all only what update would rebuild is planned; the cell args are a working build', async () => {
  const cell = plan.jobs.find((j) => j.id === 'lib-runtime-linux-amd64');
  const built = await fx.cli(
    ...(cell?.args ?? []).filter((a) => a !== '--cache-from' && a !== CACHE),
    '--no-test',
    '--distros',
    'distros',
  );
  assert.equal(built.code, 0, built.err);
  const r = await fx.cli('update', '--plan', '--distros', 'distros', '--format', 'json');
  const again = JSON.parse(r.out) as Plan;
  assert.ok(!again.jobs.some((j) => j.image === 'lib'), 'lib is built and its lock is current');
  assert.equal(again.jobs.length, 6, 'config, tool, duo and my-duo are not built yet');
});

test('the GitHub Actions workflow runs each cell of each wave with the plan’s own arguments', async () => {
  const wf = parse(await readFile(join(REPO, 'examples/github-actions/ironclad-update.yml'), 'utf8'));
  const script: string = wf.jobs.plan.steps.find((s: { id?: string }) => s.id === 'plan').run;
  assert.match(script, /update --plan --cache-from "\$CACHE" --registry "\$REGISTRY" --format json > plan\.json/);
  // The outputs, as the script computes them with jq, from this plan.
  const outputs: Record<string, { include: object[] }> = {
    wave0: plan.waves[0] ?? { include: [] },
    wave1: plan.waves[1] ?? { include: [] },
    wave2: plan.waves[2] ?? { include: [] },
    publish: { include: plan.publish },
  };
  assert.ok(script.includes(`wave0=$(jq -c '.waves[0] // {include: []}' plan.json)`));
  assert.ok(script.includes(`wave1=$(jq -c '.waves[1] // {include: []}' plan.json)`));
  assert.ok(script.includes(`wave2=$(jq -c '.waves[2] // {include: []}' plan.json)`));
  // A plan deeper than the jobs written out fails the plan job instead of leaving cells unbuilt.
  assert.ok(script.includes(`if [ "$waves" -gt ${Object.keys(outputs).length - 1} ]; then`), script);
  assert.ok(script.includes(`publish=$(jq -c '{include: .publish}' plan.json)`));
  const matrixJobs = Object.entries(wf.jobs).filter(([, j]) => (j as { strategy?: unknown }).strategy !== undefined);
  assert.deepEqual(
    matrixJobs.map(([name]) => name),
    ['build-wave0', 'build-wave1', 'build-wave2', 'publish'],
  );
  for (const [name, job] of matrixJobs) {
    const text = JSON.stringify(job);
    const source = /fromJSON\(needs\.plan\.outputs\.(\w+)\)/.exec(
      (job as { strategy: { matrix: string } }).strategy.matrix,
    )?.[1];
    assert.ok(source !== undefined && outputs[source] !== undefined, name);
    assert.ok(outputs[source].include.length > 0, `${name}: this plan gives it cells`);
    // Every matrix field the job reads exists in every cell it gets.
    const fields = [...text.matchAll(/matrix\.(\w+)/g)].map((m) => m[1]!);
    for (const cell of outputs[source].include) for (const f of fields) assert.ok(f in cell, `${name}: matrix.${f}`);
    assert.ok(text.includes("./bin/ironclad.js ${{ join(matrix.args, ' ') }}"), name);
  }
});

test('the Kubernetes Indexed Job runs pod N with job N of its wave', async () => {
  const text = await readFile(join(REPO, 'examples/kubernetes/ironclad-build-wave.yaml'), 'utf8');
  for (const [wave, cells] of plan.waves.entries()) {
    // What the documented `envsubst '$WAVE $COMPLETIONS $RUNNER_IMAGE $CACHE'` does.
    const vars: Record<string, string> = {
      WAVE: String(wave),
      COMPLETIONS: String(cells.include.length),
      RUNNER_IMAGE: 'runner:1',
      CACHE,
    };
    const rendered = text.replace(/\$\{?(WAVE|COMPLETIONS|RUNNER_IMAGE|CACHE)\}?/g, (_, k: string) => vars[k]!);
    const docs = parseAllDocuments(rendered).map((d) => d.toJS());
    assert.equal(docs.length, 1);
    const job = docs[0];
    assert.equal(job.kind, 'Job');
    assert.equal(job.spec.completionMode, 'Indexed');
    assert.equal(job.spec.completions, cells.include.length);
    const container = job.spec.template.spec.containers[0];
    assert.deepEqual(container.env, [
      { name: 'CACHE', value: CACHE },
      { name: 'WAVE', value: String(wave) },
    ]);
    // The pod picks `.waves[$WAVE].include[$JOB_COMPLETION_INDEX].args` of the mounted plan.
    const command: string = container.args[0];
    assert.ok(command.includes(`--argjson w "${wave}" --argjson i "$JOB_COMPLETION_INDEX"`), command);
    assert.match(command, /'\.waves\[\$w\]\.include\[\$i\]\.args \| @sh' \/plan\/plan\.json/);
    for (const cell of cells.include) assert.equal(cell.args[0], 'build');
  }
});
