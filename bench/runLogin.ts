/**
 * Per-run PostgreSQL logins for `npm run bench` (section 15): what the kill switch costs and how fast
 * it leaves the database with no session, with and without a login of the run's own.
 *
 *   import { runLoginFigures, runLoginMarkdown } from './runLogin';
 *   runLoginMarkdown(await runLoginFigures(7));
 *
 * Standalone: `node --import tsx bench/runLogin.ts [runs]`.
 * Per run, interleaved so machine noise hits both alike:
 *   owner   a connection with the configured credentials; its session waits on a lock; revoke()
 *           (pg_terminate_backend of its backend from a second session)
 *   run     a per-run login (CREATE ROLE … VALID UNTIL); its Airlock session waits on a lock and a
 *           second session is opened outside Airlock with the same password; revoke() (NOLOGIN,
 *           then pg_terminate_backend of every backend of the login)
 * "gone" is measured by a separate session polling pg_stat_activity every 5 ms from the pull until
 * no session of the connection (owner: its application_name; run: its usename) is left.
 * Also: opening the connection (run: creating the login with its grants, then connecting) and
 * closing it (run: dropping the login).
 */
import pg from 'pg';
import { RunLogin } from '../src/core/policy/runLogin';
import { openConnection, type DbConnection } from '../src/node/db/index';
import { openWithRunLogin } from '../src/node/db/runLogin';
import { findPostgresBin, startPostgres } from '../test/support/postgres';

interface Times {
  open: number[];
  gone: number[];
  close: number[];
}
export type RunLoginFigures = { runs: number; owner: Times; run: Times } | { skipped: string };

const PASSWORD = 'bench-run-login-password-0123456789';

export async function runLoginFigures(runs = 7): Promise<RunLoginFigures> {
  if (!findPostgresBin()) return { skipped: 'no PostgreSQL server binaries' };
  const server = await startPostgres();
  const url = server.createDatabase('bench');
  server.psql("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'x' FROM generate_series(1, 1000) g;", 'bench');
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  const owner: Times = { open: [], gone: [], close: [] };
  const run: Times = { open: [], gone: [], close: [] };
  const count = async (where: string, v: string): Promise<number> => Number((await watcher.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE ${where} = $1`, [v])).rows[0].n);
  const once = async (kind: 'owner' | 'run', i: number): Promise<void> => {
    const t = kind === 'owner' ? owner : run;
    let t0 = performance.now();
    const db: DbConnection =
      kind === 'owner'
        ? await openConnection({ name: 'bench', url })
        : await openWithRunLogin({ name: 'bench', url, readOnly: false }, { runId: `bench-${i}`, access: 'read', config: RunLogin.parse({}), newPassword: () => PASSWORD });
    t.open.push(performance.now() - t0);
    const [where, v] = kind === 'owner' ? ['application_name', 'airlock:bench'] : ['usename', db.login!];
    const outside = kind === 'run' ? new pg.Client({ connectionString: url.replace(/\/\/[^@]+@/, `//${db.login}:${PASSWORD}@`) }) : undefined;
    outside?.on('error', () => undefined);
    await outside?.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
    const reading = db.query('SELECT count(*) FROM t').catch(() => undefined);
    while (Number((await watcher.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE ${where} = $1 AND wait_event_type = 'Lock'`, [v])).rows[0].n) === 0) await new Promise((r) => setTimeout(r, 5));
    t0 = performance.now();
    const revoking = db.revoke('bench');
    while ((await count(where, v)) > 0) await new Promise((r) => setTimeout(r, 5));
    t.gone.push(performance.now() - t0);
    await revoking;
    await reading;
    await locker.query('ROLLBACK');
    await outside?.end().catch(() => undefined);
    t0 = performance.now();
    await db.close();
    t.close.push(performance.now() - t0);
  };
  try {
    for (let i = 0; i < runs; i++) {
      await once(i % 2 ? 'owner' : 'run', i);
      await once(i % 2 ? 'run' : 'owner', i);
    }
  } finally {
    await watcher.end().catch(() => undefined);
    await locker.end().catch(() => undefined);
    await server.stop();
  }
  return { runs, owner, run };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

export function runLoginMarkdown(f: RunLoginFigures): string {
  if ('skipped' in f) return `### Per-run logins\n\nskipped: ${f.skipped}\n`;
  const row = (name: string, t: Times, base?: Times): string => {
    const cell = (k: keyof Times): string => `${median(t[k]).toFixed(1)}${base && median(base[k]) >= 1 ? ` (x${(median(t[k]) / median(base[k])).toFixed(1)})` : ''}`;
    return `| ${name} | ${cell('open')} | ${cell('gone')} | ${cell('close')} |\n`;
  };
  return (
    `### Per-run logins: kill to no session\n\n` +
    `Median of ${f.runs} interleaved runs each, in ms (\`node --import tsx bench/runLogin.ts\`). "gone": from revoke() until a separate session sees no session left in pg_stat_activity ` +
    `(owner: Airlock's one busy session; run login: Airlock's busy session and one opened outside Airlock with the same password).\n\n` +
    `| connection | open | kill → no session | close |\n|---|---|---|---|\n` +
    row('configured credentials', f.owner) +
    row('per-run login (read access)', f.run, f.owner) +
    '\n'
  );
}

if (require.main === module) {
  void runLoginFigures(Number(process.argv[2] ?? 7)).then((f) => process.stdout.write(runLoginMarkdown(f)));
}
