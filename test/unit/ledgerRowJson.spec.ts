// The chain hash's row serialisation written directly (hashedRowJson) is byte for byte the
// canonical JSON of the picked fields, so ledgers written before it still verify (format 2); the
// writer's format 3 input (hashInput) is the walker's (v3HashInput) for every row, and it is
// unambiguous: moving a character between two fields changes it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, sha256 } from '../../src/core/hash';
import { chainHash, chainHashV3, HASHED_FIELDS, HASHED_FIELDS_V3, hashedRowJson, v3HashInput } from '../../src/core/run/ledgerCheck';
import { hashInput, prepareStep, rowOf, STEP_COLUMNS } from '../../src/node/ledger/stepWrite';
import type { StepInput } from '../../src/node/ledger/schema';
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

  it('a prepared step hashes (hashInput) to chainHashV3 of the full row (format 3), with and without a checkpoint', () => {
    const r = prng(23);
    const alphabet = ['a', '"', '\\', '\n', '\u0000', 'é', '😀', '\u2028', '{', '}', ',', ':', ' ', '-', '#', ';', '12:', 'PGPASSWORD=hunter2 '];
    const str = (): string => Array.from({ length: Math.floor(r() * 30) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
    const maybe = <T>(v: T): T | undefined => (r() < 0.3 ? undefined : v);
    for (let k = 0; k < 500; k++) {
      const input: StepInput = {
        runId: str(), event: r() < 0.5 ? 'pre' : 'post', agent: str(), sessionId: str(), tool: str(), decision: str(), reversibility: str(),
        reasons: [str(), str()], rules: [str()], effects: r() < 0.5 ? [] : [{ kind: str(), path: str() }], policyHash: str(), startedAt: str(), decidedAt: str(), durationUs: r() * 1e6,
      };
      const opt: Partial<StepInput> = { refSeq: maybe(Math.floor(r() * 100)), subagentId: maybe(str()), toolUseId: maybe(str()), kind: maybe(str()), action: maybe({ command: str(), cwd: str() }), actionHash: maybe(str()), description: maybe(str()), outcome: maybe({ exitCode: 0, out: str() }), checkpoint: maybe(str()) };
      for (const [key, v] of Object.entries(opt)) if (v !== undefined) (input as unknown as Record<string, unknown>)[key] = v;
      const p = prepareStep(input);
      const prev = sha256(str());
      const seq = 1 + Math.floor(r() * 1e6);
      const hash = sha256(hashInput(p, prev, seq));
      const row = rowOf(p, { seq, prev_hash: prev, hash });
      assert.equal(hashInput(p, prev, seq), v3HashInput(row as unknown as Record<string, unknown>), `row ${k}`);
      assert.equal(hash, chainHashV3(row as unknown as Record<string, unknown>));
      assert.equal(row.hash_format, 3);
    }
  });

  it('format 3 covers every stored column but the hash itself, and no two different rows share an input', () => {
    assert.deepEqual([...HASHED_FIELDS_V3].sort(), STEP_COLUMNS.filter((c) => c !== 'hash' && c !== 'prev_hash').sort());
    const base: Record<string, unknown> = { prev_hash: 'a'.repeat(64), id: 'x', run_id: 'r', seq: 1, event: 'pre', ref_seq: null, agent: 'ab', session_id: 'c', tool: 'Bash', decision: 'allow', duration_us: 5, checkpoint: null };
    const inputs = new Set<string>();
    const variants: Array<Record<string, unknown>> = [
      base,
      { ...base, agent: 'a', session_id: 'bc' }, // a character moved across a field boundary
      { ...base, agent: 'ab', session_id: 'c', subagent_id: '' }, // empty text is not null
      { ...base, seq: '1' }, // text is not a number
      { ...base, ref_seq: 0 },
      { ...base, checkpoint: '' },
      { ...base, duration_us: null },
      { ...base, agent: '2:ab' },
      { ...base, agent: new Uint8Array([0x61, 0x62]) }, // a blob where text belongs
      { ...base, prev_hash: 'b'.repeat(64) },
    ];
    for (const v of variants) inputs.add(v3HashInput(v));
    assert.equal(inputs.size, variants.length);
  });
});
