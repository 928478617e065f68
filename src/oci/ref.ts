import { fail, IroncladError } from '../core/index.ts';
import { parseDigest } from './digest.ts';
import type { Digest, ImageRef } from './types.ts';

/**
 * Image reference syntax, following skopeo's transports (DESIGN.md, ImageSource):
 *   oci:DIR[:TAG]                        an OCI image layout directory
 *   docker-archive:FILE                  a `docker save` tarball
 *   docker://[HOST/]REPO[:TAG][@DIGEST]  a registry (docker.io and `library/` implied as docker does)
 *   HOST/REPO[:TAG][@DIGEST]             a registry, when HOST has a dot or a port or is `localhost`
 *   NAME[:TAG][@DIGEST]                  an image in the local store
 * Repository and tag grammar: distribution/reference (the OCI distribution spec's `<name>` and `<reference>`).
 */

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPO_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const HOST_RE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;
/** Whether `host` is a registry host: a DNS name or `[IPv6]`, with an optional port. */
export function isRegistryHost(host: string): boolean {
  return HOST_RE.test(host);
}

/** docker's default registry, for `docker://NAME` without a host. */
export const DEFAULT_REGISTRY = 'docker.io';

const HINT =
  'use oci:DIR[:TAG], docker-archive:FILE, docker://HOST/REPO[:TAG|@sha256:…], HOST/REPO:TAG or a local NAME[:TAG]';

function usage(input: string, why: string): never {
  return fail('USAGE', `invalid image reference ${JSON.stringify(input)}: ${why}`, { hint: HINT });
}

/** Splits `NAME[:TAG][@DIGEST]`; the tag separator is a colon after the last slash (a host port is not a tag). */
function splitNameTagDigest(input: string, s: string): { name: string; tag?: string; digest?: Digest } {
  let rest = s;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    try {
      digest = parseDigest(rest.slice(at + 1));
    } catch (err) {
      if (err instanceof IroncladError) usage(input, 'the digest is not sha256:<64 hex>');
      throw err;
    }
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) usage(input, `${JSON.stringify(tag)} is not a valid tag`);
  }
  return { name: rest, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

function registryRef(input: string, body: string, implicitHost: boolean): ImageRef {
  const { name, tag, digest } = splitNameTagDigest(input, body);
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  let host: string;
  let repo: string;
  if (slash >= 0 && looksLikeHost(first)) {
    host = first;
    repo = name.slice(slash + 1);
  } else if (implicitHost) {
    host = DEFAULT_REGISTRY;
    repo = slash < 0 ? `library/${name}` : name;
  } else {
    return usage(input, 'a registry reference needs HOST/REPO');
  }
  if (!HOST_RE.test(host)) usage(input, `${JSON.stringify(host)} is not a valid registry host`);
  if (!REPO_RE.test(repo))
    usage(input, `${JSON.stringify(repo)} is not a valid repository name (lowercase, digits, . _ - /)`);
  return { kind: 'registry', host, repo, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/**
 * Parses a user-typed image reference.
 * @throws IroncladError USAGE with a hint listing the accepted forms.
 */
export function parseImageRef(input: string): ImageRef {
  const s = input.trim();
  if (s === '') usage(input, 'empty');
  if (s.startsWith('oci:')) {
    const body = s.slice(4);
    const colon = body.lastIndexOf(':');
    const maybeTag = colon >= 0 ? body.slice(colon + 1) : undefined;
    // `oci:DIR:TAG`: the last colon starts a tag unless what follows looks like part of a path.
    if (maybeTag !== undefined && maybeTag !== '' && !maybeTag.includes('/')) {
      const dir = body.slice(0, colon);
      if (dir === '') usage(input, 'missing layout directory');
      return { kind: 'oci-layout', dir, tag: maybeTag };
    }
    const dir = maybeTag === '' ? body.slice(0, -1) : body;
    if (dir === '') usage(input, 'missing layout directory');
    return { kind: 'oci-layout', dir };
  }
  if (s.startsWith('docker-archive:')) {
    const file = s.slice('docker-archive:'.length);
    if (file === '') usage(input, 'missing archive file');
    return { kind: 'docker-archive', file };
  }
  if (s.startsWith('docker://')) return registryRef(input, s.slice('docker://'.length), true);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) usage(input, 'unknown transport');
  const slash = s.indexOf('/');
  if (slash > 0 && looksLikeHost(s.slice(0, slash))) return registryRef(input, s, false);
  const { name, tag, digest } = splitNameTagDigest(input, s);
  if (!REPO_RE.test(name)) usage(input, `${JSON.stringify(name)} is not a valid image name`);
  return { kind: 'store', name, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}
