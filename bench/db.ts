/**
 * Database figures for `npm run bench`: the cost of Airlock's dry run (and of execute() with a
 * before-image) for a write touching 10,000 rows, next to the same write sent straight to the
 * driver. SQLite always; PostgreSQL when Debian's server can be started here.
 *
 *   import { dbFigures, dbMarkdown } from './db';
 *   const d = await dbFigures(15);      // runs per variant, interleaved
 *   markdown += dbMarkdown(d);
 *
 * Standalone: `node --import tsx bench/db.ts [runs]`.
 * Variants per run, interleaved so machine noise hits them alike:
 *   direct   the driver runs `UPDATE … WHERE id <= 10000` (SQLite: autocommit; PostgreSQL: autocommit)
 *   dryRun   Airlock's dryRun() of the same statement (capture triggers, samples, rollback)
 *   execute  Airlock's execute() of the same statement (capture, 10,000-row before-image, commit)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openConnection, type DbConnection } from '../src/node/db/index';
import { findPostgresBin, startPostgres } from '../test/support/postgres';

export const DB_BENCH_ROWS = 20_000;
export const DB_BENCH_TOUCHED = 10_000;
const WRITE = `UPDATE t SET qty = qty + 1, note = 'touched' WHERE id <= ${DB_BENCH_TOUCHED}`;

export interface DbVariantTimes {
  direct: number[];
  dryRun: number[];
  execute: number[];
  /** Rows the dry run reported (must be DB_BENCH_TOUCHED). */
  reported: number;
}

export interface DbFigures {
  runs: number;
  sqlite: DbVariantTimes;
  postgres: DbVariantTimes | { skipped: string };
}

async function measure(runs: number, direct: () => Promise<void>, db: DbConnection): Promise<DbVariantTimes> {
  const out: DbVariantTimes = { direct: [], dryRun: [], execute: [], reported: 0 };
  const time = async (f: () => Promise<unknown>): Promise<number> => {
    const t0 = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  // One warm-up of each (plan caches, plpgsql compilation, page cache).
  await direct();
  out.reported = (await db.dryRun(WRITE)).rowsAffected;
  await db.execute(WRITE);
  for (let i = 0; i < runs; i++) {
    out.direct.push(await time(direct));
    out.dryRun.push(await time(() => db.dryRun(WRITE)));
    out.execute.push(await time(() => db.execute(WRITE)));
  }
  return out;
}

async function sqliteFigures(runs: number): Promise<DbVariantTimes> {
  const Sqlite = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;
  const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-db-'));
  const path = join(dir, 'bench.db');
  const raw = new Sqlite(path);
  raw.pragma('journal_mode = WAL');
  raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, note TEXT)');
  const ins = raw.prepare("INSERT INTO t (id, name, qty, note) VALUES (?, 'item ' || ?, ?, NULL)");
  raw.transaction(() => {
    for (let i = 1; i <= DB_BENCH_ROWS; i++) ins.run(i, i, i % 10);
  })();
  const upd = raw.prepare(WRITE);
  const db = await openConnection({ name: 'bench', url: `sqlite://${path}` });
  try {
    return await measure(runs, async () => void upd.run(), db);
  } finally {
    await db.close();
    raw.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresFigures(runs: number): Promise<DbVariantTimes | { skipped: string }> {
  if (!findPostgresBin()) return { skipped: 'PostgreSQL server binaries not installed' };
  let server;
  try {
    server = await startPostgres();
  } catch (e) {
    return { skipped: `PostgreSQL server did not start: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  const raw = new pg.Client({ connectionString: server.url });
  let db: DbConnection | undefined;
  try {
    await raw.connect();
    await raw.query('CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, qty int, note text)');
    await raw.query(`INSERT INTO t SELECT i, 'item ' || i, i % 10, NULL FROM generate_series(1, ${DB_BENCH_ROWS}) i`);
    await raw.query('VACUUM ANALYZE t');
    db = await openConnection({ name: 'bench', url: server.url });
    return await measure(runs, async () => void (await raw.query(WRITE)), db);
  } finally {
    await db?.close();
    await raw.end().catch(() => undefined);
    await server.stop();
  }
}

export async function dbFigures(runs = 15): Promise<DbFigures> {
  const sqlite = await sqliteFigures(runs);
  const postgres = await postgresFigures(runs);
  return { runs, sqlite, postgres };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

export function dbMarkdown(f: DbFigures): string {
  const row = (name: string, v: DbVariantTimes | { skipped: string }): string => {
    if ('skipped' in v) return `| ${name} | ${v.skipped} | | | |\n`;
    const d = median(v.direct);
    const r = median(v.dryRun);
    const e = median(v.execute);
    return `| ${name} | ${d.toFixed(1)} | ${r.toFixed(1)} (x${(r / d).toFixed(1)}) | ${e.toFixed(1)} (x${(e / d).toFixed(1)}) | ${v.reported} |\n`;
  };
  return (
    `## Database dry runs and before-images\n\n` +
    `A write touching ${DB_BENCH_TOUCHED.toLocaleString('en')} of ${DB_BENCH_ROWS.toLocaleString('en')} rows (\`${WRITE}\`), median of ${f.runs} interleaved runs, in ms.\n` +
    `"direct" is the driver running the statement; "dry run" is Airlock's dryRun() (capture triggers, samples, rollback); ` +
    `"execute" is Airlock's execute() with a ${DB_BENCH_TOUCHED.toLocaleString('en')}-row before-image.\n\n` +
    `| database | direct | dry run | execute + before-image | rows reported by the dry run |\n|---|---|---|---|---|\n` +
    row('SQLite (better-sqlite3)', f.sqlite) +
    row('PostgreSQL (pg, local server)', f.postgres) +
    '\n'
  );
}

if (require.main === module) {
  dbFigures(Number(process.argv[2] ?? 15))
    .then((f) => process.stdout.write(dbMarkdown(f)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
