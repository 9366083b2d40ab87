/**
 * The shim no longer runs the Action schema itself on the online path (zod is its largest start-up
 * cost): the gate does, on arrival, and a call the schema refuses is still denied, online and
 * offline. Runs the lean entry dist/hook.js as an agent would, against a real `airlock serve`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ROOT, startServe, tempDir, type ServeProc } from '../support/gateway';

const HOOK = join(ROOT, 'dist', 'hook.js');
const dir = tempDir('airlock-hookval-');
const ws = join(dir, 'ws');
mkdirSync(ws, { recursive: true });
const ledgerPath = join(dir, 'ledger.sqlite');

const payload = (input: Record<string, unknown>, id: string) => JSON.stringify({ session_id: 'val-1', transcript_path: '/dev/null', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: input, tool_use_id: id });
const runHook = (home: string, input: string) => spawnSync(process.execPath, [HOOK, 'hook', 'claude'], { input, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: join(dir, 'userhome'), AIRLOCK_HOME: home }, cwd: ws });
const decisionOf = (stdout: string) => (JSON.parse(stdout) as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } }).hookSpecificOutput;
// A path over the Action schema's 4096-character limit: the dialect accepts the payload, the action is invalid.
const tooLong = join(ws, `${'d'.repeat(5000)}.txt`);

describe('an action the schema refuses', () => {
  let serve: ServeProc;
  const home = join(dir, 'airlock');
  before(async () => {
    serve = await startServe(['--ledger', ledgerPath, '--ci', '--workspace', ws], { PATH: process.env.PATH, HOME: join(dir, 'userhome'), AIRLOCK_HOME: home });
  });
  after(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
  });

  it('online: the gate refuses the request and the shim denies, with the schema issue as the reason', () => {
    const r = runHook(home, payload({ file_path: tooLong, content: 'x' }, 'tu-long'));
    assert.equal(r.status, 0, r.stderr);
    const out = decisionOf(r.stdout);
    assert.equal(out.permissionDecision, 'deny');
    assert.match(out.permissionDecisionReason, /invalid hook request: action\.path/);
    const ok = runHook(home, payload({ file_path: join(ws, 'short.txt'), content: 'x' }, 'tu-short'));
    assert.equal(decisionOf(ok.stdout).permissionDecision, 'allow', 'sanity: a valid write in the workspace is allowed by the same gate');
    const db = new Database(ledgerPath, { readonly: true, fileMustExist: true });
    try {
      const ids = (db.prepare('SELECT tool_use_id FROM steps WHERE session_id = ?').all('val-1') as Array<{ tool_use_id: string }>).map((x) => x.tool_use_id);
      assert.ok(ids.includes('tu-short'), `the valid call was recorded: ${ids.join(',')}`);
    } finally {
      db.close();
    }
  });

  it('offline: the shim validates with the same schema and denies "cannot read the Write call"', () => {
    const r = runHook(join(dir, 'no-gate'), payload({ file_path: tooLong, content: 'x' }, 'tu-long'));
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, /cannot read the Write call \(path: /);
    assert.equal(decisionOf(r.stdout).permissionDecision, 'deny');
  });

  it('offline: a Bash command over the 1 MiB limit is refused with the field and the limit, not judged', () => {
    const bash = JSON.stringify({ session_id: 'val-2', transcript_path: '/dev/null', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: `ls ${'a'.repeat(1024 * 1024)}` }, tool_use_id: 'tu-big' });
    const r = runHook(join(dir, 'no-gate'), bash);
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, /cannot read the Bash call \(command: too long: expected at most 1048576 characters\)/);
    assert.equal(decisionOf(r.stdout).permissionDecision, 'deny');
  });
});
