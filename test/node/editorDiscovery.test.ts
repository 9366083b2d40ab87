/**
 * Agents started in an editor window's terminals find that window's gate through AIRLOCK_DISCOVERY
 * (a path, never the token): the real shim (dist/hook.js) against the in-process gate host, and the
 * shim's parent PID arrives as the agent PID the kill switch would end.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GateHost } from '../../src/node/gate/gateHost';
import { Ledger } from '../../src/node/ledger/ledger';
import { ROOT, tempDir } from '../support/gateway';

const dir = tempDir('airlock-editor-disc-');
const home = join(dir, 'home');
const ws = join(dir, 'ws');
mkdirSync(ws, { recursive: true });
writeFileSync(join(ws, 'README.md'), '# demo\n');
const env = { ...process.env, AIRLOCK_HOME: home, HOME: join(dir, 'userhome') } as NodeJS.ProcessEnv;
delete env.AIRLOCK_DISCOVERY;
const writeCall = { session_id: 'ed1', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: join(ws, 'new.txt'), content: 'x' } };

function shim(e: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(ROOT, 'dist', 'hook.js'), 'hook', 'claude', '--timeout-ms', '10000'], { env: e, cwd: ws });
    let stdout = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout }));
    p.stdin.end(JSON.stringify(writeCall));
  });
}
const decision = (r: { stdout: string }) => (JSON.parse(r.stdout) as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } }).hookSpecificOutput;

describe('AIRLOCK_DISCOVERY (editor terminals)', () => {
  let host: GateHost;
  before(async () => {
    execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'ignore' });
    // The default discovery file lives elsewhere, so only AIRLOCK_DISCOVERY can lead the shim here.
    host = new GateHost({ home, workspaceRoots: [ws], log: () => undefined, defaultDiscoveryPath: join(dir, 'elsewhere', 'bridge.json') });
    await host.start();
  });
  after(async () => {
    await host.dispose();
  });

  it('without it the shim finds no gate and denies the write offline', async () => {
    const r = await shim(env);
    assert.equal(decision(r).permissionDecision, 'deny');
    assert.match(decision(r).permissionDecisionReason, /Airlock is not running/);
  });

  it("with it the shim reaches this window's gate: the write is judged online and recorded, with the agent's PID", async () => {
    const r = await shim({ ...env, AIRLOCK_DISCOVERY: host.discoveryPath });
    assert.equal(decision(r).permissionDecision, 'allow', r.stdout);
    const l = Ledger.open(join(home, 'ledger.sqlite'));
    const steps = l.allSteps();
    l.close();
    assert.equal(steps.length, 1);
    assert.equal(steps[0]!.session_id, 'ed1');
    assert.deepEqual(host.agents().map((a) => a.pid), [process.pid], 'the shim reports its parent (here: this test process)');
  });
});
