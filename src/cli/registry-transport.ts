import { homedir } from 'node:os';
import { join } from 'node:path';
import type { StageContext } from '../core/index.ts';
import type { BlobStore, OpenSourceOptions } from '../oci/index.ts';
import {
  type CredentialSources,
  createRegistryClient,
  type RegistryBlobStore,
  type RegistryClient,
  type RegistryCredentials,
  registryBlobStore,
  resolveCredentials,
} from '../registry/index.ts';
import { type CliIO, ironcladHome, stageContext } from './io.ts';

/**
 * How the CLI reaches registries: one client per host, created on first use with credentials from the login
 * store, the Docker config (DOCKER_CONFIG or ~/.docker) or IRONCLAD_REGISTRY_USER/_PASSWORD, in that order.
 * Plain http is used for loopback hosts, for hosts listed in IRONCLAD_INSECURE_REGISTRIES (comma-separated
 * `host[:port]`), and for every host of a command run with `--insecure`.
 */

export interface RegistryAccessOptions {
  /** Plain http for every registry this command talks to (the verbs' `--insecure`). */
  readonly insecure?: boolean;
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

/** Hosts named in IRONCLAD_INSECURE_REGISTRIES, lowercased; an entry without a port matches every port. */
export function insecureRegistries(env: NodeJS.ProcessEnv): ReadonlySet<string> {
  const list = (env.IRONCLAD_INSECURE_REGISTRIES ?? '').split(',');
  return new Set(list.map((h) => h.trim().toLowerCase()).filter((h) => h !== ''));
}

function isInsecure(host: string, listed: ReadonlySet<string>): boolean {
  const lower = host.toLowerCase();
  return listed.has(lower) || listed.has(lower.replace(/:\d+$/, ''));
}

/** The credential sources of one CLI invocation; nothing here is read until a registry is contacted. */
export function credentialSourcesOf(io: CliIO): CredentialSources {
  return {
    home: ironcladHome(io),
    dockerConfigDir: io.env.DOCKER_CONFIG ?? join(io.env.HOME ?? homedir(), '.docker'),
    env: { user: io.env.IRONCLAD_REGISTRY_USER, password: io.env.IRONCLAD_REGISTRY_PASSWORD },
  };
}

/** Creates a client for `host` with explicit credentials (login checks new ones this way). */
export function clientFor(
  host: string,
  credentials: RegistryCredentials | undefined,
  io: CliIO,
  opts: RegistryAccessOptions,
  ctx: StageContext,
): RegistryClient {
  const insecure = opts.insecure === true || isInsecure(host, insecureRegistries(io.env));
  return createRegistryClient(
    { host: API_HOSTS[host.toLowerCase()] ?? host, insecure, credentials, userAgent: 'ironclad/0.1.0' },
    ctx,
  );
}

/** Registry clients for one command, memoised per host. */
export function registryAccess(
  io: CliIO,
  opts: RegistryAccessOptions = {},
  ctx: StageContext = stageContext(io),
): RegistryAccess {
  const clients = new Map<string, Promise<RegistryClient>>();
  return {
    client(host) {
      const key = host.toLowerCase();
      let pending = clients.get(key);
      if (pending === undefined) {
        pending = resolveCredentials(key, credentialSourcesOf(io)).then((creds) =>
          clientFor(key, creds, io, opts, ctx),
        );
        clients.set(key, pending);
      }
      return pending;
    },
  };
}

/**
 * A BlobStore that opens its registry repository on first use. openImageSource wants a transport that
 * answers synchronously, while credentials (files, credential helpers) can only be read asynchronously.
 */
function lazyRegistryStore(open: () => Promise<RegistryBlobStore>): BlobStore {
  let opened: Promise<RegistryBlobStore> | undefined;
  const store = () => {
    opened ??= open();
    return opened;
  };
  return {
    readManifest: async (ref) => (await store()).readManifest(ref),
    openBlob: async (desc) => (await store()).openBlob(desc),
    listReferrers: async (subject) => (await store()).listReferrers(subject),
  };
}

/**
 * The registry transport for openImageSource: every verb that reads an image (inspect, sbom, scan, run, test,
 * compare) reads `docker://HOST/REPO:TAG` straight from the registry, one request per thing it needs, without
 * pulling the image into the local store.
 */
export function registryTransport(io: CliIO, opts: RegistryAccessOptions = {}): Pick<OpenSourceOptions, 'registry'> {
  const access = registryAccess(io, opts);
  return {
    registry: (ref) => lazyRegistryStore(async () => registryBlobStore(await access.client(ref.host), ref.repo)),
  };
}
