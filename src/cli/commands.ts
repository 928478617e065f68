import type { Command } from 'commander';
import type { CliIO, ExitStatus } from './io.ts';

/**
 * A verb registers itself on the program; its action resolves to an exit status that main.ts reports.
 * `run` is how a verb hands its exit status back without calling process.exit itself.
 */
export type VerbRegistrar = (program: Command, io: CliIO, run: (status: Promise<ExitStatus>) => void) => void;

/**
 * One verb module: the commands it registers, each with the line `ironclad --help` lists it by, and how to load
 * it. Only the module of the verb being run is loaded (main.ts), so a start pays for one verb's imports.
 */
export interface VerbModule {
  /** `[name and arguments, summary]`, as commander lists them (the arguments are only shown there). */
  readonly listing: readonly (readonly [term: string, summary: string])[];
  readonly load: () => Promise<VerbRegistrar>;
}

/** The explicit list of verbs (STYLE.md rule 12): nothing is discovered on disk. */
export const verbs: readonly VerbModule[] = [
  {
    listing: [
      [
        'lock [options] <definition>',
        'resolve a definition against the verified Debian archive and write its lockfile',
      ],
    ],
    load: async () => (await import('./lock.ts')).registerLock,
  },
  {
    listing: [
      [
        'update [options] [definition...]',
        're-lock images against the archive, rebuild, test, sign and push only what changed',
      ],
    ],
    load: async () => (await import('./update.ts')).registerUpdate,
  },
  {
    listing: [
      [
        'status [options] [definition...]',
        'per image: digest, lock age, pending updates, fixable critical/high CVEs and for how long',
      ],
    ],
    load: async () => (await import('./status.ts')).registerStatus,
  },
  {
    listing: [['history [options] <image[:tag]>', 'every digest a tag had, when, and what changed at each move']],
    load: async () => (await import('./history.ts')).registerHistory,
  },
  {
    listing: [['build [options] <definition>', 'build hardened OCI images from a definition and its lock']],
    load: async () => (await import('./build.ts')).registerBuild,
  },
  {
    listing: [
      ['images [options]', 'list the images in the local store'],
      ['rmi <name[:tag]...>', 'remove images from the local store'],
    ],
    load: async () => (await import('./images.ts')).registerImages,
  },
  {
    listing: [
      ['inspect [options] <image-ref>', 'show an image: index, each platform config, layers and their packages'],
    ],
    load: async () => (await import('./inspect.ts')).registerInspect,
  },
  {
    listing: [['keygen [options]', 'Generate a password-protected signing key pair (cosign-compatible ECDSA P-256)']],
    load: async () => (await import('./keygen.ts')).registerKeygen,
  },
  {
    listing: [['db', 'Manage the local vulnerability database (OSV records for Debian)']],
    load: async () => (await import('./db.ts')).registerDb,
  },
  {
    listing: [
      [
        'scan [options] <input>',
        'Scan an image or an SBOM for known vulnerabilities (Debian security data, OSV format), applying VEX',
      ],
    ],
    load: async () => (await import('./scan.ts')).registerScan,
  },
  {
    listing: [['vex', 'Create, extend, merge and show OpenVEX 0.2.0 documents']],
    load: async () => (await import('./vex.ts')).registerVex,
  },
  {
    listing: [
      [
        'compare [options] <image>',
        'Compare two images: size, packages, vulnerabilities, attack surface, environment and labels',
      ],
    ],
    load: async () => (await import('./compare.ts')).registerCompare,
  },
  {
    listing: [
      [
        'sbom [options] <image-ref>',
        'Generate an SBOM (SPDX 2.3 or CycloneDX 1.6 JSON) for any image: Debian, Python, npm and Go packages',
      ],
    ],
    load: async () => (await import('./sbom.ts')).registerSbom,
  },
  {
    listing: [
      [
        'run [options] <image> [command...]',
        'Run an image once in runc (no network), streaming its output; exits with its status',
      ],
    ],
    load: async () => (await import('./run.ts')).registerRun,
  },
  {
    listing: [
      ['test [options] <image>', 'Check an image against the hardening standards and run its functional tests in runc'],
    ],
    load: async () => (await import('./test.ts')).registerTest,
  },
  {
    listing: [
      ['login [options] <host>', 'check and save credentials for a registry'],
      ['logout <host>', 'remove saved credentials for a registry'],
    ],
    load: async () => (await import('./login.ts')).registerLogin,
  },
  {
    listing: [
      [
        'push [options] <image-ref> <registry-ref>',
        'push an image with all its platforms, SBOMs, signatures and attestations to a registry',
      ],
    ],
    load: async () => (await import('./push.ts')).registerPush,
  },
  {
    listing: [
      [
        'pull [options] <registry-ref> [destination]',
        'pull an image with its SBOMs, signatures and attestations into the local store or an OCI layout',
      ],
    ],
    load: async () => (await import('./pull.ts')).registerPull,
  },
  {
    listing: [
      ['copy [options] <src-ref> <dst-ref>', 'copy an image between registries, OCI layouts and the local store'],
    ],
    load: async () => (await import('./copy.ts')).registerCopy,
  },
  {
    listing: [
      [
        'mirror [options] <src-repo> <dst-repo>',
        'copy the tags of a repository, with every platform and referrer, to another repository',
      ],
    ],
    load: async () => (await import('./mirror.ts')).registerMirror,
  },
  {
    listing: [['sign [options] <image>', 'sign an image (index and platform manifests) with a key']],
    load: async () => (await import('./sign.ts')).registerSign,
  },
  {
    listing: [['attest [options] [image]', 'attach signed attestations to an image, list and read them']],
    load: async () => (await import('./attest.ts')).registerAttest,
  },
  {
    listing: [
      ['verify [options] <image>', 'verify an image signature and its required attestations with a public key'],
    ],
    load: async () => (await import('./verify.ts')).registerVerify,
  },
  {
    listing: [
      ['policy', 'Export Kubernetes admission policies (Kyverno, Sigstore policy-controller) for an Ironclad key'],
    ],
    load: async () => (await import('./policy.ts')).registerPolicy,
  },
  {
    listing: [['rebuild [options] <image>', 'rebuild an image from its provenance and compare digests']],
    load: async () => (await import('./rebuild.ts')).registerRebuild,
  },
  {
    listing: [
      ['catalog [options]', 'list every image of the catalog: tags, sizes, packages, vulnerabilities, end of life'],
    ],
    load: async () => (await import('./catalog.ts')).registerCatalog,
  },
  {
    listing: [['serve [options]', 'serve the web catalog on this machine (read-only)']],
    load: async () => (await import('./serve.ts')).registerServe,
  },
  {
    listing: [['cache', 'Check the derived caches under IRONCLAD_HOME (parsed .debs, compressed layers, resolutions)']],
    load: async () => (await import('./cache.ts')).registerCache,
  },
  {
    listing: [['store', 'Check the local image store (IRONCLAD_HOME/store)']],
    load: async () => (await import('./store.ts')).registerStore,
  },
];
