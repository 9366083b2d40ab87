/**
 * A throwaway PostgreSQL server for tests: Debian's `postgresql` package (initdb + pg_ctl), a data
 * directory and a unix socket directory in a temp dir, TCP on a free loopback port, password
 * authentication over TCP. As root, the server runs as the `postgres` OS user (PostgreSQL refuses
 * to run as root).
 *
 *   const pgs = await startPostgres();          // throws PostgresUnavailable if not installed
 *   ... pgs.url (postgres://airlock:<password>@127.0.0.1:<port>/postgres) ...
 *   await pgs.stop();
 *
 * CI installs the server with `apt-get install -y postgresql` (binaries in /usr/lib/postgresql/<v>/bin).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** The directory holding initdb/pg_ctl/postgres (newest installed major), or undefined. */
export function findPostgresBin(): string | undefined {
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
  const bin = findPostgresBin();
  if (!bin) throw new PostgresUnavailable('PostgreSQL server binaries not found (install Debian\'s package: apt-get install -y postgresql)');
  const root = process.getuid?.() === 0;
  let uid: number | undefined;
  let gid: number | undefined;
  if (root) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) throw new PostgresUnavailable('running as root and there is no `postgres` OS user to run the server as');
    uid = Number(id.stdout.trim());
    gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  }
  const dir = mkdtempSync(join(tmpdir(), 'airlock-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  const log = join(dir, 'server.log');
  const pwfile = join(dir, 'pw');
  const user = 'airlock';
  const password = randomBytes(12).toString('hex');
  writeFileSync(pwfile, password + '\n');
  execFileSync('mkdir', ['-p', sock]);
  if (root) {
    for (const p of [dir, sock, pwfile]) chownSync(p, uid!, gid!);
    chmodSync(dir, 0o700);
  }
  const asServer = (cmd: string, args: string[]): string => {
    const full = root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] as const : [cmd, args] as const;
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
  const psql = (sql: string, db = 'postgres'): string =>
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', sock, '-p', String(port), '-U', user, '-d', db, '-At', '-c', sql], { encoding: 'utf8', timeout: 60_000 });
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
