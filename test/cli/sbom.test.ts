import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { sampleImage } from '../sbom/sample.ts';
import { captureIO } from '../support/cli-io.ts';

function io(env: Record<string, string> = {}) {
  return captureIO('/', env);
}

test('ironclad sbom: SPDX by default, SOURCE_DATE_EPOCH sets the time, -o writes a file, table lists packages', async () => {
  const { layout } = await sampleImage();
  const a = io({ SOURCE_DATE_EPOCH: '1700000000' });
  assert.equal(await runCli(['sbom', `oci:${layout}:latest`], a), 0);
  const spdx = JSON.parse(a.out.join(''));
  assert.equal(spdx.spdxVersion, 'SPDX-2.3');
  assert.equal(spdx.creationInfo.created, '2023-11-14T22:13:20Z');

  const file = join(dirname(layout), 'out', 'sbom.cdx.json');
  const b = io();
  assert.equal(await runCli(['sbom', `oci:${layout}`, '--format', 'cyclonedx-json', '-o', file], b), 0);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).specVersion, '1.6');

  const c = io();
  assert.equal(await runCli(['sbom', `oci:${layout}:latest`, '--format', 'table'], c), 0);
  assert.match(c.out.join(''), /^NAME\s+VERSION\s+TYPE/);
  assert.match(c.out.join(''), /libc6\s+2\.36-9\+deb12u4\s+deb\s+amd64/);
});

test('ironclad sbom: bad flags are usage errors (exit 2)', async () => {
  const { layout } = await sampleImage();
  const a = io();
  assert.equal(await runCli(['sbom', `oci:${layout}`, '--format', 'xml'], a), 2);
  assert.equal(await runCli(['sbom', `oci:${layout}`, '--platform', 'amd64'], io()), 2);
  assert.equal(await runCli(['sbom', `oci:${layout}`], io({ SOURCE_DATE_EPOCH: 'yesterday' })), 2);
});
