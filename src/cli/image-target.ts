import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  type ImageTarget,
  keySigner,
  layoutReferrerSink,
  loadPrivateKey,
  loadPublicKey,
  type ReferrerSink,
  registryReferrerSink,
  type Signer,
} from '../attest/index.ts';
import { assertNever, fail } from '../core/index.ts';
import {
  type BlobStore,
  type Descriptor,
  digestOf,
  formatPlatform,
  isManifestMediaType,
  LayoutStore,
  layoutBlobStore,
  parseImageRef,
  parseManifest,
  storeDir,
  storeTagName,
} from '../oci/index.ts';
import { registryBlobStore } from '../registry/index.ts';
import { imageNameFromRef } from '../sbom/index.ts';
import { type CliIO, ironcladHome } from './io.ts';
import { readPassword, type SecretPrompt } from './password.ts';
import { cliRegistryAccess } from './source.ts';

/** Key files are a few hundred bytes; anything much larger is not a key. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** An image resolved for signing or verification: where its referrers live, and what to sign or check. */
export interface OpenedTarget {
  readonly sink: ReferrerSink;
  readonly target: ImageTarget;
  /** Image name without tag or digest, recorded in signatures and statements (informational). */
  readonly repository: string;
}

/**
 * Resolves an image reference to its top-level descriptor and platform manifests, with a referrer sink for where
 * it lives: the local store, an `oci:` layout, or a registry repository (`docker://HOST/REPO[:TAG][@DIGEST]`).
 * @throws IroncladError `USAGE` for transports that cannot hold referrers; NOT_FOUND for unknown tags.
 */
export async function openTarget(ref: string, io: CliIO): Promise<OpenedTarget> {
  const { sink, store, reference } = await openHolder(ref, io);
  const { bytes, mediaType } = await store.readManifest(reference);
  const top: Descriptor = { mediaType, digest: digestOf(bytes), size: bytes.length };
  const doc = parseManifest(bytes, mediaType, ref);
  const platforms =
    doc.kind === 'manifest' ? [top] : doc.index.manifests.filter((m) => isManifestMediaType(m.mediaType));
  if (platforms.length === 0) fail('INVALID_INPUT', `${ref}: the index lists no image manifests`);
  return { sink, target: { top, platforms }, repository: imageNameFromRef(ref) };
}

/** Where an image and its referrers live: a sink for referrers, and the manifest reader that finds the image. */
interface Holder {
  readonly sink: ReferrerSink;
  readonly store: Pick<BlobStore, 'readManifest'>;
  /** Tag or digest to read the top-level manifest by. */
  readonly reference: string;
}

async function openHolder(ref: string, io: CliIO): Promise<Holder> {
  const parsed = parseImageRef(ref);
  switch (parsed.kind) {
    case 'store': {
      const store = await LayoutStore.open(storeDir(ironcladHome(io)));
      const reference = parsed.digest ?? storeTagName(parsed.name, parsed.tag);
      return { sink: layoutReferrerSink(store), store: layoutBlobStore(store), reference };
    }
    case 'oci-layout': {
      const store = await LayoutStore.open(resolve(io.cwd, parsed.dir));
      return { sink: layoutReferrerSink(store), store: layoutBlobStore(store), reference: parsed.tag ?? '' };
    }
    case 'registry': {
      // One client serves both the image and its referrers, so credentials are resolved (and a token fetched)
      // once. Manifests are read through the same BlobStore the registry ImageSource uses: digest-checked.
      const client = await cliRegistryAccess(io).client(parsed.host);
      return {
        sink: registryReferrerSink(client, parsed.repo),
        store: registryBlobStore(client, parsed.repo),
        reference: parsed.digest ?? parsed.tag ?? 'latest',
      };
    }
    case 'docker-archive':
      // A docker-archive tarball has no place to keep referrers beside the image.
      return fail('USAGE', `${ref}: signatures and attestations are kept in a registry, the store or an oci: layout`, {
        hint: 'copy the image into one first, e.g. ironclad copy docker-archive:FILE oci:DIR:TAG',
      });
    default:
      return assertNever(parsed);
  }
}

/** The platform manifests of a target, or only the one matching `--platform`. @throws USAGE when none matches. */
export function selectPlatforms(target: ImageTarget, platform: string | undefined): readonly Descriptor[] {
  if (platform === undefined) return target.platforms;
  const chosen = target.platforms.filter((m) => m.platform !== undefined && formatPlatform(m.platform) === platform);
  if (chosen.length === 0) {
    const have = target.platforms.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : []));
    fail('USAGE', `--platform ${platform}: the image has ${have.join(', ') || 'no platform list'}`);
  }
  return chosen;
}

/** A short label for a manifest in output: its platform, or `image` for a single manifest without one. */
export function platformLabel(d: Descriptor): string {
  return d.platform === undefined ? 'image' : formatPlatform(d.platform);
}

/** Loads a password-protected private key (password from IRONCLAD_PASSWORD or the terminal) as a Signer. */
export async function loadSigner(path: string, io: CliIO, prompt?: SecretPrompt): Promise<Signer> {
  const file = resolve(io.cwd, path);
  const pem = await readKeyFile(file);
  const password = await readPassword(io, { confirm: false, purpose: file }, prompt);
  return keySigner(await loadPrivateKey(pem, password));
}

/** Loads a PEM public key file. */
export async function loadPublicKeyFile(path: string, io: CliIO): Promise<KeyObject> {
  return loadPublicKey(await readKeyFile(resolve(io.cwd, path)));
}

async function readKeyFile(file: string): Promise<Uint8Array> {
  const bytes = await readFile(file).catch((cause: unknown) =>
    fail('NOT_FOUND', `cannot read key file ${file}`, { cause, hint: 'create a key pair with: ironclad keygen' }),
  );
  if (bytes.length > MAX_KEY_FILE_BYTES) fail('KEY_INVALID', `${file} is too large to be a key file`);
  return bytes;
}
