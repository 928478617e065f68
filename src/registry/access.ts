import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Home, StageContext } from '../core/index.ts';
import type { EndpointCore, RegistryRef } from '../oci/index.ts';
import type { RegistryCredentials } from './auth.ts';
import { createRegistryClient, type RegistryClient } from './client.ts';
import { type CredentialSources, resolveCredentials } from './credentials.ts';
import { registryBlobStore } from './registry-store.ts';
import { registryWriter } from './writer.ts';

/**
 * How Ironclad reaches registries: one client per host, created on first use with credentials from the login
 * store, the Docker config (DOCKER_CONFIG or ~/.docker) or IRONCLAD_REGISTRY_USER/_PASSWORD, in that order.
 * Plain http is used for loopback hosts, for hosts listed in IRONCLAD_INSECURE_REGISTRIES (comma-separated
 * `host[:port]`), and for every host of a command run with `--insecure`.
 */

/** The settings registry access reads: the Ironclad home and the environment (nothing is read until used). */
export interface RegistrySettings {
  readonly home: Home;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Plain http for every registry this command talks to (the verbs' `--insecure`). */
  readonly insecure?: boolean;
  /** The User-Agent sent to registries. */
  readonly userAgent?: string;
}

export interface RegistryAccess {
  /** The client for `host`, created (and its credentials resolved) once per command. */
  client(host: string): Promise<RegistryClient>;
}

/**
 * Docker Hub's references say `docker.io`, but its distribution API is served by another host. Credentials
 * are still looked up under the name the user typed (the credential store normalises both to docker.io).
 */
const API_HOSTS: Readonly<Record<string, string>> = { 'docker.io': 'registry-1.docker.io' };

/** The host that serves the distribution API of registry `host`. */
export function apiHost(host: string): string {
  return API_HOSTS[host.toLowerCase()] ?? host.toLowerCase();
}

/** Hosts named in IRONCLAD_INSECURE_REGISTRIES, lowercased; an entry without a port matches every port. */
export function insecureRegistries(env: RegistrySettings['env']): ReadonlySet<string> {
  const list = (env.IRONCLAD_INSECURE_REGISTRIES ?? '').split(',');
  return new Set(list.map((h) => h.trim().toLowerCase()).filter((h) => h !== ''));
}

function isInsecure(host: string, listed: ReadonlySet<string>): boolean {
  const lower = host.toLowerCase();
  return listed.has(lower) || listed.has(lower.replace(/:\d+$/, ''));
}

/** The credential sources of one command; nothing here is read until a registry is contacted. */
export function credentialSourcesOf(settings: Pick<RegistrySettings, 'home' | 'env'>): CredentialSources {
  const { env } = settings;
  return {
    home: settings.home,
    dockerConfigDir: env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker'),
    env: { user: env.IRONCLAD_REGISTRY_USER, password: env.IRONCLAD_REGISTRY_PASSWORD },
  };
}

/** Creates a client for `host` with explicit credentials (login checks new ones this way). */
export function clientFor(
  host: string,
  credentials: RegistryCredentials | undefined,
  settings: RegistrySettings,
  ctx: StageContext,
): RegistryClient {
  const insecure = settings.insecure === true || isInsecure(host, insecureRegistries(settings.env));
  return createRegistryClient(
    {
      host: API_HOSTS[host.toLowerCase()] ?? host,
      insecure,
      credentials,
      ...(settings.userAgent !== undefined && { userAgent: settings.userAgent }),
    },
    ctx,
  );
}

/** Registry clients for one command, memoised per host. */
export function registryAccess(settings: RegistrySettings, ctx: StageContext): RegistryAccess {
  const clients = new Map<string, Promise<RegistryClient>>();
  return {
    client(host) {
      const key = host.toLowerCase();
      let pending = clients.get(key);
      if (pending === undefined) {
        pending = resolveCredentials(key, credentialSourcesOf(settings)).then((creds) =>
          clientFor(key, creds, settings, ctx),
        );
        clients.set(key, pending);
      }
      return pending;
    },
  };
}

/**
 * The registry transport for oci's openEndpoint: reads `docker://HOST/REPO:TAG` straight from the registry, one
 * request per thing needed, and writes (push, referrers) to the same repository. The client (credentials, a
 * token) is created at the first request and shared by every endpoint on that host.
 */
export function registryTransport(access: RegistryAccess): (ref: RegistryRef) => EndpointCore {
  return (ref) => {
    const client = () => access.client(ref.host);
    return {
      store: registryBlobStore(client, ref.repo, apiHost(ref.host)),
      reference: ref.digest ?? ref.tag ?? 'latest',
      writer: registryWriter(client, ref.repo, `${ref.host}/${ref.repo}`),
    };
  };
}
