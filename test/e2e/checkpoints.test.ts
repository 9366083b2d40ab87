/**
 * "Make it reversible, then let it run" in a real VS Code (code-server, headless Chromium) with a
 * real Claude Code run (scripted model): the agent overwrites README.md and deletes build/ in the
 * demo workspace; the window's gate checkpoints both first, so neither asks (no notification, no
 * modal; the ledger steps are allowed with their checkpoint). The run log panel shows the steps
 * with Undo; clicking Undo opens the diff and a modal that says what will change; confirming puts
 * the files back (exact bytes) and records the undo as its own step. README.md is changed by the
 * person after the step: its Undo offers Merge (the diff shows the result, with conflict markers
 * where both changed the same lines) and writes that.
 * Screenshots: test-artifacts/e2e-checkpoints-*.png.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageTarget } from '../../scripts/package-target.mjs';
import { EXT_ID, clickModalButton, installClaudeHooks, ledgerSteps, modalDialog, shopWorkspace, windowDiscovery } from '../support/airlockVsCode';
import { runClaude } from '../support/claudeRun';
import { e2eCache } from '../support/e2eCache';
import { tempDir } from '../support/gateway';
import { ScriptedModel } from '../support/scriptedModel';
import { ARTIFACTS, startVsCode, until, type VsCode } from '../support/vscode';

const cache = e2eCache();

describe('checkpoints: an agent overwrites and deletes without a prompt, Undo in the run log restores', { skip: cache.skip, timeout: 900_000 }, () => {
  let vs: VsCode;
  let ws: string;
  let agentHome: string;
  let discovery: string;
  let ledger: string;
  const log = () => vs.extensionLog(EXT_ID);

  before(async () => {
    const work = tempDir('airlock-e2e-checkpoints-');
    const vsix = await packageTarget({ out: join(work, 'airlock-linux-x64.vsix'), quiet: true });
    ws = shopWorkspace(join(work, 'shop'));
    agentHome = join(work, 'agent-home');
    vs = await startVsCode({ paths: cache.paths!, vsix, workspace: ws, viewport: { width: 1280, height: 800 } });
    ledger = join(vs.dirs.airlockHome, 'ledger.sqlite');
    await until('"Airlock started (armed)"', () => /Airlock started \(armed\)/.test(log()), 90_000);
    discovery = await windowDiscovery(vs.dirs.airlockHome);
    installClaudeHooks({ extensionsDir: vs.dirs.extensions, workspace: ws, home: agentHome, airlockHome: vs.dirs.airlockHome });
  });

  after(async () => {
    if (vs) {
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, 'e2e-checkpoints-extension.log'), log());
      await vs.screenshot('e2e-checkpoints-9-last').catch(() => undefined);
    }
    await vs?.stop();
  });

  const readme = '# shop\n\nA demo workspace for Airlock.\n';

  it('a Write over README.md and rm -rf build run without a prompt; each step carries its checkpoint', async () => {
    const model = new ScriptedModel([
      { tools: [{ name: 'Read', input: { file_path: join(ws, 'README.md') }, id: 'toolu_read' }] },
      { tools: [{ name: 'Write', input: { file_path: join(ws, 'README.md'), content: '# shop (rewritten by the agent)\n' }, id: 'toolu_write' }] },
      { tools: [{ name: 'Bash', input: { command: 'rm -rf build', description: 'clean the build output' }, id: 'toolu_rm' }] },
      { text: 'done' },
    ]);
    const url = await model.start();
    const run = await runClaude({ cwd: ws, baseUrl: url, home: agentHome, airlockHome: vs.dirs.airlockHome, hookCommand: null, timeoutMs: 240_000, env: { AIRLOCK_DISCOVERY: discovery } }).finally(() => model.close());
    assert.equal(run.timedOut, false, run.stderr);
    assert.equal(readFileSync(join(ws, 'README.md'), 'utf8'), '# shop (rewritten by the agent)\n');
    assert.equal(existsSync(join(ws, 'build')), false);
    const steps = ledgerSteps(ledger).filter((s) => s.event === 'pre' && (s.tool_use_id === 'toolu_write' || s.tool_use_id === 'toolu_rm'));
    assert.equal(steps.length, 2);
    for (const s of steps) {
      assert.equal(s.decision, 'allow', JSON.stringify(s.reasons));
      assert.match(s.checkpoint ?? '', /^[0-9a-f]{12}-/, 'the step carries its checkpoint');
      assert.ok(s.rules.includes('checkpoint.taken'), JSON.stringify(s.rules));
      assert.ok(!s.rules.includes('approval.person'), 'nobody was asked');
    }
    // No approval ever reached the person: no toast, no modal.
    assert.equal(await vs.page.locator('.monaco-dialog-box').count(), 0);
    assert.equal((await vs.notifications()).filter((n) => /Airlock/.test(n)).length, 0, JSON.stringify(await vs.notifications()));
  });

  it('the run log shows the steps with Undo; Undo shows the diff and a modal, then restores build/ and README.md', async () => {
    await vs.runCommand('Airlock: Open Run Log');
    const wv = vs.webview();
    const runItem = wv.locator('li.run').first();
    await runItem.waitFor({ timeout: 60_000 });
    await runItem.click();
    await runItem.press('Enter').catch(() => undefined);
    const rmRow = wv.locator('[data-seq]').filter({ hasText: 'rm -rf build' }).first();
    await rmRow.waitFor({ timeout: 30_000 });
    const undoButtons = wv.locator('[data-seq] button[data-action="undo"]');
    await until('two Undo buttons', async () => (await undoButtons.count()) >= 2, 30_000);
    await vs.screenshot('e2e-checkpoints-1-run-log-undo');

    await rmRow.locator('button[data-action="undo"]').click();
    const m = await modalDialog(vs.page);
    assert.match(m.message, /Undo this step\?/);
    assert.match(m.detail, /bring back build\/app\.js/);
    await vs.screenshot('e2e-checkpoints-2-undo-modal');
    await clickModalButton(vs.page, 'Undo');
    await until('build/ restored', () => existsSync(join(ws, 'build', 'app.js')) && existsSync(join(ws, 'build', 'app.js.map')), 30_000);
    assert.equal(readFileSync(join(ws, 'build', 'app.js'), 'utf8'), 'compiled\n');
    assert.equal(readFileSync(join(ws, 'build', 'app.js.map'), 'utf8'), '{}\n');

    await vs.page.keyboard.press('Escape');
    // The diff editors took the front: bring the run log back.
    await vs.runCommand('Airlock: Open Run Log');
    // The person changed README.md after the step: Undo offers a three-way merge that keeps that change.
    writeFileSync(join(ws, 'README.md'), '# shop (rewritten by the agent)\nmy note\n');
    const wrRow = wv.locator('[data-seq]').filter({ hasText: 'README.md' }).filter({ has: wv.locator('button[data-action="undo"]') }).first();
    await wrRow.locator('button[data-action="undo"]').click();
    const m2 = await modalDialog(vs.page);
    assert.match(m2.message, /1 file\(s\) changed after the step/);
    assert.match(m2.detail, /Merge keeps those changes/);
    assert.match(m2.detail, /README\.md: 1 conflict\(s\) marked/);
    assert.match(m2.detail, /restore README\.md/);
    // The diff editor of README.md (now ↔ the merge result) is open behind the modal.
    assert.ok((await vs.page.locator('.tab', { hasText: 'Undo by merge: README.md' }).count()) > 0, 'a merge diff tab for README.md is open');
    await vs.screenshot('e2e-checkpoints-3-merge-modal');
    await clickModalButton(vs.page, 'Merge');
    const merged = '<<<<<<< now (your changes)\n# shop (rewritten by the agent)\nmy note\n=======\n' + readme + '>>>>>>> before the step\n';
    await until('README.md merged', () => readFileSync(join(ws, 'README.md'), 'utf8') === merged, 30_000);
    await vs.screenshot('e2e-checkpoints-4-undone');
    const undos = await until('two undo steps in the ledger', () => {
      const u = ledgerSteps(ledger).filter((s) => s.event === 'pre' && s.tool === 'checkpoint_undo');
      return u.length >= 2 ? u : undefined;
    }, 30_000);
    for (const u of undos) assert.equal(u.decision, 'allow', JSON.stringify(u.reasons));
  });
});
