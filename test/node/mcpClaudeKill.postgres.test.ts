/**
 * The kill switch pulled on a real agent: Claude Code (scripted model, temp HOME) runs a database
 * query through Airlock's MCP server (`--mcp-config`, no hooks) on a real PostgreSQL server, with a
 * per-run login (policy databases.shop.runLogin). The query waits on a lock; the test pulls the kill
 * switch while it runs. Then: every session of the run's login is gone, the login cannot log in,
 * the model receives the failed envelope for the interrupted query, the agent's next query is
 * refused, and when Claude Code ends (and with it the MCP server) the login is dropped.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pgClient from 'pg';
import { latchKill } from '../../src/node/bridge/discovery';
import { CLI_JS, runClaude, type ClaudeRunOutcome } from '../support/claudeRun';
import { tempDir } from '../support/gateway';
import { ledgerSteps } from '../support/mcp';
import { findPostgresBin, startPostgres, type RunningPostgres } from '../support/postgres';
import { ScriptedModel } from '../support/scriptedModel';

const skip = findPostgresBin() ? false : 'PostgreSQL server binaries not installed (apt-get install -y postgresql)';

describe('Claude Code through Airlock MCP on PostgreSQL: the kill switch ends its query and its login', { skip }, () => {
  const root = tempDir('airlock-mcp-claude-kill-');
  const home = join(root, 'home');
  const proj = join(root, 'proj');
  const airlockHome = join(root, 'airlock');
  let pg: RunningPostgres;
  let run: ClaudeRunOutcome;
  let model: ScriptedModel;
  let login = '';
  let goneMs = -1;
  let locker: pgClient.Client;
  let watcher: pgClient.Client;
  const runRoles = (): string[] => pg.psql("SELECT rolname FROM pg_roles WHERE rolname LIKE 'airlock\\_run\\_%'").trim().split('\n').filter(Boolean);

  before(async () => {
    for (const d of [home, proj, airlockHome]) mkdirSync(d, { recursive: true });
    pg = await startPostgres();
    const url = pg.createDatabase('shop');
    pg.psql("CREATE TABLE orders (id serial PRIMARY KEY, total int); INSERT INTO orders (total) VALUES (10), (20), (30);", 'shop');
    // The run's login joins a group role (GRANT on a table would wait for the lock the test holds).
    pg.psql('CREATE ROLE shop_reader NOLOGIN; GRANT USAGE ON SCHEMA public TO shop_reader; GRANT SELECT ON orders TO shop_reader', 'shop');
    writeFileSync(join(airlockHome, 'policy.json'), JSON.stringify({ version: 1, databases: { shop: { runLogin: { access: 'read', validForMinutes: 30, grantRoles: { read: 'shop_reader' } } } } }));
    model = new ScriptedModel([
      // Airlock's MCP server creates the run's login before it serves tools: let Claude Code wait for it as a model would.
      { tools: [{ name: 'WaitForMcpServers', input: { servers: ['airlock'] }, id: 'toolu_wait' }] },
      { tools: [{ name: 'mcp__airlock__db_query', input: { connection: 'shop', sql: 'SELECT sum(total) AS s FROM orders' }, id: 'toolu_long' }] },
      { tools: [{ name: 'mcp__airlock__db_query', input: { connection: 'shop', sql: 'SELECT count(*) AS n FROM orders' }, id: 'toolu_after' }] },
      { text: 'done' },
    ]);
    const base = await model.start();
    const config = join(root, 'mcp.json');
    writeFileSync(config, JSON.stringify({ mcpServers: { airlock: { type: 'stdio', command: '/bin/sh', args: ['-c', `exec "$0" "$@" 2>>${join(root, 'mcp.err')}`, process.execPath, CLI_JS, 'mcp', '--workspace', proj, '--gate', 'local', '--ask-timeout-ms', '2000', '--db', `shop=${url}`], env: { AIRLOCK_HOME: airlockHome, HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' } } } }));
    // The agent's query waits on this lock, so it is running when the switch is pulled.
    locker = new pgClient.Client({ connectionString: url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
    // pg_stat_activity is read outside a transaction (inside one it is a snapshot).
    watcher = new pgClient.Client({ connectionString: url });
    await watcher.connect();
    const running = runClaude({ cwd: proj, baseUrl: base, home, airlockHome, hookCommand: null, extraArgs: ['--mcp-config', config, '--strict-mcp-config'], timeoutMs: 120_000 });
    let ended: ClaudeRunOutcome | undefined;
    void running.then((r) => (ended = r));
    const until = Date.now() + 90_000;
    for (;;) {
      if (ended) assert.fail(`Claude Code ended before its query ran: ${JSON.stringify(model.toolResults()).slice(0, 2000)} ${ended.stderr.slice(0, 2000)} ${ended.stdout.slice(0, 2000)}`);
      const r = (await watcher.query("SELECT usename FROM pg_stat_activity WHERE usename LIKE 'airlock\\_run\\_%' AND wait_event_type = 'Lock'")).rows as { usename: string }[];
      if (r[0]) {
        login = r[0].usename;
        break;
      }
      if (Date.now() > until) assert.fail(`the agent's query never started: ${(await running).stderr.slice(-3000)} MCP: ${readFileSync(join(root, 'mcp.err'), 'utf8').slice(-3000)} ${JSON.stringify(model.toolResults()).slice(0, 1500)}; sessions: ${JSON.stringify((await watcher.query("SELECT usename, application_name, state, wait_event_type, left(query, 60) AS q FROM pg_stat_activity WHERE datname = 'shop'")).rows)}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    const t0 = performance.now();
    latchKill('test: pulled while Claude Code\'s query runs', airlockHome);
    while (Number((await watcher.query('SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1', [login])).rows[0].n) > 0) {
      assert.ok(performance.now() - t0 < 10_000, 'the agent\'s database session outlived the kill switch by 10 s');
      await new Promise((res) => setTimeout(res, 10));
    }
    goneMs = performance.now() - t0;
    console.log(`# real agent: kill switch pulled -> every session of ${login} gone in ${goneMs.toFixed(0)} ms`);
    await locker.query('ROLLBACK');
    run = await running;
  });
  after(async () => {
    await locker?.end().catch(() => undefined);
    await watcher?.end().catch(() => undefined);
    await model?.close();
    await pg?.stop();
  });

  it('the query ran as the run\'s own login, and the kill switch ended its session within a second', () => {
    assert.match(login, /^airlock_run_mcp_\d+_/);
    assert.ok(goneMs >= 0 && goneMs < 1000, `${goneMs} ms`);
    const steps = ledgerSteps(join(airlockHome, 'ledger.sqlite')).filter((s) => s.tool === 'db_query' && s.event === 'pre');
    assert.equal((JSON.parse(steps[0]!.action_json!) as { login?: string }).login, login);
  });

  it('the model got the failed envelope for the interrupted query, and the next query was refused', () => {
    assert.equal(run.timedOut, false, run.stderr.slice(0, 2000));
    const first = model.toolResult('toolu_long');
    assert.ok(first, JSON.stringify(model.toolResults()));
    assert.equal(first.is_error, true, first.text);
    assert.doesNotMatch(first.text, /"ok":true/);
    const next = model.toolResult('toolu_after');
    assert.ok(next, JSON.stringify(model.toolResults()));
    assert.equal(next.is_error, true);
    assert.match(next.text, /kill switch/i);
  });

  it('the login was disabled and then dropped by the kill switch (Claude Code ends its MCP server with a signal that leaves no close)', async () => {
    const until = Date.now() + 10_000;
    while (runRoles().length > 0) {
      assert.ok(Date.now() < until, `run logins left: ${runRoles().join(', ')}; MCP server: ${readFileSync(join(root, 'mcp.err'), 'utf8').slice(-2000)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(JSON.stringify(model.toolResults()).includes(pg.password), false);
  });
});
