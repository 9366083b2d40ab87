// The real OpenAI Codex CLI (node_modules/@openai/codex, `codex exec`) against a scripted Responses
// model on loopback, gated by the hook that the real `airlock hooks install codex` writes (hooks.json
// plus the trust entry in config.toml, without which Codex silently skips the hook) and the real
// headless gate (`airlock serve --ci`). Assertions are on files on disk, on what Codex told the model,
// and on ledger rows; never on log lines.
//
// Codex refuses `rm -rf` by itself, so the destructive call is `find DIR -mindepth 1 -delete`; the
// control run with no hook shows that this command really deletes the folder here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { codexTrustHash, codexTrustKey } from '../../src/core/hooks/codexTrust';
import { CLI_JS } from '../support/claudeRun';
import { CODEX_JS, pointCodexAt, runCodex, type CodexRunOutcome } from '../support/codexRun';
import { startServe, type ServeProc } from '../support/gateway';
import { ScriptedResponses, type ResponsesTurn } from '../support/scriptedResponses';

interface World {
  root: string;
  home: string;
  codexHome: string;
  proj: string;
  victim: string;
  airlockHome: string;
  ledger: string;
}

function freshWorld(prefix: string): World {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const home = join(root, 'home');
  const w: World = { root, home, codexHome: join(home, '.codex'), proj: join(root, 'proj'), victim: join(home, 'victim'), airlockHome: join(root, 'airlock'), ledger: join(root, 'ledger.sqlite') };
  mkdirSync(w.victim, { recursive: true });
  writeFileSync(join(w.victim, 'precious.txt'), 'keep me\n');
  mkdirSync(join(w.victim, 'sub'), { recursive: true });
  writeFileSync(join(w.victim, 'sub', 'more.txt'), 'me too\n');
  mkdirSync(w.proj, { recursive: true });
  writeFileSync(join(w.proj, 'hello.txt'), 'hello\n');
  return w;
}

const envOf = (w: World): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: w.home, CODEX_HOME: w.codexHome, AIRLOCK_HOME: w.airlockHome });

function airlock(w: World, args: string[]) {
  return spawnSync(process.execPath, [CLI_JS, ...args], { cwd: w.proj, encoding: 'utf8', env: envOf(w), timeout: 60_000 });
}

/** `airlock hooks install codex` into the temporary CODEX_HOME (after the provider config exists). */
function installHook(w: World, baseUrl: string): void {
  pointCodexAt(w.codexHome, baseUrl);
  const r = airlock(w, ['hooks', 'install', 'codex']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const hooks = JSON.parse(readFileSync(join(w.codexHome, 'hooks.json'), 'utf8')) as { hooks: { PreToolUse: Array<{ matcher: string; hooks: Array<{ command: string }> }> } };
  const command = hooks.hooks.PreToolUse[0]!.hooks[0]!.command;
  assert.match(command, /dist\/hook\.js hook codex/);
  // The trust entry Codex needs, keyed by the absolute hooks.json path and hashed over the handler.
  const toml = readFileSync(join(w.codexHome, 'config.toml'), 'utf8');
  assert.ok(toml.includes(`[hooks.state."${codexTrustKey(join(w.codexHome, 'hooks.json'), 0, 0)}"]\ntrusted_hash = "${codexTrustHash(command)}"`), toml);
  assert.ok(toml.includes('[model_providers.mock]'), 'the provider config survived the install');
}

interface StepRow {
  agent: string;
  session_id: string;
  event: string;
  tool: string;
  tool_use_id: string | null;
  kind: string | null;
  action_json: string | null;
  decision: string;
  reasons_json: string;
}

function steps(ledger: string, sessionId: string | undefined): StepRow[] {
  const db = new Database(ledger, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT * FROM steps WHERE session_id = ? ORDER BY seq').all(sessionId ?? '') as StepRow[];
  } finally {
    db.close();
  }
}

async function scenario(w: World, turns: ResponsesTurn[]): Promise<{ model: ScriptedResponses; run: CodexRunOutcome }> {
  const model = new ScriptedResponses(turns);
  const url = await model.start();
  try {
    pointCodexAt(w.codexHome, url);
    const run = await runCodex({ cwd: w.proj, home: w.home, codexHome: w.codexHome, airlockHome: w.airlockHome, timeoutMs: 120_000 });
    assert.equal(run.timedOut, false, `codex timed out: ${run.stderr}`);
    assert.equal(run.code, 0, `codex exited ${run.code}: ${run.stdout}\n${run.stderr}`);
    assert.ok(model.served >= turns.length, `codex took ${model.served} of ${turns.length} scripted turns: ${run.stderr}`);
    return { model, run };
  } finally {
    await model.close();
  }
}

const shell = (cmd: string, callId: string): ResponsesTurn => ({ calls: [{ name: 'exec_command', arguments: { cmd }, callId }] });
const BLOCKED = /Command blocked by PreToolUse hook/;

async function stopServe(s: ServeProc | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return;
  s.child.kill('SIGTERM');
  const t = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
  await s.exited;
  clearTimeout(t);
}

before(() => {
  assert.ok(existsSync(CLI_JS), 'dist/cli.js is missing: run npm run build');
  const v = spawnSync(process.execPath, [CODEX_JS, '--version'], { encoding: 'utf8' });
  assert.equal(v.status, 0, `the Codex CLI does not run: ${v.stderr}`);
  assert.match(v.stdout, /codex-cli \d+\.\d+/);
});

describe('Codex CLI with no hook (control)', () => {
  let w: World;
  before(() => (w = freshWorld('airlock-codex-ctl-')));
  after(() => rmSync(w.root, { recursive: true, force: true }));

  it('really deletes the victim folder: the destructive test below can fail', async () => {
    const { model } = await scenario(w, [shell(`find ${w.victim} -mindepth 1 -delete`, 'call_del'), { text: 'done' }]);
    assert.deepEqual(readdirSync(w.victim), [], 'find -delete emptied the folder');
    assert.match(model.functionOutput('call_del')?.text ?? '', /exited with code 0/);
  });
});

describe('Codex CLI gated by airlock serve, hook from `airlock hooks install codex`', () => {
  let w: World;
  let serve: ServeProc | undefined;
  before(async () => {
    w = freshWorld('airlock-codex-');
    serve = await startServe(['--ledger', w.ledger, '--ci', '--workspace', w.proj], { PATH: process.env.PATH, HOME: w.home, AIRLOCK_HOME: w.airlockHome });
    installHook(w, 'http://127.0.0.1:9/v1');
  });
  after(async () => {
    await stopServe(serve);
    rmSync(w.root, { recursive: true, force: true });
  });

  it('hooks status proves the installed Codex hook with its canary', () => {
    const st = airlock(w, ['hooks', 'status', '--json']);
    assert.equal(st.status, 0, st.stdout + st.stderr);
    const row = (JSON.parse(st.stdout) as Array<{ agent: string; state: string; trusted?: boolean }>).find((r) => r.agent === 'codex');
    assert.equal(row?.state, 'OK', st.stdout);
    assert.equal(row?.trusted, true);
  });

  it('denies `find VICTIM -mindepth 1 -delete`: the folder survives, Codex tells the model, the ledger holds the denied step', async () => {
    const cmd = `find ${w.victim} -mindepth 1 -delete`;
    const { model, run } = await scenario(w, [shell(cmd, 'call_del'), { text: 'done' }]);
    assert.equal(readFileSync(join(w.victim, 'precious.txt'), 'utf8'), 'keep me\n');
    assert.equal(readFileSync(join(w.victim, 'sub', 'more.txt'), 'utf8'), 'me too\n');
    const out = model.functionOutput('call_del')?.text ?? '';
    assert.match(out, BLOCKED);
    assert.ok(run.sessionId, run.stderr);
    const rows = steps(w.ledger, run.sessionId).filter((r) => r.event === 'pre' && r.tool_use_id === 'call_del');
    assert.equal(rows.length, 1, JSON.stringify(steps(w.ledger, run.sessionId)));
    const row = rows[0]!;
    assert.equal(row.agent, 'codex');
    assert.equal(row.tool, 'Bash');
    assert.equal(row.kind, 'shell');
    assert.equal(row.decision, 'deny');
    assert.equal((JSON.parse(row.action_json!) as { command: string; cwd: string }).command, cmd);
    const reasons = JSON.parse(row.reasons_json) as string[];
    assert.ok(reasons.length > 0);
    // The reason the gate gave is the reason Codex passed on to the model.
    assert.ok(out.includes(reasons[0]!), `${out} / ${reasons[0]}`);
  });

  it('lets a read-only command run: the model receives the listing, the ledger records allow for agent codex', async () => {
    const { model, run } = await scenario(w, [shell('ls', 'call_ls'), { text: 'done' }]);
    const out = model.functionOutput('call_ls')?.text ?? '';
    assert.doesNotMatch(out, BLOCKED);
    assert.match(out, /hello\.txt/);
    const rows = steps(w.ledger, run.sessionId).filter((r) => r.tool_use_id === 'call_ls');
    assert.deepEqual(rows.map((r) => [r.agent, r.event, r.kind, r.decision]), [['codex', 'pre', 'shell', 'allow']]);
  });

  it('one Codex session is one run: both calls of a session land in the same run', async () => {
    const { run } = await scenario(w, [shell('ls', 'call_a'), shell('cat hello.txt', 'call_b'), { text: 'done' }]);
    const db = new Database(w.ledger, { readonly: true, fileMustExist: true });
    try {
      const runs = db.prepare('SELECT DISTINCT run_id FROM steps WHERE session_id = ?').all(run.sessionId!) as Array<{ run_id: string }>;
      assert.equal(runs.length, 1);
      const r = db.prepare('SELECT agent, session_id FROM runs WHERE id = ?').get(runs[0]!.run_id) as { agent: string; session_id: string } | undefined;
      assert.deepEqual(r, { agent: 'codex', session_id: run.sessionId });
    } finally {
      db.close();
    }
  });
});

describe('Codex CLI with the installed hook and no gate running', () => {
  let w: World;
  before(() => {
    w = freshWorld('airlock-codex-off-');
    installHook(w, 'http://127.0.0.1:9/v1');
  });
  after(() => rmSync(w.root, { recursive: true, force: true }));

  it('fails closed: a read runs, a write is denied "Airlock is not running", the destructive call is denied', async () => {
    const notes = join(w.proj, 'notes.txt');
    const { model } = await scenario(w, [shell('ls', 'call_ls'), shell(`touch ${notes}`, 'call_touch'), shell(`find ${w.victim} -mindepth 1 -delete`, 'call_del'), { text: 'done' }]);
    assert.match(model.functionOutput('call_ls')?.text ?? '', /hello\.txt/);
    assert.equal(existsSync(notes), false, 'the write did not happen');
    const touch = model.functionOutput('call_touch')?.text ?? '';
    assert.match(touch, BLOCKED);
    assert.match(touch, /Airlock is not running/);
    assert.match(model.functionOutput('call_del')?.text ?? '', BLOCKED);
    assert.equal(readFileSync(join(w.victim, 'precious.txt'), 'utf8'), 'keep me\n');
  });

  it('with the kill switch latched denies everything, reads included', async () => {
    const k = airlock(w, ['kill', '--reason', 'codex test']);
    assert.equal(k.status, 0, k.stderr);
    assert.ok(existsSync(join(w.airlockHome, 'killed')));
    const { model } = await scenario(w, [shell('ls', 'call_ls'), shell('cat hello.txt', 'call_cat'), { text: 'done' }]);
    for (const id of ['call_ls', 'call_cat']) {
      const out = model.functionOutput(id)?.text ?? '';
      assert.match(out, BLOCKED, `${id}: ${out}`);
      assert.match(out, /kill switch is latched \(codex test\)/);
      assert.doesNotMatch(out, /hello\.txt\n|^hello$/m);
    }
  });
});
