import type { Command } from 'commander';
import { registerAttest } from './attest.ts';
import { registerBuild } from './build.ts';
import { registerCache } from './cache.ts';
import { registerCatalog } from './catalog.ts';
import { registerCompare } from './compare.ts';
import { registerCopy } from './copy.ts';
import { registerDb } from './db.ts';
import { registerImages } from './images.ts';
import { registerInspect } from './inspect.ts';
import type { CliIO, ExitStatus } from './io.ts';
import { registerKeygen } from './keygen.ts';
import { registerLock } from './lock.ts';
import { registerLogin } from './login.ts';
import { registerMirror } from './mirror.ts';
import { registerPull } from './pull.ts';
import { registerPush } from './push.ts';
import { registerRebuild } from './rebuild.ts';
import { registerRun } from './run.ts';
import { registerSbom } from './sbom.ts';
import { registerScan } from './scan.ts';
import { registerServe } from './serve.ts';
import { registerSign } from './sign.ts';
import { registerStore } from './store.ts';
import { registerTest } from './test.ts';
import { registerVerify } from './verify.ts';
import { registerVex } from './vex.ts';

/**
 * A verb registers itself on the program; its action resolves to an exit status that main.ts reports.
 * `run` is how a verb hands its exit status back without calling process.exit itself.
 */
export type VerbRegistrar = (program: Command, io: CliIO, run: (status: Promise<ExitStatus>) => void) => void;

/** The explicit list of verbs (STYLE.md rule 12): nothing is discovered on disk. */
export const verbs: readonly VerbRegistrar[] = [
  registerLock,
  registerBuild,
  registerImages,
  registerInspect,
  registerKeygen,
  registerDb,
  registerScan,
  registerVex,
  registerCompare,
  registerSbom,
  registerRun,
  registerTest,
  registerLogin,
  registerPush,
  registerPull,
  registerCopy,
  registerMirror,
  registerSign,
  registerAttest,
  registerVerify,
  registerRebuild,
  registerCatalog,
  registerServe,
  registerCache,
  registerStore,
];
