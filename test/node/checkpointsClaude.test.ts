/**
 * Make it reversible, then let it run, with the real Claude Code (scripted model), the real shim
 * (`airlock hook claude`) and the real gate (`airlock serve`, headless: any ask would be denied):
 * the agent deletes a workspace folder and overwrites a file; both run without a prompt because the
 * gate took a checkpoint first (recorded on the ledger step); `airlock undo <step>` brings them back
 * (exact bytes and modes), is itself recorded as a step, and the person's .git is unchanged.
 * `rm -rf` of a folder outside the workspace is still denied (irreversible).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startServe } from '../support/gateway';
import { CLI_JS, runClaude } from '../support/claudeRun';
import { ScriptedModel } from '../support/scriptedModel';
import { tempDir } from '../support/gateway';
import { fingerprint } from '../support/fingerprint';

interface Row { id: string; run_id: string; seq: number; event: string; tool: string; tool_use_id: string | null; decision: string; rules_json: string; reasons_json: string; checkpoint: string | null }

describe('Claude Code deletes a workspace folder: checkpoint, no prompt, airlock undo', { timeout: 300_000 }, () => {
  const root = tempDir('airlock-cp-claude-');
  const home = join(root, 'home');
  const airlockHome = join(root, 'airlock');
  const ledger = join(root, 'ledger.sqlite');
  const proj = join(root, 'proj');
  const outside = join(home, 'outside');
  let serve: Awaited<ReturnType<typeof startServe>>;
  const env = { PATH: process.env.PATH, HOME: home, AIRLOCK_HOME: airlockHome };
  const rows = (): Row[] => {
    const db = new Database(ledger, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT * FROM steps ORDER BY rowid').all() as Row[];
    } finally {
      db.close();
    }
  };

  before(async () => {
    assert.ok(existsSync(CLI_JS), 'dist/cli.js is missing: run npm run build');
    mkdirSync(join(proj, 'src', 'components'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'keep.txt'), 'outside\n');
    writeFileSync(join(proj, 'src', 'components', 'Button.tsx'), 'export const Button = () => null;\n');
    writeFileSync(join(proj, 'src', 'components', 'tool.sh'), '#!/bin/sh\n');
    chmodSync(join(proj, 'src', 'components', 'tool.sh'), 0o750);
    writeFileSync(join(proj, 'src', 'index.ts'), 'export * from "./components/Button";\n');
    writeFileSync(join(proj, 'README.md'), '# proj\n');
    execFileSync('git', ['-c', 'gc.auto=0', 'init', '-q'], { cwd: proj });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'gc.auto=0', 'add', '-A'], { cwd: proj });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'gc.auto=0', 'commit', '-qm', 'init'], { cwd: proj });
    serve = await startServe(['--ledger', ledger, '--ci', '--workspace', proj], env);
  });
  after(async () => {
    await serve?.stop();
  });

  it('rm -rf src/components and a Write over README.md run without a prompt; the outside folder is denied; undo restores', async () => {
    const dotgit = fingerprint(join(proj, '.git'));
    const before = { button: readFileSync(join(proj, 'src', 'components', 'Button.tsx')), readme: readFileSync(join(proj, 'README.md')) };
    const model = new ScriptedModel([
      { tools: [{ name: 'Bash', input: { command: 'rm -rf src/components', description: 'remove the old components' }, id: 'toolu_rm' }] },
      { tools: [{ name: 'Read', input: { file_path: join(proj, 'README.md') }, id: 'toolu_read' }] },
      { tools: [{ name: 'Write', input: { file_path: join(proj, 'README.md'), content: '# rewritten\n' }, id: 'toolu_write' }] },
      { tools: [{ name: 'Bash', input: { command: `rm -rf ${outside}`, description: 'clean up' }, id: 'toolu_out' }] },
      { text: 'done' },
    ]);
    const url = await model.start();
    const run = await runClaude({ cwd: proj, baseUrl: url, home, airlockHome, timeoutMs: 150_000 }).finally(() => model.close());
    assert.equal(run.timedOut, false, run.stderr);
    // The agent really did it: no prompt (the gate is headless, so an ask would have been a deny).
    assert.equal(existsSync(join(proj, 'src', 'components')), false, 'the folder was deleted');
    assert.equal(readFileSync(join(proj, 'README.md'), 'utf8'), '# rewritten\n');
    assert.equal(model.toolResult('toolu_rm')?.is_error ?? false, false);
    // Irreversible still asks (denied headless): the folder outside the workspace survives.
    assert.ok(existsSync(join(outside, 'keep.txt')));
    assert.equal(model.toolResult('toolu_out')?.is_error, true);

    const all = rows();
    const rm = all.find((r) => r.event === 'pre' && r.tool_use_id === 'toolu_rm')!;
    assert.equal(rm.decision, 'allow', rm.reasons_json);
    assert.match(rm.checkpoint ?? '', /^[0-9a-f]{12}-/, `the step carries its checkpoint: ${JSON.stringify(rm)}`);
    assert.ok((JSON.parse(rm.rules_json) as string[]).includes('checkpoint.taken'), rm.rules_json);
    assert.match(rm.reasons_json, /checkpoint .* taken before running/);
    const wr = all.find((r) => r.event === 'pre' && r.tool_use_id === 'toolu_write')!;
    assert.equal(wr.decision, 'allow');
    assert.equal(all.find((r) => r.event === 'pre' && r.tool_use_id === 'toolu_out')!.decision, 'deny');

    // airlock undo <step>: the folder comes back, bytes and modes; recorded as its own step.
    const u = spawnSync(process.execPath, [CLI_JS, 'undo', rm.id, '--ledger', ledger], { cwd: proj, env, encoding: 'utf8' });
    assert.equal(u.status, 0, `${u.stdout}\n${u.stderr}`);
    const res = JSON.parse(u.stdout) as { ok: boolean; restored: string[]; verified: boolean; undoStepId: string };
    assert.equal(res.ok, true);
    assert.equal(res.verified, true);
    assert.deepEqual(res.restored.sort(), ['src/components/Button.tsx', 'src/components/tool.sh']);
    assert.deepEqual(readFileSync(join(proj, 'src', 'components', 'Button.tsx')), before.button);
    assert.equal(lstatSync(join(proj, 'src', 'components', 'tool.sh')).mode & 0o7777, 0o750);
    const undoRow = rows().find((r) => r.id === res.undoStepId)!;
    assert.equal(undoRow.tool, 'checkpoint_undo');
    assert.equal(undoRow.decision, 'allow');
    // A second undo of the same step finds nothing to do.
    const again = spawnSync(process.execPath, [CLI_JS, 'undo', rm.id, '--ledger', ledger], { cwd: proj, env, encoding: 'utf8' });
    assert.match(again.stdout, /already as they were|nothing_to_do/);

    // The Write: the person edits README.md afterwards, so the undo refuses; --run --to restores with --force.
    writeFileSync(join(proj, 'README.md'), '# the person edited this\n');
    const refused = spawnSync(process.execPath, [CLI_JS, 'undo', wr.id, '--ledger', ledger], { cwd: proj, env, encoding: 'utf8' });
    assert.equal(refused.status, 1);
    assert.match(refused.stdout, /changed after step/);
    assert.equal(readFileSync(join(proj, 'README.md'), 'utf8'), '# the person edited this\n');
    writeFileSync(join(proj, 'README.md'), '# rewritten\n');
    const runUndo = spawnSync(process.execPath, [CLI_JS, 'undo', '--run', rm.run_id, '--to', rm.id, '--ledger', ledger], { cwd: proj, env, encoding: 'utf8' });
    assert.equal(runUndo.status, 0, `${runUndo.stdout}\n${runUndo.stderr}`);
    assert.deepEqual(readFileSync(join(proj, 'README.md')), before.readme);
    assert.deepEqual(fingerprint(join(proj, '.git')), dotgit, 'the person’s .git is byte-identical');
  });
});
