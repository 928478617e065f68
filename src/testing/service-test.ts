import { assertNever, isIroncladError, type StageContext } from '../core/index.ts';
import type { ServiceProbe, ServiceTest } from '../definition/index.ts';
import { clip, judge, MAX_TEST_OUTPUT, userSpec } from './functional.ts';
import { type ProbeAnswer, probeInNetns } from './netns-probe.ts';
import type { PreparedImage, RunningContainer } from './prepared-image.ts';
import type { ProcessOutcome } from './runc-process.ts';
import type { FunctionalResult } from './types.ts';

/** Another variant of the image under test (an exec probe's `variant: dev`), prepared once per test run. */
export type VariantImages = (variant: string) => Promise<PreparedImage>;

/** Seconds an HTTP or TCP probe may take. */
const NETWORK_PROBE_SECONDS = 10;
/** Margin on the server container's hard deadline, beyond every timeout the test declares. */
const DEADLINE_MARGIN_SECONDS = 30;

/** Why a service test failed, thrown inside the run and turned into the result. */
class ServiceFailure extends Error {}

/**
 * A service test: the image started with its own entrypoint (the test may replace Cmd, add environment or pick
 * a user) in its own network namespace (loopback only); once 127.0.0.1:PORT accepts a connection, and GET
 * ready-path answers 2xx when one is given (bounded by ready-timeout, and failing at once if the server exits),
 * each probe runs in order; then the server gets its stop signal (the config's StopSignal, default SIGTERM) and
 * must exit with the expected code within stop-timeout. The server's output is the result's stdout/stderr, so a failure shows its logs.
 * @throws IroncladError RUNTIME_UNAVAILABLE when runc or nsenter cannot run at all.
 */
export async function runServiceTest(
  image: PreparedImage,
  t: ServiceTest,
  variants: VariantImages,
  ctx: StageContext,
): Promise<FunctionalResult> {
  const start = ctx.now().getTime();
  const s = t.service;
  const deadline = serverDeadlineSeconds(t) * 1000;
  let server: RunningContainer;
  try {
    server = await image.start(
      {
        ...(s.cmd !== undefined && { argv: s.cmd }),
        env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
        ...(s.user !== undefined && { user: userSpec(s.user) }),
        timeoutMs: deadline,
        maxCaptureBytes: MAX_TEST_OUTPUT,
      },
      ctx,
    );
  } catch (err) {
    if (!isIroncladError(err) || (err.code === 'RUNTIME_UNAVAILABLE' && !/did not start/.test(err.message))) throw err;
    const why = err.hint === undefined ? err.message : `${err.message}: ${err.hint}`;
    return { name: t.name, status: 'failed', message: why, durationMs: ctx.now().getTime() - start };
  }
  let problem: string | undefined;
  let outcome: ProcessOutcome | undefined;
  try {
    await waitReady(server, s.port, s.readyPath, s.readyTimeout);
    for (const [i, p] of t.probes.entries()) await runProbe(p, i, s.port, server, image, variants, ctx);
    outcome = await stop(server, stopSignal(image), s.stopTimeout);
    if (outcome.exitCode !== s.exitCode) {
      throw new ServiceFailure(
        `exited with code ${outcome.exitCode} after ${stopSignal(image)}, expected ${s.exitCode} (a clean stop)`,
      );
    }
  } catch (err) {
    // A missing variant image or a bad probe user fails this test; a machine that cannot run containers does not.
    if (err instanceof ServiceFailure) problem = err.message;
    else if (isIroncladError(err) && err.code !== 'RUNTIME_UNAVAILABLE') problem = err.message;
    else throw err;
  } finally {
    await server.close();
  }
  outcome ??= await server.exited.catch(() => undefined);
  return {
    name: t.name,
    status: problem === undefined ? 'passed' : 'failed',
    message: problem ?? `port ${s.port} served ${t.probes.length} probe(s); stopped cleanly`,
    durationMs: Math.max(0, ctx.now().getTime() - start),
    ...(outcome !== undefined && { exitCode: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr }),
  };
}

/**
 * Seconds after which the server container is killed whatever it does: every wait the test declares (ready-timeout,
 * each probe's own limit, stop-timeout) plus a margin, so the kill never cuts a step short that is within its limit.
 */
export function serverDeadlineSeconds(t: ServiceTest): number {
  const probes = t.probes.reduce((n, p) => n + probeSeconds(p), 0);
  return t.service.readyTimeout + probes + t.service.stopTimeout + DEADLINE_MARGIN_SECONDS;
}

/** The longest a probe may take: its own `timeout` (exec, http), or the fixed limit of a network probe. */
function probeSeconds(p: ServiceProbe): number {
  switch (p.kind) {
    case 'exec':
      return p.timeout;
    case 'http':
      return p.timeout ?? NETWORK_PROBE_SECONDS;
    case 'tcp':
      return NETWORK_PROBE_SECONDS;
    default:
      return assertNever(p);
  }
}

function stopSignal(image: PreparedImage): string {
  return image.config.config?.StopSignal || 'SIGTERM';
}

/**
 * Resolves once the port accepts a connection, or with `path` once GET `path` answers 2xx (a server that listens
 * before it is ready answers its probes 503 until then); fails when the server exits first or time runs out.
 */
async function waitReady(
  server: RunningContainer,
  port: number,
  path: string | undefined,
  seconds: number,
): Promise<void> {
  const exited = server.exited.then((o) => ({ exited: o }));
  if (server.pid === 0) {
    const o = (await exited).exited;
    throw new ServiceFailure(`the server exited with code ${o.exitCode} before port ${port} was open`);
  }
  const ready = await Promise.race([
    probeInNetns(server.netns, { kind: 'wait', port, ...(path !== undefined && { path }), timeoutMs: seconds * 1000 }),
    exited,
  ]);
  if ('exited' in ready) {
    throw new ServiceFailure(`the server exited with code ${ready.exited.exitCode} before port ${port} was open`);
  }
  if (ready.ok) return;
  if (path === undefined) throw new ServiceFailure(`port ${port} did not accept connections within ${seconds} s`);
  throw new ServiceFailure(`GET ${path} on port ${port} did not answer 2xx within ${seconds} s (${ready.error})`);
}

/** Sends the stop signal and waits for the exit; fails when the server outlives `seconds`. */
async function stop(server: RunningContainer, signal: string, seconds: number): Promise<ProcessOutcome> {
  await server.signal(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), seconds * 1000);
  });
  const outcome = await Promise.race([server.exited, late]).finally(() => clearTimeout(timer));
  if (outcome === undefined) throw new ServiceFailure(`did not exit within ${seconds} s of ${signal}`);
  return outcome;
}

async function runProbe(
  p: ServiceProbe,
  i: number,
  servicePort: number,
  server: RunningContainer,
  image: PreparedImage,
  variants: VariantImages,
  ctx: StageContext,
): Promise<void> {
  const what = `probe ${i + 1} (${p.kind})`;
  let problem: string | undefined;
  switch (p.kind) {
    case 'http': {
      const port = p.port ?? servicePort;
      const q = { kind: 'http', port, path: p.path, timeoutMs: probeSeconds(p) * 1000 } as const;
      problem = judgeHttp(p, await probeInNetns(server.netns, q));
      break;
    }
    case 'tcp': {
      const port = p.port ?? servicePort;
      const q = {
        kind: 'tcp',
        port,
        ...(p.send !== undefined && { send: p.send }),
        timeoutMs: probeSeconds(p) * 1000,
      } as const;
      problem = judgeTcp(p, await probeInNetns(server.netns, q));
      break;
    }
    case 'exec': {
      const client = p.variant === undefined ? image : await variants(p.variant);
      const r = await client.run(
        {
          entrypoint: p.run,
          argv: [],
          networkNamespace: server.netns,
          ...(p.user !== undefined && { user: userSpec(p.user) }),
          timeoutMs: probeSeconds(p) * 1000,
          maxCaptureBytes: MAX_TEST_OUTPUT,
        },
        ctx,
      );
      const bad = judge(p, r);
      if (bad !== undefined) problem = `${p.run.join(' ')}: ${bad}${outputOf(r)}`;
      break;
    }
  }
  if (problem !== undefined) throw new ServiceFailure(`${what}: ${problem}`);
}

function outputOf(r: { stdout: string; stderr: string }): string {
  const parts = [
    r.stdout.trim() && `stdout: ${clip(r.stdout.trim(), 2000)}`,
    r.stderr.trim() && `stderr: ${clip(r.stderr.trim(), 2000)}`,
  ];
  const shown = parts.filter((x) => x !== '');
  return shown.length === 0 ? '' : `\n${shown.join('\n')}`;
}

/** The first expectation an HTTP answer misses (status, each header, body), or undefined. */
export function judgeHttp(p: Extract<ServiceProbe, { kind: 'http' }>, a: ProbeAnswer): string | undefined {
  if (!a.ok) return `GET ${p.path}: ${a.error}`;
  if (a.status !== p.status) return `GET ${p.path}: status ${a.status}, expected ${p.status}`;
  for (const [name, re] of Object.entries(p.headers)) {
    const value = a.headers?.[name.toLowerCase()];
    if (value === undefined) return `GET ${p.path}: no ${name} header`;
    if (!new RegExp(re).test(value)) return `GET ${p.path}: ${name} ${JSON.stringify(value)} does not match /${re}/`;
  }
  if (p.bodyRegex !== undefined && !new RegExp(p.bodyRegex, 'm').test(a.data ?? '')) {
    return `GET ${p.path}: body does not match /${p.bodyRegex}/; got ${JSON.stringify(clip(a.data ?? ''))}`;
  }
  return undefined;
}

/** Whether a TCP exchange went as expected, or why not. */
export function judgeTcp(p: Extract<ServiceProbe, { kind: 'tcp' }>, a: ProbeAnswer): string | undefined {
  if (!a.ok) return a.error;
  if (p.expect !== undefined && !new RegExp(p.expect, 'm').test(a.data ?? '')) {
    return `the answer does not match /${p.expect}/; got ${JSON.stringify(clip(a.data ?? ''))}`;
  }
  return undefined;
}
