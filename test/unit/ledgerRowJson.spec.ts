// The chain hash's row serialisation written directly (hashedRowJson) is byte for byte the
// canonical JSON of the picked fields, so ledgers written before it still verify.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, sha256 } from '../../src/core/hash';
import { chainHash, HASHED_FIELDS, hashedRowJson } from '../../src/core/run/ledgerCheck';
import { prng } from '../support/prng';

const pickedJson = (row: Record<string, unknown>): string => {
  const picked: Record<string, unknown> = {};
  for (const f of HASHED_FIELDS) picked[f] = row[f] ?? null;
  return canonicalJson(picked);
};

describe('ledger row serialisation for the chain hash', () => {
  it('equals canonicalJson of the hashed fields for random rows (strings with quotes, escapes, unicode; numbers; null; missing)', () => {
    const r = prng(16);
    const alphabet = ['a', '"', '\\', '\n', '\u0000', 'é', '😀', '\u2028', '{', '}', ',', ':', ' '];
    const str = (): string => Array.from({ length: Math.floor(r() * 40) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
    for (let k = 0; k < 500; k++) {
      const row: Record<string, unknown> = { extra_column: 'not hashed' };
      for (const f of HASHED_FIELDS) {
        const x = r();
        row[f] = x < 0.15 ? null : x < 0.25 ? undefined : x < 0.4 ? Math.floor(r() * 1e9) - 5e8 : x < 0.45 ? r() * 100 : str();
      }
      assert.equal(hashedRowJson(row), pickedJson(row));
      assert.equal(chainHash(row), sha256(String(row.prev_hash) + pickedJson(row)));
    }
  });
});
