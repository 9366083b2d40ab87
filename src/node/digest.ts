/**
 * node:crypto for modules every short-lived process loads (the file reader behind the judge, the
 * trust store), required on first use: loading it brings ~35 of Node's own modules, and judging
 * `ls` needs none of it. Core's text digest is core/hash.ts (required on first use there too).
 */
import type * as Crypto from 'node:crypto';

let crypto: typeof Crypto | undefined;
const load = (): typeof Crypto => (crypto ??= require('node:crypto') as typeof Crypto);

/** SHA-256 of bytes (or the UTF-8 of text), hex. */
export function sha256Hex(data: Uint8Array | string): string {
  return load().createHash('sha256').update(data).digest('hex');
}

/** `n` random bytes as hex (temporary file names, ids). */
export function randomHex(n: number): string {
  return load().randomBytes(n).toString('hex');
}
