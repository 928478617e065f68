import { Transform, type TransformCallback } from 'node:stream';
import { fail, IroncladError } from '../core/index.ts';
import { Digester } from './digest.ts';
import type { Descriptor } from './types.ts';

/**
 * A pass-through stream that checks its bytes against a descriptor (STYLE.md rule 3). It errors as soon as
 * more than `desc.size` bytes arrive, and at end of stream when the size or the sha256 differs, with
 * DIGEST_MISMATCH. Consumers therefore never finish reading unverified content; they must still treat data
 * seen before the error as untrusted.
 */
export function verifyingStream(desc: Pick<Descriptor, 'digest' | 'size'>, what = 'blob'): Transform {
  const digester = new Digester();
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      digester.update(chunk);
      if (digester.size > desc.size) {
        cb(mismatch(`${what} ${desc.digest}: more than the ${desc.size} bytes its descriptor declares`));
        return;
      }
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      if (digester.size !== desc.size) {
        cb(mismatch(`${what} ${desc.digest}: ${digester.size} bytes, descriptor declares ${desc.size}`));
        return;
      }
      const actual = digester.digest();
      if (actual !== desc.digest) {
        cb(mismatch(`${what} ${desc.digest}: content hashes to ${actual}`));
        return;
      }
      cb();
    },
  });
}

/** Checks bytes already in memory against a descriptor; throws DIGEST_MISMATCH. */
export function verifyBytes(bytes: Uint8Array, desc: Pick<Descriptor, 'digest' | 'size'>, what = 'blob'): void {
  const d = new Digester();
  d.update(bytes);
  if (bytes.length !== desc.size) {
    fail('DIGEST_MISMATCH', `${what} ${desc.digest}: ${bytes.length} bytes, descriptor declares ${desc.size}`);
  }
  if (d.digest() !== desc.digest) fail('DIGEST_MISMATCH', `${what} ${desc.digest}: content hashes to ${d.digest()}`);
}

function mismatch(message: string): IroncladError {
  return new IroncladError('DIGEST_MISMATCH', message, {
    hint: 'the stored or downloaded content is corrupt or was tampered with',
  });
}
