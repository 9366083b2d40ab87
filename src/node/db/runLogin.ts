/**
 * Per-run PostgreSQL logins (policy `databases.<name>.runLogin`, see src/core/policy/runLogin.ts).
 *
 * With the configured (owner/admin) credentials Airlock creates, in one transaction,
 *   CREATE ROLE airlock_run_<run>_<rand> LOGIN PASSWORD '<random>' VALID UNTIL '<now + validForMinutes>'
 * then either joins the configured group role for the run's access level (GRANT <group> TO login)
 * or grants the table privileges that level needs itself (read: SELECT; write: SELECT, INSERT,
 * UPDATE, DELETE, TRIGGER and sequence USAGE), on what the configured login may grant. The
 * agent's statements run as that login (a read-only login is verified read-only at connect, as for
 * any read-only connection). The configured credentials stay in Airlock's process, on one idle
 * session kept for the kill switch and the cleanup.
 *
 * - revoke() (the kill switch): `ALTER ROLE … NOLOGIN`, then `pg_terminate_backend` for every
 *   backend whose usename is the login: sessions opened outside Airlock with the same password die
 *   too, and none can be opened again; then the login is dropped (as at close: an agent may end
 *   its MCP server with SIGKILL, and then there is no close).
 * - close() (the run ends): NOLOGIN, terminate, `REASSIGN OWNED BY` the login to the configured
 *   one (what the run created is kept), `DROP OWNED BY` (its grants), `DROP ROLE`.
 * - Logins left behind by a crashed run expire (VALID UNTIL) and are dropped by the next run that
 *   opens the same database with a per-run login.
 *
 * Architecture Invariants:
 * - The password never leaves this module: not in an error, a result, a log line or the ledger (the
 *   ledger records the login's role name only).
 * - Any failure while creating the login rolls it back and fails with the reason; no fallback here
 *   (the caller decides, from the policy's fallbackToOwner).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { RunAccess, RunLogin } from '../../core/policy/runLogin';
import { DbError, parseDbUrl, qi, ql, scrub, toDbError } from './common';
import type { BeforeImage, DbConnection, DbSpec, DryRunReport, ExecuteResult, QueryResult } from './types';

export const RUN_LOGIN_PREFIX = 'airlock_run_';

export interface RunLoginOptions {
  /** The run the login is for (its name carries a sanitized prefix of it). */
  runId: string;
  access: RunAccess;
  config: RunLogin;
  log?: (line: string) => void;
  /** The password generator (default: 32 random bytes, hex). Tests pass their own to play the leaked-password attacker. */
  newPassword?: () => string;
}

/** A role name for the run: airlock_run_<sanitized run id>_<random>, at most 63 characters. */
export function runLoginName(runId: string): string {
  const base = runId.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 36) || 'run';
  return `${RUN_LOGIN_PREFIX}${base}_${randomBytes(4).toString('hex')}`;
}

function withLogin(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  u.searchParams.delete('user');
  u.searchParams.delete('password');
  return u.toString();
}

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

/**
 * The privileges of an access level, granted by the configured login on whatever it may grant
 * (owned, or held WITH GRANT OPTION) in the non-system schemas: read is SELECT on tables and views;
 * write adds INSERT, UPDATE, DELETE, TRIGGER on tables (TRIGGER lets a dry run sample rows) and USAGE
 * on sequences. Never more than the configured login has.
 */
async function grantDirect(admin: pg.Client, role: string, access: RunAccess): Promise<void> {
  const names = async (sql: string, priv: string): Promise<string> =>
    ((await admin.query(sql, [priv])).rows as { x: string }[]).map((r) => r.x).join(', ');
  const schemas = await names(`SELECT quote_ident(n.nspname) AS x FROM pg_namespace n WHERE ${USER_NS} AND has_schema_privilege(n.oid, $1) ORDER BY 1`, 'USAGE WITH GRANT OPTION');
  if (schemas) await admin.query(`GRANT USAGE ON SCHEMA ${schemas} TO ${qi(role)}`);
  const privileges = access === 'read' ? ['SELECT'] : ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRIGGER'];
  for (const p of privileges) {
    const kinds = p === 'SELECT' ? `'r', 'p', 'v', 'm', 'f'` : `'r', 'p'`;
    const tables = await names(`SELECT format('%I.%I', n.nspname, c.relname) AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN (${kinds}) AND ${USER_NS} AND has_table_privilege(c.oid, $1) ORDER BY 1`, `${p} WITH GRANT OPTION`);
    if (tables) await admin.query(`GRANT ${p} ON TABLE ${tables} TO ${qi(role)}`);
  }
  if (access === 'write') {
    const seqs = await names(`SELECT format('%I.%I', n.nspname, c.relname) AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND ${USER_NS} AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(c.oid, $1) ELSE false END ORDER BY 1`, 'USAGE WITH GRANT OPTION');
    if (seqs) await admin.query(`GRANT USAGE ON SEQUENCE ${seqs} TO ${qi(role)}`);
  }
}

/** Open `spec` through a login created for this run. Throws a DbError (without secrets) when it cannot. */
export async function openWithRunLogin(spec: DbSpec, o: RunLoginOptions): Promise<DbConnection> {
  const parsed = parseDbUrl(spec.url);
  if (parsed.dialect !== 'postgres') throw new DbError('unsupported', `connection ${spec.name}: per-run logins exist for PostgreSQL only (this is ${parsed.dialect})`);
  const admin = new pg.Client({ connectionString: spec.url, application_name: `airlock-admin:${spec.name}`.slice(0, 63), connectionTimeoutMillis: 10_000 });
  const password = (o.newPassword ?? (() => randomBytes(32).toString('hex')))();
  if (!/^[\x21-\x7e]{16,200}$/.test(password) || password.includes("'")) throw new DbError('unsupported', 'a per-run login password is 16-200 printable characters without quotes');
  const secrets = [...parsed.secrets, password];
  const fail = (e: unknown, what: string): DbError => {
    const d = toDbError(e, secrets, 'connection');
    return new DbError('run_login', `connection ${spec.name}: could not ${what} its per-run login: ${d.message}`, d.dbCode);
  };
  admin.on('error', () => undefined);
  try {
    await admin.connect();
  } catch (e) {
    await admin.end().catch(() => undefined);
    throw fail(e, 'connect to create');
  }
  await sweepExpired(admin, o.log);
  const role = runLoginName(o.runId);
  const until = new Date(Date.now() + o.config.validForMinutes * 60_000).toISOString();
  const group = o.config.grantRoles?.[o.access];
  try {
    await admin.query('BEGIN');
    await admin.query(`CREATE ROLE ${qi(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD ${ql(password)} VALID UNTIL ${ql(until)}`);
    const db = (await admin.query('SELECT current_database() AS d')).rows[0].d as string;
    await admin.query(`GRANT CONNECT ON DATABASE ${qi(db)} TO ${qi(role)}`);
    // A configured login that is not a superuser (CREATEROLE) needs membership in the run's login to
    // terminate its sessions and to reassign what it owns at the end.
    if (!(await admin.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0]?.rolsuper) await admin.query(`GRANT ${qi(role)} TO CURRENT_USER`);
    if (group) {
      await admin.query(`GRANT ${qi(group)} TO ${qi(role)}`);
    } else {
      await grantDirect(admin, role, o.access);
    }
    await admin.query('COMMIT');
  } catch (e) {
    await admin.query('ROLLBACK').catch(() => undefined);
    await admin.end().catch(() => undefined);
    throw fail(e, 'create');
  }
  let inner: DbConnection;
  try {
    const { openPostgres } = await import('./postgres');
    const url = withLogin(spec.url, role, password);
    inner = await openPostgres({ name: spec.name, url, readOnly: o.access === 'read', adminUrl: spec.url }, parseDbUrl(url));
  } catch (e) {
    await dropLogin(admin, role).catch(() => undefined);
    await admin.end().catch(() => undefined);
    const d = toDbError(e, secrets, e instanceof DbError ? e.code : 'connection');
    throw new DbError(d.code, `connection ${spec.name}: its per-run login ${role} was created but cannot be used: ${d.message}`, d.dbCode);
  }
  o.log?.(`database ${spec.name}: the run uses its own login ${role} (${o.access}${group ? ` via ${group}` : ''}, valid until ${until})`);
  return new RunLoginConnection(inner, admin, spec.url, role, secrets, o.log);
}

/** Drop logins of earlier runs whose VALID UNTIL has passed (a run that crashed before it could drop its own). */
async function sweepExpired(admin: pg.Client, log?: (l: string) => void): Promise<void> {
  try {
    const r = await admin.query(`SELECT rolname FROM pg_roles WHERE rolname LIKE 'airlock\\_run\\_%' AND rolvaliduntil < now() AND NOT rolsuper`);
    for (const { rolname } of r.rows as { rolname: string }[]) {
      await dropLogin(admin, rolname).then(
        () => log?.(`database: dropped the expired per-run login ${rolname}`),
        () => undefined,
      );
    }
  } catch {
    // best effort: the login has expired anyway
  }
}

/** Terminate every session of `role`; how many there were. */
async function terminateAll(admin: pg.Client, role: string): Promise<number> {
  const r = await admin.query('SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()', [role]);
  return Number(r.rows[0]?.n ?? 0);
}

/** NOLOGIN, terminate its sessions, keep what it owns (reassigned), drop its grants and the role. */
async function dropLogin(admin: pg.Client, role: string): Promise<void> {
  await admin.query(`ALTER ROLE ${qi(role)} NOLOGIN`).catch(() => undefined);
  await terminateAll(admin, role).catch(() => 0);
  await admin.query(`REASSIGN OWNED BY ${qi(role)} TO CURRENT_USER`).catch(() => undefined);
  await admin.query(`DROP OWNED BY ${qi(role)}`);
  await admin.query(`DROP ROLE ${qi(role)}`);
}

class RunLoginConnection implements DbConnection {
  readonly name: string;
  readonly dialect = 'postgres' as const;
  readonly readOnly: boolean;
  private ended = false;
  private revoked: Promise<string> | undefined;
  private dropped = false;

  constructor(
    private readonly inner: DbConnection,
    private admin: pg.Client,
    private readonly adminUrl: string,
    readonly login: string,
    private readonly secrets: string[],
    private readonly log?: (l: string) => void,
  ) {
    this.name = inner.name;
    this.readOnly = inner.readOnly;
  }

  /** The configured session, opened again when it was lost (an idle timeout, a restart). */
  private async withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    try {
      return await fn(this.admin);
    } catch (e) {
      if (typeof (e as { code?: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((e as { code: string }).code)) throw e;
      await this.admin.end().catch(() => undefined);
      this.admin = new pg.Client({ connectionString: this.adminUrl, application_name: `airlock-admin:${this.name}`.slice(0, 63), connectionTimeoutMillis: 5000 });
      this.admin.on('error', () => undefined);
      await this.admin.connect();
      return fn(this.admin);
    }
  }

  query(sql: string, params?: unknown[], opts?: { rowCap?: number }): Promise<QueryResult> {
    return this.inner.query(sql, params, opts);
  }
  dryRun(sql: string, params?: unknown[], opts?: { sampleRows?: number }): Promise<DryRunReport> {
    return this.inner.dryRun(sql, params, opts);
  }
  execute(sql: string, params?: unknown[], opts?: { beforeImageLimit?: number }): Promise<ExecuteResult> {
    return this.inner.execute(sql, params, opts);
  }
  restore(image: BeforeImage | BeforeImage[]): Promise<{ rowsRestored: number }> {
    return this.inner.restore(image);
  }

  /** Disable the login, then terminate every session it has (Airlock's and any other), then close ours. */
  revoke(reason: string): Promise<string> {
    this.revoked ??= (async () => {
      const parts: string[] = [];
      try {
        const n = await this.withAdmin(async (a) => {
          await a.query(`ALTER ROLE ${qi(this.login)} NOLOGIN`);
          return terminateAll(a, this.login);
        });
        parts.push(`login ${this.login} disabled (NOLOGIN)`);
        parts.push(`${n} session(s) of it terminated`);
      } catch (e) {
        parts.push(`could not disable login ${this.login}: ${scrub(e instanceof Error ? e.message : String(e), this.secrets)}`);
      }
      const own = await this.inner.revoke(reason).catch((e: unknown) => `${this.name}: ${scrub(e instanceof Error ? e.message : String(e), this.secrets)}`);
      // The run cannot use it again: drop it now rather than at close (an agent may end its MCP
      // server with SIGKILL, and then there is no close).
      try {
        await this.withAdmin((a) => dropLogin(a, this.login));
        this.dropped = true;
        parts.push('then dropped');
      } catch (e) {
        parts.push(`not dropped yet (${scrub(e instanceof Error ? e.message : String(e), this.secrets)}); it expires at its VALID UNTIL`);
      }
      return `${own}; ${parts.join(', ')}`;
    })();
    return this.revoked;
  }

  /** The run ends: close ours, then drop the login (after terminating whatever else still uses it). */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.inner.close();
    await this.revoked;
    try {
      if (this.dropped) return;
      await this.withAdmin((a) => dropLogin(a, this.login));
      this.log?.(`database ${this.name}: per-run login ${this.login} dropped`);
    } catch (e) {
      this.log?.(`database ${this.name}: could not drop the per-run login ${this.login} (it expires at its VALID UNTIL): ${scrub(e instanceof Error ? e.message : String(e), this.secrets)}`);
    } finally {
      await this.admin.end().catch(() => undefined);
    }
  }
}
