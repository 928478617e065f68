import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, type Home, writeFileAtomic } from '../core/index.ts';
import type { RegistryCredentials } from './auth.ts';

/**
 * Where registry credentials come from, first match wins:
 *   1. Ironclad's own login store `<home>/auth.json` (mode 0600, written by `ironclad login`);
 *   2. the Docker config `<dockerConfigDir>/config.json`: `credHelpers[host]`, then `auths[host]`
 *      (base64 `user:pass` or `identitytoken`), then `credsStore`;
 *   3. IRONCLAD_REGISTRY_USER / IRONCLAD_REGISTRY_PASSWORD, passed in by the caller.
 * Nothing here reads process.env: the CLI passes DOCKER_CONFIG (or ~/.docker) and the two variables.
 */

export interface CredentialSources {
  /** Ironclad's home; its auth.json is the login store. */
  readonly home?: Home;
  /** The directory holding Docker's config.json (DOCKER_CONFIG, or ~/.docker). */
  readonly dockerConfigDir?: string;
  /** IRONCLAD_REGISTRY_USER / _PASSWORD. */
  readonly env?: { readonly user?: string | undefined; readonly password?: string | undefined };
  /** Runs `docker-credential-<name> get`; injectable for tests. Defaults to spawning the helper. */
  readonly runHelper?: (name: string, serverUrl: string) => Promise<string | undefined>;
}

/** Config files are small; a huge one is not a config file. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
const HELPER_TIMEOUT_MS = 30_000;
/** Docker Hub's credentials live under this legacy key in every Docker config. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

interface ConfigFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, unknown>;
  credsStore?: unknown;
}

/** `host[:port]` from a config key such as `https://host/v1/`, `http://host:5000` or `host`. */
export function normalizeRegistryKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? '';
  const lower = host.toLowerCase();
  return DOCKER_HUB_HOSTS.has(lower) ? 'docker.io' : lower;
}

/** Resolves credentials for `host`; undefined means anonymous. Throws INVALID_INPUT for a malformed file. */
export async function resolveCredentials(
  host: string,
  src: CredentialSources,
): Promise<RegistryCredentials | undefined> {
  const wanted = normalizeRegistryKey(host);
  if (src.home !== undefined) {
    const store = await readConfig(src.home.authFile);
    const entry = store === undefined ? undefined : findEntry(store.auths, wanted);
    if (entry !== undefined) return entryCredentials(entry, 'the login store');
  }
  if (src.dockerConfigDir !== undefined) {
    const fromDocker = await dockerCredentials(wanted, src);
    if (fromDocker !== undefined) return fromDocker;
  }
  const { user, password } = src.env ?? {};
  if (user && password) return { kind: 'basic', username: user, password };
  return undefined;
}

async function dockerCredentials(wanted: string, src: CredentialSources): Promise<RegistryCredentials | undefined> {
  const config = await readConfig(join(src.dockerConfigDir ?? '', 'config.json'));
  if (config === undefined) return undefined;
  const serverUrl = wanted === 'docker.io' ? DOCKER_HUB_KEY : wanted;
  const run = src.runHelper ?? runCredentialHelper;
  const helper = Object.entries(config.credHelpers ?? {}).find(([k]) => normalizeRegistryKey(k) === wanted)?.[1];
  if (typeof helper === 'string') return helperCredentials(helper, serverUrl, run);
  const entry = findEntry(config.auths, wanted);
  if (entry !== undefined) {
    const creds = entryCredentials(entry, 'the Docker config');
    if (creds !== undefined) return creds;
  }
  if (typeof config.credsStore === 'string' && config.credsStore !== '') {
    return helperCredentials(config.credsStore, serverUrl, run);
  }
  return undefined;
}

function findEntry(auths: Record<string, AuthEntry> | undefined, wanted: string): AuthEntry | undefined {
  if (auths === undefined || typeof auths !== 'object') return undefined;
  return Object.entries(auths).find(([k]) => normalizeRegistryKey(k) === wanted)?.[1];
}

function entryCredentials(e: AuthEntry, where: string): RegistryCredentials | undefined {
  if (typeof e.identitytoken === 'string' && e.identitytoken !== '')
    return { kind: 'identity-token', token: e.identitytoken };
  if (typeof e.auth === 'string' && e.auth !== '') {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) fail('INVALID_INPUT', `a registry entry in ${where} has a malformed "auth" value`);
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof e.username === 'string' && typeof e.password === 'string') {
    return { kind: 'basic', username: e.username, password: e.password };
  }
  return undefined;
}

async function helperCredentials(
  name: string,
  serverUrl: string,
  run: (name: string, serverUrl: string) => Promise<string | undefined>,
): Promise<RegistryCredentials | undefined> {
  // The name becomes part of an executable name: keep it to what helper names look like.
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name)) {
    fail('INVALID_INPUT', `credential helper name "${name.slice(0, 64)}" is not valid`);
  }
  const out = await run(name, serverUrl);
  if (out === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(out);
  } catch {
    fail('INVALID_INPUT', `docker-credential-${name} printed something that is not JSON`);
  }
  const { Username, Secret } = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  if (typeof Secret !== 'string' || Secret === '') return undefined;
  // Helper protocol: Username "<token>" marks an identity token rather than a password.
  if (Username === '<token>') return { kind: 'identity-token', token: Secret };
  return { kind: 'basic', username: typeof Username === 'string' ? Username : '', password: Secret };
}

/**
 * The credential helper protocol (docker-credential-helpers): `docker-credential-<name> get`, server URL on
 * stdin, `{ServerURL, Username, Secret}` on stdout. "credentials not found" (non-zero exit) means anonymous.
 */
export function runCredentialHelper(name: string, serverUrl: string): Promise<string | undefined> {
  return new Promise<string | undefined>((resolve, reject) => {
    const child = execFile(
      `docker-credential-${name}`,
      ['get'],
      { timeout: HELPER_TIMEOUT_MS, maxBuffer: 64 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err === null) return resolve(stdout);
        const text = `${stdout}${stderr}`;
        if (/credentials not found/i.test(text)) return resolve(undefined);
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new Error(missing ? `docker-credential-${name} is not installed` : text.slice(0, 300)));
      },
    );
    child.stdin?.end(serverUrl);
  }).catch((err: unknown) =>
    fail('INVALID_INPUT', `credential helper docker-credential-${name} failed`, {
      cause: err,
      hint: 'fix or remove the helper in the Docker config, or use ironclad login',
    }),
  );
}

async function readConfig(path: string): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.byteLength > MAX_CONFIG_BYTES) fail('INVALID_INPUT', `${path} is larger than ${MAX_CONFIG_BYTES} bytes`);
    text = buf.toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const doc: unknown = JSON.parse(text);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new TypeError('not an object');
    return doc as ConfigFile;
  } catch (err) {
    fail('INVALID_INPUT', `${path} is not a valid JSON object`, { cause: err });
  }
}

/**
 * Stores (or, with undefined, removes) the credentials for `host` in `<home>/auth.json`, written atomically
 * with mode 0600 in Docker's `auths` format so the same reader serves both files.
 */
export async function saveLogin(home: Home, host: string, creds: RegistryCredentials | undefined): Promise<void> {
  const path = home.authFile;
  const config = (await readConfig(path)) ?? {};
  const key = normalizeRegistryKey(host);
  const auths: Record<string, AuthEntry> = {};
  for (const [k, v] of Object.entries(config.auths ?? {})) if (normalizeRegistryKey(k) !== key) auths[k] = v;
  if (creds?.kind === 'basic') {
    auths[key] = { auth: Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64') };
  } else if (creds?.kind === 'identity-token') {
    auths[key] = { identitytoken: creds.token };
  }
  await writeFileAtomic(path, `${JSON.stringify({ ...config, auths }, null, 2)}\n`, 0o600);
}
