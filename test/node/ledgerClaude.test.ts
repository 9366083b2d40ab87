/**
 * The ledger end to end with the real Claude Code (scripted model), the real shim and a real
 * `airlock serve`: the run's steps are recorded with the secret in a command masked (not in the
 * database or its WAL at all), `airlock verify` passes, `airlock log --trace` shows the run, and a
 * row tampered with afterwards (a denial turned into an allow) is caught by `airlock verify`.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { CLAUDE_BIN, runClaude } from '../support/claudeRun';
import { ROOT, runCli, startServe, tempDir, type ServeProc } from '../support/gateway';
import { ScriptedModel } from '../support/scriptedModel';

const dir = tempDir('airlock-ledger-claude-');
const home = join(dir, 'home');
const proj = join(dir, 'proj');
const victim = join(home, 'victim');
const airlockHome = join(dir, 'airlock');
const ledger = join(dir, 'ledger.sqlite');
const SECRET = 'Sup3rSecretPw';
const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: home, AIRLOCK_HOME: airlockHome });

describe('ledger end to end with Claude Code', () => {
  let serve: ServeProc;
  let sessionId = '';
  before(async () => {
    execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'ignore' });
    assert.equal(spawnSync(CLAUDE_BIN, ['--version']).status, 0, 'Claude Code runs');
    mkdirSync(victim, { recursive: true });
    writeFileSync(join(victim, 'precious.txt'), 'keep me\n');
    mkdirSync(proj, { recursive: true });
    writeFileSync(join(proj, 'hello.txt'), 'hello\n');
    serve = await startServe(['--ci', '--ledger', ledger, '--workspace', proj], env());
  });
  after(async () => {
    if (serve?.child.exitCode === null) {
      serve.child.kill('SIGKILL');
      await serve.exited;
    }
  });

  it('records the run (secret masked), verifies, then catches a tampered row', async () => {
    const model = new ScriptedModel([
      { tools: [{ name: 'Bash', input: { command: 'ls', description: 'list files' }, id: 'toolu_ls' }] },
      { tools: [{ name: 'Bash', input: { command: `PGPASSWORD=${SECRET} psql -h 127.0.0.1 -c "select 1" || true`, description: 'check the database' }, id: 'toolu_pg' }] },
      { tools: [{ name: 'Bash', input: { command: `rm -rf ${victim}`, description: 'clean up' }, id: 'toolu_rm' }] },
      { text: 'done' },
    ]);
    const url = await model.start();
    try {
      const run = await runClaude({ cwd: proj, baseUrl: url, home, airlockHome, timeoutMs: 120_000 });
      assert.equal(run.timedOut, false, run.stderr);
      assert.ok(run.json?.session_id, `${run.stdout}\n${run.stderr}`);
      sessionId = run.json.session_id;
    } finally {
      await model.close();
    }
    assert.equal(readFileSync(join(victim, 'precious.txt'), 'utf8'), 'keep me\n');
    serve.child.kill('SIGTERM');
    assert.equal(await serve.exited, 0);

    // The secret never reached the ledger's files.
    for (const f of [ledger, `${ledger}-wal`]) if (existsSync(f)) assert.ok(!readFileSync(f).includes(SECRET), `${f} contains the secret`);
    const db = new Database(ledger);
    const rows = db.prepare('SELECT id, tool_use_id, event, decision, action_json FROM steps WHERE session_id = ? ORDER BY seq').all(sessionId) as Array<{ id: string; tool_use_id: string; event: string; decision: string; action_json: string }>;
    const pre = (id: string) => rows.find((r) => r.tool_use_id === id && r.event === 'pre')!;
    assert.equal(pre('toolu_ls').decision, 'allow');
    assert.ok(rows.some((r) => r.tool_use_id === 'toolu_ls' && r.event === 'post'), 'the outcome was recorded');
    assert.match(pre('toolu_pg').action_json, /PGPASSWORD=\*\*\* psql/);
    assert.equal(pre('toolu_rm').decision, 'deny');

    const ok = await runCli(['verify', '--ledger', ledger], env());
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /ledger intact: \d+ step\(s\) in \d+ run\(s\), chain verified, anchor matched/);
    const runId = (JSON.parse((await runCli(['log', '--ledger', ledger, '--json'], env())).stdout) as { runs: Array<{ id: string; sessionId: string }> }).runs.find((r) => r.sessionId === sessionId)!.id;
    const trace = await runCli(['log', '--ledger', ledger, '--run', runId, '--trace'], env());
    assert.equal(trace.code, 0, trace.stderr);
    assert.match(trace.stdout, /#\d+ Bash: ls\n[\s\S]*?-> outcome \(step #\d+\): exit 0/);
    assert.match(trace.stdout, new RegExp(`Bash: rm -rf ${victim.replace(/[/.]/g, '\\$&')}\\n   => DENY \\(irreversible\\)`));

    // Someone turns the denial into an allow, directly in the database.
    db.prepare("UPDATE steps SET decision = 'allow' WHERE id = ?").run(pre('toolu_rm').id);
    db.close();
    const bad = await runCli(['verify', '--ledger', ledger, '--json'], env());
    assert.equal(bad.code, 1);
    const j = JSON.parse(bad.stdout) as { ok: boolean; problems: Array<{ kind: string; rowId: string }> };
    assert.equal(j.ok, false);
    assert.deepEqual([j.problems[0]!.kind, j.problems[0]!.rowId], ['chain.content', pre('toolu_rm').id]);
  });
});
