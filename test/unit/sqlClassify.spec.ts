import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import type { SqlDialect } from '../../src/core/action';
import { REVERSIBILITIES, rankOf, type Classification } from '../../src/core/effects';
import { classifySql, hasPostgresParser, isReadOnlySql, setPostgresParser, splitSqlStatements } from '../../src/core/classify/sql';
import { loadSqlParsers } from '../../src/node/db/sqlParser';
import { prng } from '../support/prng';

interface Row {
  sql: string;
  dialect: SqlDialect;
  expected: 'read' | 'write' | 'destructive' | 'unknown';
  note: string;
}

const corpus: Row[] = readFileSync(new URL('../fixtures/sql-corpus.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Row);

/** The corpus class of a classification: could-not-analyze → unknown; irreversible/unknown → destructive. */
export function classOf(c: Classification): Row['expected'] {
  if (c.reasons.some((r) => r.startsWith('could not analyze'))) return 'unknown';
  const rank = rankOf(c.reversibility);
  if (rank >= rankOf('irreversible')) return 'destructive';
  if (rank >= rankOf('reversible')) return 'write';
  return 'read';
}

before(async () => {
  await loadSqlParsers();
  assert.ok(hasPostgresParser());
});

describe('SQL corpus', () => {
  it('has at least 150 rows over the three dialects', () => {
    assert.ok(corpus.length >= 150);
    for (const d of ['postgres', 'sqlite', 'mysql']) assert.ok(corpus.some((r) => r.dialect === d));
  });
  for (const row of corpus) {
    it(`${row.dialect} ${row.expected}: ${JSON.stringify(row.sql).slice(0, 70)} (${row.note})`, () => {
      const c = classifySql(row.sql, row.dialect);
      assert.equal(classOf(c), row.expected, JSON.stringify(c.effects.map((e) => `${e.kind}/${e.reversibility}: ${e.detail}`).concat(c.reasons)));
    });
  }
});

function only(sql: string, dialect: SqlDialect) {
  const c = classifySql(sql, dialect);
  return c.effects;
}

describe('SQL effects, targets and details', () => {
  for (const d of ['postgres', 'sqlite', 'mysql'] as const) {
    it(`${d}: DELETE without WHERE deletes every row of the table`, () => {
      const [e] = only('DELETE FROM orders', d);
      assert.equal(e?.kind, 'delete');
      assert.equal(e?.reversibility, 'irreversible');
      assert.equal(e?.target, 'orders');
      assert.equal(e?.source, 'DELETE');
      assert.equal(e?.detail, 'deletes every row of orders (no WHERE)');
    });
    it(`${d}: DROP TABLE drops the table`, () => {
      const [e] = only('DROP TABLE orders', d);
      assert.equal(e?.kind, 'delete');
      assert.equal(e?.target, 'orders');
      assert.equal(e?.detail, 'drops table orders');
    });
    it(`${d}: bounded UPDATE is a recoverable, snapshotable write`, () => {
      const [e] = only('UPDATE orders SET paid = 1 WHERE id = 7', d);
      assert.equal(e?.kind, 'write');
      assert.equal(e?.reversibility, 'recoverable');
      assert.equal(e?.snapshotable, true);
      assert.equal(e?.target, 'orders');
      assert.equal(e?.source, 'UPDATE');
    });
    it(`${d}: every statement of a batch gets an effect`, () => {
      const c = classifySql('SELECT * FROM a; INSERT INTO b VALUES (1); DROP TABLE c', d);
      assert.deepEqual(c.effects.map((e) => e.kind), ['read', 'create', 'delete']);
      assert.deepEqual(c.effects.map((e) => e.target), ['a', 'b', 'c']);
      assert.equal(c.reversibility, 'irreversible');
    });
    it(`${d}: splitSqlStatements keeps strings and comments intact`, () => {
      assert.deepEqual(splitSqlStatements("SELECT ';' AS x; -- a; b\nDELETE FROM t WHERE id = 1;", d), ["SELECT ';' AS x", 'DELETE FROM t WHERE id = 1']);
    });
    it(`${d}: isReadOnlySql`, () => {
      assert.equal(isReadOnlySql('SELECT 1; SELECT * FROM t', d), true);
      assert.equal(isReadOnlySql('SELECT 1; DELETE FROM t WHERE id = 1', d), false);
      assert.equal(isReadOnlySql('SELEC 1', d), false);
    });
    it(`${d}: input over the size bound is unknown`, () => {
      const c = classifySql('SELECT 1;'.repeat(30_000), d);
      assert.equal(c.reversibility, 'unknown');
      assert.match(c.reasons[0] ?? '', /KiB/);
    });
    it(`${d}: more than 500 statements is unknown`, () => {
      const c = classifySql('SELECT 1;'.repeat(501), d);
      assert.equal(c.reversibility, 'unknown');
      assert.match(c.reasons[0] ?? '', /500 statements/);
    });
  }
  it('postgres: data-modifying CTE names the hidden DELETE', () => {
    const c = classifySql('WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d', 'postgres');
    assert.equal(c.reversibility, 'irreversible');
    assert.ok(c.effects.some((e) => /data-modifying CTE d/.test(e.detail) && e.target === 'orders'));
  });
  it('postgres: COPY TO PROGRAM is exec', () => {
    const c = classifySql("COPY t TO PROGRAM 'rm -rf /'", 'postgres');
    assert.equal(c.flags.exec, true);
    assert.equal(c.effects[0]?.kind, 'exec');
  });
  it('postgres: GRANT to PUBLIC is a permissions change on security config', () => {
    const c = classifySql('GRANT ALL ON orders TO PUBLIC', 'postgres');
    assert.equal(c.effects[0]?.kind, 'permissions');
    assert.equal(c.flags.securityConfig, true);
    assert.match(c.effects[0]?.detail ?? '', /PUBLIC/);
  });
  it('postgres: CALL and DO are opaque (reversibility unknown, but analysed)', () => {
    for (const sql of ['CALL proc()', "DO $$ BEGIN PERFORM 1; END $$"]) {
      const c = classifySql(sql, 'postgres');
      assert.equal(c.reversibility, 'unknown');
      assert.equal(classOf(c), 'destructive');
    }
  });
  it('postgres: EXECUTE of a statement PREPAREd in the same batch has its effects', () => {
    const c = classifySql('PREPARE p AS SELECT * FROM t; EXECUTE p', 'postgres');
    assert.equal(c.reversibility, 'read');
  });
  it('postgres: pg_terminate_backend is a process effect', () => {
    const c = classifySql('SELECT pg_terminate_backend(42)', 'postgres');
    assert.equal(c.effects[0]?.kind, 'process');
    assert.equal(c.effects[0]?.reversibility, 'irreversible');
  });
  it('postgres: splitSqlStatements uses the real parser (dollar quotes)', () => {
    assert.deepEqual(splitSqlStatements("DO $$ BEGIN RAISE NOTICE ';'; END $$; SELECT 1", 'postgres'), ["DO $$ BEGIN RAISE NOTICE ';'; END $$", 'SELECT 1']);
  });
  it('tautology in a bounded WHERE is named', () => {
    const [e] = only("UPDATE t SET a = 1 WHERE 'a' = 'a'", 'sqlite');
    assert.equal(e?.detail, 'overwrites a in every row of t (WHERE is always true)');
  });
  it('postgres without the real parser: fallback grammar, still fails closed', () => {
    setPostgresParser(undefined);
    try {
      assert.equal(classifySql('DELETE FROM t', 'postgres').reversibility, 'irreversible');
      assert.equal(classifySql('SELECT * FROM t WHERE id = 1', 'postgres').reversibility, 'read');
      assert.equal(classifySql("DO $$ BEGIN END $$", 'postgres').reversibility, 'unknown');
      assert.ok(classifySql('SELECT 1', 'postgres').reasons.some((r) => /fallback/.test(r)));
    } finally {
      return loadSqlParsers().then(() => undefined);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// Fuzz smoke: seeded, reproducible.


const FRAGMENTS = ['SELECT', 'DELETE', 'FROM', 'WHERE', 'DROP', 'TABLE', 't', '1=1', ';', "'", '"', '`', '$$', '--', '/*', '*/', '(', ')', ',', 'OR', 'AND', 'NOT', 'true', 'WITH', 'AS', 'INSERT', 'INTO', 'VALUES', 'UPDATE', 'SET', 'x', '=', '\n', ' ', '#', '\\', 'E', '[', ']', 'PRAGMA', 'BEGIN', 'END', 'CREATE', 'TRIGGER', '$1', '?', '::', 'COPY', 'PROGRAM', 'EXPLAIN', 'ANALYZE'];

describe('SQL fuzz smoke', () => {
  it('random and mutated SQL never throws, never hangs, always yields a valid reversibility', () => {
    const rnd = prng(20240611);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const dialects = ['postgres', 'sqlite', 'mysql'] as const;
    const seeds = corpus.map((r) => r.sql);
    const started = Date.now();
    let worst = 0;
    for (let i = 0; i < 4000; i++) {
      let sql: string;
      const mode = i % 3;
      if (mode === 0) {
        sql = Array.from({ length: 1 + Math.floor(rnd() * 30) }, () => pick(FRAGMENTS)).join(rnd() < 0.7 ? ' ' : '');
      } else if (mode === 1) {
        const chars = [...pick(seeds)];
        const edits = 1 + Math.floor(rnd() * 4);
        for (let k = 0; k < edits; k++) {
          const at = Math.floor(rnd() * (chars.length + 1));
          const op = rnd();
          if (op < 0.4) chars.splice(at, 1);
          else if (op < 0.8) chars.splice(at, 0, pick(FRAGMENTS));
          else chars.splice(at, 0, String.fromCharCode(Math.floor(rnd() * 0x2fff)));
        }
        sql = chars.join('');
      } else {
        sql = `${pick(seeds)}; ${pick(seeds)}; ${pick(seeds)}`;
      }
      let d = pick(dialects);
      if (mode === 2 && i % 2 === 0) {
        // Batches of corpus rows of one dialect: a destructive (or unknown) row keeps the whole
        // batch at irreversible or worse, wherever it sits in the batch.
        d = pick(dialects);
        const rows = corpus.filter((r) => r.dialect === d);
        const batch = [pick(rows), pick(rows), pick(rows)];
        const b = classifySql(batch.map((r) => r.sql).join('\n;\n'), d);
        if (batch.some((r) => r.expected === 'destructive' || r.expected === 'unknown'))
          assert.ok(rankOf(b.reversibility) >= rankOf('irreversible'), `batch lost its destructive row: ${JSON.stringify(batch.map((r) => r.sql))}`);
      }
      const t = Date.now();
      const c = classifySql(sql, d);
      worst = Math.max(worst, Date.now() - t);
      assert.ok(REVERSIBILITIES.includes(c.reversibility), `bad reversibility for ${JSON.stringify(sql)}`);
      assert.ok(c.effects.length > 0 || c.reversibility === 'read');
    }
    assert.ok(worst < 2000, `slowest statement took ${worst} ms`);
    assert.ok(Date.now() - started < 60_000);
  });
  it('deep nesting is bounded, not a crash', () => {
    for (const d of ['postgres', 'sqlite', 'mysql'] as const) {
      const c = classifySql(`SELECT ${'('.repeat(3000)}1${')'.repeat(3000)}`, d);
      assert.ok(REVERSIBILITIES.includes(c.reversibility));
      const w = classifySql(`DELETE FROM t WHERE ${'NOT '.repeat(2000)}false`, d);
      assert.notEqual(w.reversibility, 'read');
    }
  });
});
