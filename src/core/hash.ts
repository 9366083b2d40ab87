/**
 * Canonical JSON (sorted keys, no whitespace) and SHA-256, used to bind decisions and approvals to
 * the exact action and the exact policy. Hashing is computation, not I/O, so core may use it.
 */
import type * as Crypto from 'node:crypto';

type CryptoModule = typeof Crypto & { hash?: (algorithm: string, data: string, encoding: 'hex' | 'buffer') => string & Uint8Array };

/**
 * node:crypto is required on the first digest, not when this module loads: loading it brings ~35 of
 * Node's own modules (its streams with them), a measurable part of a short-lived process's start
 * (the offline hook, `airlock check`), and such a process may never need a digest (the judge's
 * hashes are computed when read: see `lazyHash`).
 * crypto.hash (Node 20.12+, 21.7+): one call instead of a Hash object per digest; createHash where it is absent.
 */
let cryptoModule: CryptoModule | undefined;
const cryptoOf = (): CryptoModule => (cryptoModule ??= require('node:crypto') as CryptoModule);

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function sha256(text: string): string {
  const crypto = cryptoOf();
  return crypto.hash ? crypto.hash('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SHA-256 of the UTF-8 of `text`, as 32 bytes (what the ledger stores for a schema 3 step's hash). */
export function sha256Bytes(text: string): Uint8Array {
  const crypto = cryptoOf();
  return crypto.hash ? crypto.hash('sha256', text, 'buffer') : crypto.createHash('sha256').update(text, 'utf8').digest();
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
  return sha256(actionTextOf(action, files));
}

/** The canonical text `actionHashOf` hashes. */
export function actionTextOf(action: unknown, files?: ReadonlyArray<{ path: string; sha256: string }>): string {
  return canonicalJson(files && files.length ? { action, files } : action);
}

/**
 * Define `key` on `target` as a hash computed on first read (then kept as a plain value): an
 * enumerable property like any other (JSON, spreads, deep equality and structured clones read it),
 * so a caller that never reads it (the offline hook, which prints only the verdict) never hashes.
 * The value is a pure function of data the caller no longer changes, so when it is computed
 * does not change what it is.
 */
export function lazyHash<T extends object, K extends keyof T & string>(target: T, key: K, compute: () => T[K]): T {
  Object.defineProperty(target, key, {
    configurable: true,
    enumerable: true,
    get(): T[K] {
      const value = compute();
      Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: true });
      return value;
    },
    set(value: T[K]): void {
      Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: true });
    },
  });
  return target;
}
