import { z } from 'zod';
import { argv, envName, regexSource, userRef } from './fields.ts';

/**
 * The `tests:` entries of a definition. A test is either a command (`run`: one container, its exit code and
 * output judged) or a service (`service`: the image started with its own entrypoint in its own network
 * namespace, a port waited for, then `probes` run against it, then the server stopped with its stop signal).
 */

const testName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$/, 'letters, digits, spaces, ".", "_" and "-"');
const exitCode = z.number().int().min(0).max(255);
const port = z.number().int().min(1).max(65535);
const seconds = (max: number, dflt: number) => z.number().positive().max(max).default(dflt);
/** The keys of a command test that a service test refuses (its server has its own `service` keys). */
const COMMAND_ONLY_KEYS = ['run', 'exit-code', 'stdout', 'stdout-regex', 'stderr', 'timeout', 'user'];
/** A command test's defaults: it must exit 0, within 30 s. */
const COMMAND_EXIT_CODE = 0;
const COMMAND_TIMEOUT = 30;
const requestPath = z
  .string()
  .regex(/^\/[\x21-\x7e]*$/, 'a request path starting with "/" (printable ASCII, no spaces)')
  .max(4096);

/** What a command's output must show; shared by command tests and exec probes. */
const outputExpectations = {
  'exit-code': exitCode.default(0),
  stdout: z.string().optional().describe('stdout must contain this substring.'),
  'stdout-regex': regexSource.optional().describe('stdout must match this regular expression (multiline).'),
  stderr: z.string().optional().describe('stderr must contain this substring.'),
};

function noBothStdout(t: { stdout?: string | undefined; 'stdout-regex'?: string | undefined }, ctx: z.RefinementCtx) {
  if (t.stdout !== undefined && t['stdout-regex'] !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['stdout-regex'], message: 'use either stdout or stdout-regex, not both' });
  }
}

function expectations(t: {
  'exit-code': number;
  stdout?: string | undefined;
  'stdout-regex'?: string | undefined;
  stderr?: string | undefined;
}) {
  return {
    exitCode: t['exit-code'],
    ...(t.stdout === undefined ? {} : { stdout: t.stdout }),
    ...(t['stdout-regex'] === undefined ? {} : { stdoutRegex: t['stdout-regex'] }),
    ...(t.stderr === undefined ? {} : { stderr: t.stderr }),
  };
}

const httpProbe = z
  .strictObject({
    port: port.optional().describe('Default: the service port.'),
    path: requestPath.default('/').describe('Request path (GET, Host 127.0.0.1).'),
    status: z.number().int().min(100).max(599).default(200),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'a header name'), regexSource)
      .default({})
      .describe('Response header name (any case) → regular expression its value must match.'),
    'body-regex': regexSource.optional().describe('The response body must match this regular expression.'),
    timeout: z
      .number()
      .positive()
      .max(600)
      .optional()
      .describe('Seconds to wait for the answer (default 10), for servers that do work on the first request.'),
  })
  .transform((h) => ({
    kind: 'http' as const,
    ...(h.port === undefined ? {} : { port: h.port }),
    path: h.path,
    status: h.status,
    headers: h.headers,
    ...(h['body-regex'] === undefined ? {} : { bodyRegex: h['body-regex'] }),
    ...(h.timeout === undefined ? {} : { timeout: h.timeout }),
  }))
  .describe('An HTTP/1.1 GET against 127.0.0.1 inside the service network namespace.');

const tcpProbe = z
  .strictObject({
    port: port.optional().describe('Default: the service port.'),
    send: z.string().max(65536).optional().describe('Bytes (UTF-8) written once connected.'),
    expect: regexSource.optional().describe('What the server answers must match this regular expression.'),
  })
  .transform((t) => ({
    kind: 'tcp' as const,
    ...(t.port === undefined ? {} : { port: t.port }),
    ...(t.send === undefined ? {} : { send: t.send }),
    ...(t.expect === undefined ? {} : { expect: t.expect }),
  }))
  .describe('A TCP connection to 127.0.0.1 inside the service network namespace; optionally a request and answer.');

const execProbe = z
  .strictObject({
    run: argv.describe('Full argv, run without a shell in a second container sharing the network namespace.'),
    variant: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/)
      .optional()
      .describe('Run it in this variant of the image (e.g. dev, for a client tool); default the image itself.'),
    ...outputExpectations,
    timeout: seconds(600, 30),
    user: userRef.optional(),
  })
  .superRefine(noBothStdout)
  .transform((e) => ({
    kind: 'exec' as const,
    run: e.run,
    ...(e.variant === undefined ? {} : { variant: e.variant }),
    ...expectations(e),
    timeout: e.timeout,
    ...(e.user === undefined ? {} : { user: e.user }),
  }))
  .describe('A command (a client such as redis-cli or psql) run beside the server.');

/** One object with one key, so a mistake is reported at its field rather than as "no option matched". */
const probe = z
  .strictObject({ http: httpProbe.optional(), tcp: tcpProbe.optional(), exec: execProbe.optional() })
  .superRefine((p, ctx) => {
    const given = [p.http, p.tcp, p.exec].filter((x) => x !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: 'custom', path: [], message: 'a probe is exactly one of http, tcp or exec' });
  })
  .transform((p) => (p.http ?? p.tcp ?? p.exec)!)
  .describe('One of {http: ...}, {tcp: ...} or {exec: ...}.');

const service = z
  .strictObject({
    port: port.describe('The service is ready once 127.0.0.1:PORT accepts a TCP connection.'),
    cmd: z.array(z.string()).optional().describe("Replaces the image's Cmd (the entrypoint is kept)."),
    environment: z.record(envName, z.string().max(65536)).default({}).describe('Added to the image Env.'),
    user: userRef.optional().describe('Run the server as this user (e.g. "1001:0", as OpenShift would).'),
    'ready-timeout': seconds(600, 30).describe('Seconds to wait for the port (and the ready-path).'),
    'ready-path': requestPath
      .optional()
      .describe(
        'Once the port accepts connections, also wait until GET PATH answers 2xx (asked every 100 ms, within ' +
          'ready-timeout): for a server that listens before it is ready, e.g. /-/ready.',
      ),
    'stop-timeout': seconds(300, 10).describe('Seconds the server has to exit after its stop signal.'),
    'exit-code': exitCode.default(0).describe('Exit code expected after the stop signal (a clean stop).'),
  })
  .transform((s) => ({
    port: s.port,
    ...(s.cmd === undefined ? {} : { cmd: s.cmd }),
    environment: s.environment,
    ...(s.user === undefined ? {} : { user: s.user }),
    readyTimeout: s['ready-timeout'],
    ...(s['ready-path'] === undefined ? {} : { readyPath: s['ready-path'] }),
    stopTimeout: s['stop-timeout'],
    exitCode: s['exit-code'],
  }));

/**
 * One object for both kinds, so a mistake is reported at its field (a union would report only "no option
 * matched"); `run` or `service` says which kind it is, and each kind's own keys are refused on the other.
 */
export const imageTest = z
  .strictObject({
    name: testName,
    run: argv.optional().describe('Command test: full argv, run without a shell; the entrypoint is not prepended.'),
    ...outputExpectations,
    // Without a zod default, so a service test that gives them can be told it has none of its own; the command
    // test's defaults are applied in the transform (and shown to editors through the JSON Schema's `default`).
    'exit-code': exitCode
      .optional()
      .meta({ default: COMMAND_EXIT_CODE, description: 'Command test: the exit code the command must end with.' }),
    timeout: z
      .number()
      .positive()
      .max(3600)
      .optional()
      .meta({ default: COMMAND_TIMEOUT, description: 'Command test: seconds before the test is killed and fails.' }),
    user: userRef.optional().describe('Command test: run as this user instead of the image user.'),
    service: service.optional().describe('Service test: start the image with its own entrypoint.'),
    probes: z
      .array(probe)
      .min(1)
      .max(64)
      .optional()
      .describe('Service test: run in order once the port is open; the first failure stops.'),
  })
  .superRefine((t, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((t.run === undefined) === (t.service === undefined)) issue('run', 'a test has either run or service');
    if (t.service !== undefined) {
      if (t.probes === undefined) issue('probes', 'a service test needs probes');
      for (const k of ['stdout', 'stdout-regex', 'stderr', 'user'] as const) {
        if (t[k] !== undefined) issue(k, `${k} belongs to a command test (or an exec probe)`);
      }
      // Refused rather than ignored: each wait of a service test has its own key, and so has its exit code.
      if (t.timeout !== undefined) {
        issue(
          'timeout',
          'a service test has no timeout of its own: wait longer for the server to be ready with ' +
            "service.ready-timeout, for a probe with the probe's timeout (http, exec), for the stop with service.stop-timeout",
        );
      }
      if (t['exit-code'] !== undefined) {
        issue(
          'exit-code',
          'a service test has no exit-code of its own: the code expected after the stop signal is service.exit-code',
        );
      }
    } else if (t.probes !== undefined) issue('probes', 'probes belong to a service test');
    noBothStdout(t, ctx);
  })
  .transform((t) =>
    t.service === undefined
      ? {
          kind: 'command' as const,
          name: t.name,
          run: t.run ?? [],
          ...expectations({ ...t, 'exit-code': t['exit-code'] ?? COMMAND_EXIT_CODE }),
          timeout: t.timeout ?? COMMAND_TIMEOUT,
          ...(t.user === undefined ? {} : { user: t.user }),
        }
      : { kind: 'service' as const, name: t.name, service: t.service, probes: t.probes ?? [] },
  )
  .meta({
    description: 'A functional test: a command (run) or a service started with its own entrypoint (service, probes).',
    // The kinds' exclusions for editors, as the refinement above enforces them (zod cannot generate these).
    anyOf: [{ required: ['run'] }, { required: ['service'] }],
    dependentSchemas: {
      service: {
        required: ['probes'],
        properties: Object.fromEntries(COMMAND_ONLY_KEYS.map((k) => [k, false])),
      },
      probes: { required: ['service'] },
    },
  });

export type DefinitionTest = z.output<typeof imageTest>;
export type CommandTest = Extract<DefinitionTest, { kind: 'command' }>;
export type ServiceTest = Extract<DefinitionTest, { kind: 'service' }>;
export type ServiceProbe = ServiceTest['probes'][number];

/** Every user a test names, with its path inside the test (for the definition's account check). */
export function testUsers(t: DefinitionTest): { user: string; path: (string | number)[] }[] {
  if (t.kind === 'command') return t.user === undefined ? [] : [{ user: t.user, path: ['user'] }];
  const out: { user: string; path: (string | number)[] }[] =
    t.service.user === undefined ? [] : [{ user: t.service.user, path: ['service', 'user'] }];
  for (const [i, p] of t.probes.entries()) {
    if (p.kind === 'exec' && p.user !== undefined) out.push({ user: p.user, path: ['probes', i, 'exec', 'user'] });
  }
  return out;
}
