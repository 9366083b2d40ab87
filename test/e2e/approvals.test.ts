/**
 * A real Claude Code run (scripted model on loopback, no internet) gated by Airlock running inside a
 * real VS Code (code-server 4.117, headless Chromium), decided by clicking in the page:
 *
 *   - Claude Code's hooks are installed with the INSTALLED extension's CLI (`hooks install claude
 *     --scope project`), the agent finds the window's gate through AIRLOCK_DISCOVERY = the window's
 *     own discovery file `<AIRLOCK_HOME>/editors/<pid>.json`;
 *   - approvals: an Edit under src/ (routine: a diff editor opens, Approve in its title, confirmed in
 *     Airlock's own dialog since any extension can run the command), `rm -rf
 *     build` (irreversible: a modal with no approving default, the approval needs the typed word),
 *     a Write rejected from its notification, `rm -rf migrations` rejected from the modal;
 *   - the run log panel (webview) lists the run and its steps;
 *   - the kill switch pulled from the status bar menu while a live Claude Code run is mid-turn: the
 *     agent's process tree is ended, nothing it asked afterwards happens, the flag is latched in
 *     AIRLOCK_HOME, and a new run's first mutating call is denied with the kill reason.
 *
 * Assertions are on the files on disk, the ledger file (opened from the test), the agent's own
 * result; the page is the person's side. Screenshots: test-artifacts/e2e-approvals-*.png.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { killFlagPath, readKillFlag } from '../../src/node/bridge/discovery';
import { packageTarget } from '../../scripts/package-target.mjs';
import { APP_TS, EXT_ID, approvalPromptOnce, clickModalButton, inputBox, installClaudeHooks, ledgerRuns, ledgerSteps, modalDialog, preStep, shopWorkspace, waitForToast, windowDiscovery } from '../support/airlockVsCode';
import { runClaude, type ClaudeRunOutcome } from '../support/claudeRun';
import { e2eCache } from '../support/e2eCache';
import { tempDir } from '../support/gateway';
import { ScriptedModel } from '../support/scriptedModel';
import { ARTIFACTS, NO_BROWSER, startVsCode, until, type VsCode } from '../support/vscode';

const cache = e2eCache();

describe('approvals, run log and kill switch in a real VS Code with a real Claude Code run', { skip: cache.skip ?? NO_BROWSER, timeout: 900_000 }, () => {
  let vs: VsCode;
  let ws: string;
  let agentHome: string;
  let discovery: string;
  let ledger: string;
  const log = () => vs.extensionLog(EXT_ID);
  /** A cropped picture for the README (test-artifacts/readme/*.png; docs/images holds the chosen ones). */
  const readmeShot = async (name: string, clip: { x: number; y: number; width: number; height: number }) => {
    mkdirSync(join(ARTIFACTS, 'readme'), { recursive: true });
    await vs.page.screenshot({ path: join(ARTIFACTS, 'readme', `${name}.png`), clip });
  };

  before(async () => {
    const work = tempDir('airlock-e2e-approvals-');
    const vsix = await packageTarget({ out: join(work, 'airlock-linux-x64.vsix'), quiet: true });
    ws = shopWorkspace(join(work, 'shop'));
    agentHome = join(work, 'agent-home');
    // This test is about the approval surfaces: with checkpoints, `rm -rf build` would be made reversible and
    // run without one (test/e2e/checkpoints.test.ts covers that), so they are off in this window.
    vs = await startVsCode({ paths: cache.paths!, vsix, workspace: ws, viewport: { width: 1280, height: 800 }, env: { AIRLOCK_CHECKPOINTS: 'off' } });
    ledger = join(vs.dirs.airlockHome, 'ledger.sqlite');
    await until('"Airlock started (armed)"', () => /Airlock started \(armed\)/.test(log()), 90_000);
    discovery = await windowDiscovery(vs.dirs.airlockHome);
    installClaudeHooks({ extensionsDir: vs.dirs.extensions, workspace: ws, home: agentHome, airlockHome: vs.dirs.airlockHome });
  });

  after(async () => {
    // For looking at afterwards: what Airlock logged and what was on screen last.
    if (vs) {
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, 'e2e-approvals-extension.log'), log());
      await vs.screenshot('e2e-approvals-9-last').catch(() => undefined);
    }
    await vs?.stop();
  });

  const claude = (model: ScriptedModel, url: string, timeoutMs = 240_000): Promise<ClaudeRunOutcome> =>
    runClaude({ cwd: ws, baseUrl: url, home: agentHome, airlockHome: vs.dirs.airlockHome, hookCommand: null, timeoutMs, env: { AIRLOCK_DISCOVERY: discovery } }).finally(() => model.close());

  it('the hook that Claude Code will run is the installed extension’s shim', () => {
    const settings = readFileSync(join(ws, '.claude', 'settings.json'), 'utf8');
    assert.match(settings, new RegExp(`${vs.dirs.extensions.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${EXT_ID}-[^/]+/dist/hook\\.js hook claude`));
    assert.ok(existsSync(discovery));
  });

  let run1: ClaudeRunOutcome;
  it('approve once, reject once: an Edit (diff editor), rm -rf build (typed), a Write (notification), rm -rf migrations (modal)', async () => {
    const app = join(ws, 'src', 'app.ts');
    const model = new ScriptedModel([
      { tools: [{ name: 'Bash', input: { command: 'ls', description: 'look around' }, id: 'toolu_ls' }] },
      { tools: [{ name: 'Read', input: { file_path: app }, id: 'toolu_read' }] },
      { tools: [{ name: 'Edit', input: { file_path: app, old_string: 'export const price = 10;', new_string: 'export const price = 12;' }, id: 'toolu_edit' }] },
      { tools: [{ name: 'Bash', input: { command: 'rm -rf build', description: 'clean the build output' }, id: 'toolu_rm_build' }] },
      { tools: [{ name: 'Write', input: { file_path: join(ws, 'src', 'discount.ts'), content: 'export const discount = 0.5;\n' }, id: 'toolu_write' }] },
      { tools: [{ name: 'Bash', input: { command: 'rm -rf migrations', description: 'migrations are obsolete' }, id: 'toolu_rm_mig' }] },
      { text: 'done' },
    ]);
    const url = await model.start();
    const running = claude(model, url);

    // 1. The Edit: a routine ask. Its diff editor opens with Approve / Reject in the title; the notification says what and why.
    const editToast = await waitForToast(vs.page, /^Airlock: claude wants to: .*modifies .*app\.ts/);
    assert.match(editToast, /Answer within \d+ s or it is denied/);
    const diffTab = vs.page.locator('.tabs-container .tab', { hasText: /proposed edit of app\.ts/ });
    await diffTab.first().waitFor({ timeout: 30_000 });
    await vs.page.locator('.editor-group-container.active .monaco-diff-editor').first().waitFor({ timeout: 30_000 });
    await vs.screenshot('e2e-approvals-1-edit-diff');
    await readmeShot('approval-diff', { x: 348, y: 35, width: 932, height: 765 });
    assert.equal(readFileSync(app, 'utf8'), APP_TS, 'nothing is written before the person decides');
    await vs.page.locator('.editor-actions .action-label[aria-label^="Approve"]').first().click();
    // The title-bar Approve is a command, which any extension could run: it opens Airlock's own
    // confirmation, and only pressing Approve there approves (T68).
    const confirm = await modalDialog(vs.page);
    assert.match(confirm.message, /approve what claude asks/);
    assert.match(confirm.detail, /other extensions can run Airlock's commands/i);
    assert.equal(readFileSync(app, 'utf8'), APP_TS, 'the title-bar command alone approves nothing');
    await clickModalButton(vs.page, 'Approve');
    const edit = await preStep(ledger, 'toolu_edit');
    assert.equal(edit.decision, 'allow', JSON.stringify(edit));
    assert.ok(edit.reasons.includes("approved by a person in VS Code (an approve command, confirmed in Airlock's dialog)") && edit.rules.includes('approval.person'), JSON.stringify(edit));
    await until('the edit on disk', () => readFileSync(app, 'utf8').includes('price = 12'));

    // 2. rm -rf build: irreversible. A modal with no approving default; the approval needs the typed word.
    const m = await modalDialog(vs.page);
    assert.match(m.message, /IRREVERSIBLE/);
    assert.match(m.detail, /deletes .*build recursively/);
    assert.match(m.detail, /rm -rf build/);
    assert.ok(m.buttons.includes('Type to Approve…') && m.buttons.includes('Reject') && !m.buttons.includes('Approve'), JSON.stringify(m.buttons));
    await vs.screenshot('e2e-approvals-2-irreversible-modal');
    await readmeShot('approval-irreversible', { x: 380, y: 250, width: 520, height: 300 });
    assert.ok(existsSync(join(ws, 'build', 'app.js')));
    await clickModalButton(vs.page, 'Type to Approve…');
    const box = await inputBox(vs.page);
    // The word is the program (core/approvalView.ts confirmationWord): typing it is a deliberate act.
    assert.match(`${box.title} ${box.prompt}`, /deletes .*build\. Type "rm" to approve/);
    // Enter on a wrong word does not approve: the box stays, the action stays pending.
    await vs.page.keyboard.type('yes');
    await vs.page.keyboard.press('Enter');
    await vs.screenshot('e2e-approvals-3-typed-confirmation');
    assert.ok(await vs.page.locator('.quick-input-widget .quick-input-box input').isVisible());
    assert.ok(existsSync(join(ws, 'build', 'app.js')));
    await vs.page.locator('.quick-input-widget .quick-input-box input').fill('rm');
    await vs.page.keyboard.press('Enter');
    const rmBuild = await preStep(ledger, 'toolu_rm_build');
    assert.equal(rmBuild.decision, 'allow', JSON.stringify(rmBuild));
    assert.equal(rmBuild.reversibility, 'irreversible');
    assert.ok(rmBuild.reasons.includes("approved by a person in VS Code (typed the confirmation word in Airlock's box)"), JSON.stringify(rmBuild));
    await until('build/ deleted on disk', () => !existsSync(join(ws, 'build')));

    // 3. A Write under src/: rejected from its notification.
    const writeToast = await waitForToast(vs.page, /^Airlock: claude wants to: .*creates .*discount\.ts/);
    assert.match(writeToast, /write \S+\/src\/discount\.ts — Change: \+1 −0 in 1 hunk\./, writeToast);
    await vs.screenshot('e2e-approvals-4-write-notification');
    await readmeShot('approval-notification', { x: 0, y: 360, width: 1280, height: 440 });
    await vs.clickNotificationButton(/^Airlock: claude wants to: .*creates .*discount\.ts/, 'Reject');
    const write = await preStep(ledger, 'toolu_write');
    assert.equal(write.decision, 'deny', JSON.stringify(write));
    assert.ok(write.reasons.includes('rejected by a person in VS Code'), JSON.stringify(write));

    // 4. rm -rf migrations: irreversible, rejected from the modal.
    const m2 = await modalDialog(vs.page);
    assert.match(m2.detail, /rm -rf migrations/);
    await clickModalButton(vs.page, 'Reject');
    const rmMig = await preStep(ledger, 'toolu_rm_mig');
    assert.equal(rmMig.decision, 'deny');
    assert.ok(rmMig.reasons.includes('rejected by a person in VS Code'), JSON.stringify(rmMig));

    run1 = await running;
    assert.equal(run1.timedOut, false, run1.stderr);
    assert.ok(run1.json, `no result from claude: ${run1.stdout}\n${run1.stderr}`);
    // On disk: approved effects happened, rejected ones did not.
    assert.match(readFileSync(app, 'utf8'), /export const price = 12;/);
    assert.equal(existsSync(join(ws, 'build')), false);
    assert.equal(existsSync(join(ws, 'src', 'discount.ts')), false);
    assert.equal(readFileSync(join(ws, 'migrations', '001_orders.sql'), 'utf8'), 'CREATE TABLE orders (id integer primary key, total integer);\n');
    // The agent saw the rejections as failed tool calls; the allowed read went through.
    assert.ok(model.toolResult('toolu_write')?.is_error && model.toolResult('toolu_rm_mig')?.is_error, JSON.stringify(model.toolResults()));
    assert.match(model.toolResult('toolu_ls')?.text ?? '', /migrations/);
    // The ledger: one run for this session, every call recorded, the hash chain intact.
    const steps = ledgerSteps(ledger, run1.json.session_id);
    const pre = new Map(steps.filter((s) => s.event === 'pre').map((s) => [s.tool_use_id, s.decision]));
    assert.deepEqual(Object.fromEntries(pre), { toolu_ls: 'allow', toolu_read: 'allow', toolu_edit: 'allow', toolu_rm_build: 'allow', toolu_write: 'deny', toolu_rm_mig: 'deny' });
    assert.ok(steps.some((s) => s.event === 'post' && s.tool_use_id === 'toolu_rm_build'), 'the outcome of the approved rm was recorded');
    const { Ledger, firstBreak } = await import('../../src/node/ledger/ledger');
    const l = Ledger.open(ledger, { readonly: true });
    try {
      assert.equal(firstBreak(l.allSteps()), undefined);
    } finally {
      l.close();
    }
  });

  it('the run log panel lists the run and its steps (decisions, who approved)', async () => {
    await vs.page.keyboard.press('Escape');
    await vs.runCommand('Airlock: Open Run Log');
    const wv = vs.webview();
    const run = wv.locator('li.run').first();
    await run.waitFor({ timeout: 60_000 });
    assert.match((await run.textContent()) ?? '', /claude/);
    assert.match((await run.textContent()) ?? '', /2 denied/);
    await vs.screenshot('e2e-approvals-5-run-log');
    await run.click();
    await run.press('Enter').catch(() => undefined);
    const rows = wv.locator('[data-seq]');
    await until('the steps of the run', async () => (await rows.count()) >= 6, 30_000);
    const labels = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    assert.ok(labels.some((t) => /allow, irreversible, Bash rm -rf build/.test(t)), JSON.stringify(labels));
    assert.ok(labels.some((t) => /deny, irreversible, Bash rm -rf migrations/.test(t)), JSON.stringify(labels));
    const who = await wv.locator('[data-seq] .c-who').allTextContents();
    assert.ok(who.some((w) => /a person in VS Code/.test(w)), JSON.stringify(who));
    await vs.screenshot('e2e-approvals-6-run-log-steps');
    await readmeShot('run-log', { x: 348, y: 35, width: 932, height: 380 });
  });

  it('kill switch from the status bar menu during a live Claude Code run: the agent is ended and can do nothing afterwards', async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    let held!: () => void;
    const isHeld = new Promise<void>((r) => (held = r));
    const notes = join(ws, 'notes.txt');
    const model = new ScriptedModel([
      { tools: [{ name: 'Bash', input: { command: 'ls src', description: 'look' }, id: 'toolu_k_ls' }] },
      // The agent is "thinking" here when the person pulls the switch; its next move would write a file.
      { hold, onHeld: () => held(), tools: [{ name: 'Write', input: { file_path: notes, content: 'after the kill\n' }, id: 'toolu_k_write' }] },
      { text: 'done' },
    ]);
    const url = await model.start();
    const running = claude(model, url, 120_000);
    await isHeld;
    const lsStep = await preStep(ledger, 'toolu_k_ls');
    assert.equal(lsStep.decision, 'allow');

    // The person: status bar item -> menu -> Kill Switch.
    await vs.page.keyboard.press('Escape');
    await vs.clickStatusItem(/airlock\.status/);
    const pick = vs.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Kill Switch' });
    await pick.first().waitFor({ timeout: 15_000 });
    await vs.screenshot('e2e-approvals-7-status-menu');
    await pick.first().click();

    const outcome = await running;
    release();
    const killedToast = await waitForToast(vs.page, /^Airlock KILLED/);
    // The agent's process tree was ended by the kill switch (a signal, not the harness' timeout).
    assert.equal(outcome.timedOut, false);
    assert.ok(outcome.signal !== null || (outcome.code ?? 0) !== 0, `claude was not ended: code ${outcome.code} signal ${outcome.signal}`);
    assert.match(killedToast, /ended claude|ended .*pid \d+/, killedToast);
    assert.match(log(), /kill: ended .*\d+ process\(es\)/);
    // Nothing it asked for afterwards happened; the flag is latched outside the workspace.
    assert.equal(existsSync(notes), false);
    assert.ok(existsSync(killFlagPath(vs.dirs.airlockHome)), `the kill flag ${killFlagPath(vs.dirs.airlockHome)} is latched`);
    assert.equal(readKillFlag(vs.dirs.airlockHome).killed, true);
    assert.equal(ledgerSteps(ledger).filter((s) => s.tool_use_id === 'toolu_k_write').length, 0);
    const item = await until('the killed status bar item', async () => (await vs.statusBarItems()).find((i) => /airlock\.status/.test(i.id) && /killed/i.test(`${i.text} ${i.ariaLabel}`)));
    assert.match(item.ariaLabel, /killed/i);
    await vs.page.mouse.move(700, 300); // no hover tooltip over the status bar in the picture
    await vs.page.locator('.monaco-hover, .workbench-hover-container').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
    await vs.screenshot('e2e-approvals-8-killed');
    await readmeShot('killed', { x: 0, y: 560, width: 1280, height: 240 });
    assert.equal(existsSync(discovery), false, 'the window withdrew its discovery file');

    // A new run after the kill: its first mutating call is denied with the kill reason.
    const model2 = new ScriptedModel([{ tools: [{ name: 'Write', input: { file_path: notes, content: 'x\n' }, id: 'toolu_k2' }] }, { text: 'done' }]);
    const url2 = await model2.start();
    const after = await claude(model2, url2, 120_000);
    assert.equal(existsSync(notes), false);
    const tr = model2.toolResult('toolu_k2');
    assert.ok(tr?.is_error, JSON.stringify(after.json));
    assert.match(tr.text, /kill/i);
  });
  it('un-latch in the editor (modal confirmation), then a hook request reaches the person as a notification; its Reject is the hook’s answer (time measured, no threshold)', async () => {
    await vs.page.keyboard.press('Escape');
    await vs.runCommand('Airlock: Un-latch Kill Switch');
    const m = await modalDialog(vs.page);
    assert.match(m.message, /un-latch the kill switch/i);
    await clickModalButton(vs.page, 'Un-latch');
    await until('the armed status bar item', async () => (await vs.statusBarItems()).find((i) => /airlock\.status/.test(i.id) && /armed/i.test(i.ariaLabel)));
    assert.equal(readKillFlag(vs.dirs.airlockHome).killed, false);
    discovery = await windowDiscovery(vs.dirs.airlockHome);
    const r = await approvalPromptOnce({ page: vs.page, extensionsDir: vs.dirs.extensions, workspace: ws, discovery, airlockHome: vs.dirs.airlockHome, tag: 'e2e' });
    assert.equal(r.shimCode, 0);
    const answer = JSON.parse(r.shimStdout) as { hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string } };
    assert.equal(answer.hookSpecificOutput?.permissionDecision, 'deny', r.shimStdout);
    assert.match(answer.hookSpecificOutput?.permissionDecisionReason ?? '', /rejected by a person in VS Code/);
    assert.ok(r.ms > 0 && r.ms < 60_000, String(r.ms));
    console.log(`# hook request -> approval notification visible: ${r.ms} ms`);
  });

});
