/**
 * Canonical JSON (sorted keys, no whitespace) and SHA-256, used to bind decisions and approvals to
 * the exact action and the exact policy. Hashing is computation, not I/O, so core may use it.
 */
import * as crypto from 'node:crypto';

/** crypto.hash (Node 20.12+, 21.7+): one call instead of a Hash object per digest; createHash where it is absent. */
const oneShot = (crypto as unknown as { hash?: (algorithm: string, data: string, encoding: 'hex' | 'buffer') => string & Uint8Array }).hash;

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function sha256(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SHA-256 of the UTF-8 of `text`, as 32 bytes (what the ledger stores for a schema 3 step's hash). */
export function sha256Bytes(text: string): Uint8Array {
  return oneShot ? oneShot('sha256', text, 'buffer') : crypto.createHash('sha256').update(text, 'utf8').digest();
}

export function hashOf(value: unknown): string {
  return sha256(canonicalJson(value));
}

/**
 * The hash an approval is bound to: the canonical action, and when the judge read files to decide
 * (scripts, package.json, Makefiles), their {path, sha256} too, so a changed file is judged again
 * and an approval given for the old content does not cover the new one.
 */
export function actionHashOf(action: unknown, files?: ReadonlyArray<{ path: string; sha256: string }>): string {
  return files && files.length ? hashOf({ action, files }) : hashOf(action);
}
