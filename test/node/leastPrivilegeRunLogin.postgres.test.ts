/**
 * Per-run PostgreSQL logins against a real server (a throw-away cluster):
 * - the run's statements go through a login created for it (VALID UNTIL, only the scoped privileges):
 *   a write from a read-access login is refused by PostgreSQL itself, not only by Airlock;
 * - the kill switch disables the login and terminates every session it has, including one opened
 *   outside Airlock with the same (leaked) password, which then cannot log in again;
 * - closing the run drops the login; a crashed run's expired login is swept by the next run;
 * - a login that cannot be created fails closed with the reason (the configured credentials are
 *   used only when the policy says fallbackToOwner);
 * - through the built `airlock mcp`: the ledger records the login's name, never its password, and
 *   the kill switch leaves no session of it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pgClient from 'pg';
import { RunLogin } from '../../src/core/policy/runLogin';
import { latchKill } from '../../src/node/bridge/discovery';
import { DbError } from '../../src/node/db/index';
import { openWithRunLogin } from '../../src/node/db/runLogin';
import type { DbConnection } from '../../src/node/db/types';
import { openDatabases } from '../../src/node/mcp/databases';
import { tempDir } from '../support/gateway';
import { cleanEnv, connectAirlock, envelopeOf, ledgerSteps } from '../support/mcp';
import { findPostgresBin, startPostgres, type RunningPostgres } from '../support/postgres';

const skip = findPostgresBin() ? false : 'PostgreSQL server binaries not installed (apt-get install -y postgresql)';

const LEAKED = 'leaked-password-0123456789abcdef';
const cfg = (o: Partial<RunLogin> = {}): RunLogin => RunLogin.parse(o);

describe('per-run PostgreSQL logins on a real server', { skip }, () => {
  let pg: RunningPostgres;
  let url: string;
  const loginUrl = (role: string, pw = LEAKED): string => url.replace(/\/\/[^@]+@/, `//${role}:${pw}@`);
  const roles = (): string[] => pg.psql("SELECT rolname FROM pg_roles WHERE rolname LIKE 'airlock\\_run\\_%' ORDER BY 1").trim().split('\n').filter(Boolean);
  const sessionsOf = (role: string): number => Number(pg.psql(`SELECT count(*) FROM pg_stat_activity WHERE usename = '${role}'`).trim());

  before(async () => {
    pg = await startPostgres();
    url = pg.createDatabase('shop');
    pg.psql("CREATE TABLE t (id serial PRIMARY KEY, name text NOT NULL); INSERT INTO t (name) VALUES ('apple'), ('pear'), ('plum');", 'shop');
  });
  after(async () => {
    await pg?.stop();
  });

  it('a read-access run gets a login of its own with SELECT only; PostgreSQL refuses its writes', async () => {
    const db = await openWithRunLogin({ name: 'shop', url, readOnly: false }, { runId: 'mcp-123-abc', access: 'read', config: cfg({ validForMinutes: 30 }), newPassword: () => LEAKED });
    try {
      const role = db.login!;
      assert.match(role, /^airlock_run_mcp_123_abc_[0-9a-f]{8}$/);
      const [super_, canLogin, validSecs] = pg.psql(`SELECT rolsuper, rolcanlogin, round(extract(epoch FROM rolvaliduntil - now())) FROM pg_roles WHERE rolname = '${role}'`).trim().split('|');
      assert.equal(super_, 'f');
      assert.equal(canLogin, 't');
      assert.ok(Number(validSecs) > 29 * 60 && Number(validSecs) <= 30 * 60, `VALID UNTIL in ${validSecs} s`);
      const who = await db.query('SELECT current_user AS u, count(*) AS n FROM t');
      assert.equal(who.rows[0]!.u, role);
      assert.equal(Number(who.rows[0]!.n), 3);
      assert.equal(db.readOnly, true);
      // Outside Airlock, with the password and without read-only transactions: the database itself refuses.
      const raw = new pgClient.Client({ connectionString: loginUrl(role) });
      await raw.connect();
      try {
        await assert.rejects(raw.query("UPDATE t SET name = 'x' WHERE id = 1"), (e: unknown) => (e as { code?: string }).code === '42501');
        await assert.rejects(raw.query("INSERT INTO t (name) VALUES ('x')"), (e: unknown) => (e as { code?: string }).code === '42501');
        await assert.rejects(raw.query('CREATE TABLE evil (x int)'), (e: unknown) => (e as { code?: string }).code === '42501');
      } finally {
        await raw.end();
      }
      assert.equal(pg.psql('SELECT name FROM t WHERE id = 1', 'shop').trim(), 'apple');
    } finally {
      await db.close();
    }
    assert.deepEqual(roles(), [], 'the login is dropped when the run closes');
  });

  it('a write-access run can write through its login (with before-images), and joins a configured group role instead when given', async () => {
    const db = await openWithRunLogin({ name: 'shop', url, readOnly: false }, { runId: 'w', access: 'write', config: cfg() });
    try {
      // A dry run samples rows (TRIGGER is granted); the committed write has no before-image, since
      // only the table's owner can remove the capture trigger again (and says so).
      const dry = await db.dryRun("UPDATE t SET name = 'APPLE' WHERE id = 1");
      assert.deepEqual(dry.tables.map((t) => [t.table, t.rowsAffected, t.before.length]), [['public.t', 1, 1]]);
      const r = await db.execute("UPDATE t SET name = 'APPLE' WHERE id = 1");
      assert.equal(r.rowsAffected, 1);
      assert.equal(r.beforeImages, undefined);
      assert.match(r.beforeImageNote ?? '', /does not own public\.t/);
      assert.equal(pg.psql('SELECT name FROM t WHERE id = 1', 'shop').trim(), 'APPLE');
      await db.execute("UPDATE t SET name = 'apple' WHERE id = 1");
      await assert.rejects(db.execute('TRUNCATE t'), (e: unknown) => (e as DbError).dbCode === '42501');
    } finally {
      await db.close();
    }
    pg.psql('CREATE ROLE shop_reader NOLOGIN', 'shop');
    pg.psql('GRANT USAGE ON SCHEMA public TO shop_reader; GRANT SELECT ON t TO shop_reader', 'shop');
    const viaGroup = await openWithRunLogin({ name: 'shop', url, readOnly: true }, { runId: 'g', access: 'read', config: cfg({ grantRoles: { read: 'shop_reader' } }) });
    try {
        assert.equal(pg.psql(`SELECT pg_has_role('${viaGroup.login}', 'shop_reader', 'MEMBER')`).trim(), 't');
      assert.equal((await viaGroup.query('SELECT count(*) AS n FROM t')).rows[0]!.n, 3);
    } finally {
      await viaGroup.close();
    }
    // A group that can write is refused for a read-access run (verified at connect), and nothing is left behind.
    pg.psql('CREATE ROLE shop_writer NOLOGIN; GRANT USAGE ON SCHEMA public TO shop_writer; GRANT SELECT, UPDATE ON t TO shop_writer', 'shop');
    await assert.rejects(openWithRunLogin({ name: 'shop', url, readOnly: true }, { runId: 'g2', access: 'read', config: cfg({ grantRoles: { read: 'shop_writer' } }) }), /per-run login airlock_run_g2_\w+ was created but cannot be used: .*can write public\.t/);
    assert.deepEqual(roles(), []);
  });

  it('the kill switch disables the login and ends every session of it, Airlock\'s and one opened with the leaked password', async () => {
    const db: DbConnection = await openWithRunLogin({ name: 'shop', url, readOnly: false }, { runId: 'kill', access: 'read', config: cfg(), newPassword: () => LEAKED });
    const role = db.login!;
    const outside = new pgClient.Client({ connectionString: loginUrl(role) });
    outside.on('error', () => undefined);
    await outside.connect();
    // Airlock's session is busy with a long read (waits on a lock an admin holds); the outside one idles.
    const locker = new pgClient.Client({ connectionString: url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
    const running = db.query('SELECT count(*) FROM t').then(
      () => 'finished',
      (e: unknown) => `failed: ${(e as Error).message}`,
    );
    const until = Date.now() + 10_000;
    while (Number(pg.psql(`SELECT count(*) FROM pg_stat_activity WHERE usename = '${role}' AND wait_event_type = 'Lock'`).trim()) === 0) {
      assert.ok(Date.now() < until, 'the long read never started');
      await new Promise((r) => setTimeout(r, 30));
    }
    assert.equal(sessionsOf(role), 2);
    const t0 = performance.now();
    const report = await db.revoke('test: pulled');
    const revokedMs = performance.now() - t0;
    let goneMs = revokedMs;
    while (sessionsOf(role) > 0) {
      assert.ok(performance.now() - t0 < 5000, 'a session outlived the kill switch by 5 s');
      await new Promise((r) => setTimeout(r, 10));
      goneMs = performance.now() - t0;
    }
    console.log(`# per-run login: revoke() returned after ${revokedMs.toFixed(1)} ms, every session of the login gone after ${goneMs.toFixed(1)} ms`);
    assert.match(report, new RegExp(`login ${role} disabled \\(NOLOGIN\\), 2 session\\(s\\) of it terminated, then dropped`));
    assert.doesNotMatch(report, new RegExp(LEAKED));
    assert.match(await running, /^failed: /);
    await assert.rejects(outside.query('SELECT 1'), 'the outside session is gone');
    await outside.end().catch(() => undefined);
    const again = new pgClient.Client({ connectionString: loginUrl(role) });
    await assert.rejects(again.connect(), /not permitted to log in|password authentication failed/);
    await again.end().catch(() => undefined);
    await assert.rejects(db.query('SELECT 1'), /revoked|closed/);
    await locker.query('ROLLBACK');
    await locker.end();
    assert.match(report, /then dropped/);
    assert.deepEqual(roles(), [], 'the kill switch drops the login once its sessions are gone');
    await db.close();
    assert.deepEqual(roles(), []);
  });

  it('a crashed run\'s expired login is swept by the next run; objects the run created are kept (reassigned) when its login is dropped', async () => {
    pg.psql(`CREATE ROLE airlock_run_crashed_0000 LOGIN PASSWORD '${LEAKED}' VALID UNTIL '2000-01-01'`);
    pg.psql('GRANT CREATE ON SCHEMA public TO PUBLIC', 'shop');
    const db = await openWithRunLogin({ name: 'shop', url, readOnly: false }, { runId: 'keeps', access: 'write', config: cfg() });
    try {
      assert.deepEqual(roles(), [db.login!]);
      await db.execute('CREATE TABLE made_by_run (x int)');
    } finally {
      await db.close();
      pg.psql('REVOKE CREATE ON SCHEMA public FROM PUBLIC', 'shop');
    }
    assert.deepEqual(roles(), []);
    assert.equal(pg.psql("SELECT tableowner FROM pg_tables WHERE tablename = 'made_by_run'", 'shop').trim(), pg.user);
  });

  it('a login that cannot be created fails closed with the reason; the configured credentials are used only with fallbackToOwner', async () => {
    // The configured login may read but not create roles.
    const weak = pg.readOnlyUrl('shop');
    const spec = { name: 'shop', url: weak, readOnly: true };
    await assert.rejects(openDatabases([spec], { scopes: { shop: { freeForm: true, queries: {}, runLogin: cfg() } }, runId: 'r' }), (e: unknown) => {
      assert.match((e as Error).message, /^cannot open database connection: connection shop: could not create its per-run login: permission denied to create role/);
      assert.doesNotMatch((e as Error).message, new RegExp(pg.password));
      return true;
    });
    const lines: string[] = [];
    const dbs = await openDatabases([spec], { scopes: { shop: { freeForm: true, queries: {}, runLogin: cfg({ fallbackToOwner: true }) } }, runId: 'r', log: (l) => lines.push(l) });
    try {
      assert.equal(dbs.get('shop')!.login, undefined);
      assert.match(lines.join('\n'), /could not create its per-run login.*the policy allows the fallback/);
    } finally {
      for (const c of dbs.values()) await c.close();
    }
    await assert.rejects(openWithRunLogin({ name: 'f', url: 'sqlite:///tmp/x.db', readOnly: false }, { runId: 'r', access: 'read', config: cfg() }), (e: unknown) => e instanceof DbError && /PostgreSQL only/.test(e.message));
    assert.deepEqual(roles(), []);
  });

  it('a configured login with CREATEROLE (not a superuser) can create, revoke and drop run logins', async () => {
    pg.psql(`CREATE ROLE shop_owner LOGIN CREATEROLE PASSWORD '${pg.password}'; ALTER DATABASE shop OWNER TO shop_owner`);
    pg.psql('ALTER TABLE t OWNER TO shop_owner; ALTER SEQUENCE t_id_seq OWNER TO shop_owner', 'shop');
    const ownerUrl = url.replace(/\/\/[^:]+:/, '//shop_owner:');
    const db = await openWithRunLogin({ name: 'shop', url: ownerUrl, readOnly: false }, { runId: 'owner', access: 'read', config: cfg(), newPassword: () => LEAKED });
    const outside = new pgClient.Client({ connectionString: loginUrl(db.login!) });
    outside.on('error', () => undefined);
    await outside.connect();
    assert.equal(Number((await db.query('SELECT count(*) AS n FROM t')).rows[0]!.n), 3);
    assert.match(await db.revoke('test'), /2 session\(s\) of it terminated/);
    assert.equal(sessionsOf(db.login!), 0);
    await outside.end().catch(() => undefined);
    await db.close();
    assert.deepEqual(roles(), []);
  });

  describe('through the built airlock mcp', () => {
    const dir = tempDir('airlock-runlogin-');
    const ws = join(dir, 'ws');
    const airlockHome = join(dir, 'airlock');

    it('the agent\'s queries run as the run\'s login, the ledger names it (never its password), the kill switch ends its sessions, and the role is dropped when the run ends', async () => {
      mkdirSync(ws, { recursive: true });
      mkdirSync(airlockHome, { recursive: true, mode: 0o700 });
      writeFileSync(join(airlockHome, 'policy.json'), JSON.stringify({ version: 1, databases: { shop: { runLogin: { access: 'read', validForMinutes: 60 } } } }));
      const s = await connectAirlock(['--workspace', ws, '--gate', 'local', '--ask-timeout-ms', '1200', '--db', `shop=${url}`], cleanEnv(join(dir, 'home'), airlockHome));
      let closed = false;
      try {
        const q = envelopeOf(await s.client.callTool({ name: 'db_query', arguments: { connection: 'shop', sql: 'SELECT usename AS u FROM pg_stat_activity WHERE pid = pg_backend_pid()' } }));
        assert.equal(q.ok, true, JSON.stringify(q));
        const login = (q.data as { rows: { u: string }[] }).rows[0]!.u;
        assert.match(login, /^airlock_run_mcp_\d+_\w+_[0-9a-f]{8}$/);
        assert.deepEqual(roles(), [login]);
        // Judged allowed as SQL would not matter: the connection is read-only for this run.
        const w = envelopeOf(await s.client.callTool({ name: 'db_execute', arguments: { connection: 'shop', sql: "UPDATE t SET name = 'x' WHERE id = 1" } }));
        assert.equal(w.ok, false);
        const steps = ledgerSteps(join(airlockHome, 'ledger.sqlite')).filter((st) => st.tool === 'db_query');
        assert.ok(steps.length >= 1);
        for (const st of steps) assert.equal((JSON.parse(st.action_json!) as { login?: string }).login, login);
        const files = readdirSync(airlockHome).filter((f) => statSync(join(airlockHome, f)).isFile());
        // No statement that carries a password (CREATE/ALTER ROLE … PASSWORD) reaches Airlock's files.
        for (const f of files) assert.equal(/PASSWORD/i.test(readFileSync(join(airlockHome, f), 'latin1')), false, f);
        assert.equal(sessionsOf(login), 1);
        latchKill('test: pulled', airlockHome);
        const t0 = Date.now();
        while (sessionsOf(login) > 0) {
          assert.ok(Date.now() - t0 < 5000, 'the run login\'s session outlived the kill switch');
          await new Promise((r) => setTimeout(r, 20));
        }
        // Disabled, then dropped by the kill switch itself.
        assert.ok(['f', ''].includes(pg.psql(`SELECT rolcanlogin FROM pg_roles WHERE rolname = '${login}'`).trim()));
        const next = envelopeOf(await s.client.callTool({ name: 'db_query', arguments: { connection: 'shop', sql: 'SELECT 1' } }));
        assert.equal(next.ok, false);
        await s.close();
        closed = true;
        const t1 = Date.now();
        while (roles().length > 0) {
          assert.ok(Date.now() - t1 < 10_000, `the login was not dropped when the run ended: ${s.stderr()}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.doesNotMatch(s.stderr(), new RegExp(pg.password));
      } finally {
        if (!closed) await s.close();
      }
    });
  });
});
