/**
 * Airlock in a real VS Code: the packaged linux-x64 .vsix (better-sqlite3 built for Node 22) is
 * installed into code-server 4.117 (VS Code 1.117, extension host on Node 22), a workspace is
 * opened in headless Chromium, and the test checks what a person would see and what is on disk:
 * the extension activated (its log file says so, the extension host log shows the activation and no
 * failure), the status bar says "starting" until the full start has armed the gate, a command run
 * while the start is still going waits for it and then runs, its commands are in the palette and run
 * (a real notification), the installed native binary is the Node 22 build.
 * Screenshots: test-artifacts/e2e-activation-*.png.
 *
 * Needs the e2e cache (node scripts/e2e-setup.mjs) and /usr/bin/chromium. Skips only when the
 * cache is missing and AIRLOCK_E2E=skip.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageTarget } from '../../scripts/package-target.mjs';
import { e2eCache } from '../support/e2eCache';
import { tempDir } from '../support/gateway';
import { NO_BROWSER, startVsCode, until, type VsCode } from '../support/vscode';

const cache = e2eCache();
const EXT_ID = 'airlock-dev.airlock';
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
/** The full start is held back this long after activate() (AIRLOCK_TEST_START_DELAY_MS): time to see "starting" and run a command during it. */
const START_DELAY_MS = 8000;
/** "2026-11-21 02:23:25.554 [info] ..." -> ms since epoch (VS Code's log timestamps, local time). */
const stamp = (line: string): number => {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})/.exec(line);
  if (!m) throw new Error(`no timestamp in log line: ${line}`);
  return Date.parse(`${m[1]}T${m[2]}`);
};

describe('Airlock in code-server (real VS Code 1.117, headless Chromium)', { skip: cache.skip ?? NO_BROWSER, timeout: 600_000 }, () => {
  let vs: VsCode;
  let vsix: string;
  let ws: string;

  before(async () => {
    const work = tempDir('airlock-e2e-');
    vsix = await packageTarget({ out: join(work, 'airlock-linux-x64.vsix'), quiet: true });
    ws = join(work, 'shop');
    mkdirSync(join(ws, 'src'), { recursive: true });
    mkdirSync(join(ws, '.airlock'), { recursive: true });
    writeFileSync(join(ws, 'src', 'app.ts'), 'export const price = 10;\n');
    writeFileSync(join(ws, 'README.md'), '# Shop under Airlock\n\nA demo workspace.\n');
    writeFileSync(join(ws, '.airlock', 'policy.json'), JSON.stringify({ version: 1, rules: [{ id: 'no-terraform-destroy', match: { commands: ['terraform'], reversibility: ['irreversible'] }, decision: 'deny', reason: 'infrastructure changes go through the pipeline' }] }, null, 2));
    vs = await startVsCode({ paths: cache.paths!, vsix, workspace: ws, env: { AIRLOCK_TEST_START_DELAY_MS: String(START_DELAY_MS) } });
  });

  after(async () => {
    await vs?.stop();
  });

  it('installs the packaged extension with the Node 22 better-sqlite3 binary', () => {
    const dir = readdirSync(vs.dirs.extensions).find((d) => d.startsWith(`${EXT_ID}-`));
    assert.ok(dir, `no ${EXT_ID} in ${vs.dirs.extensions}: ${readdirSync(vs.dirs.extensions).join(', ')}`);
    const installed = join(vs.dirs.extensions, dir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    assert.ok(existsSync(installed), installed);
    assert.equal(sha(installed), sha(cache.paths!.sqliteBinary), 'the installed binary is not the Node 22 build');
    assert.notEqual(sha(installed), sha(join(__dirname, '..', '..', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')));
  });

  it('activates on startup: its log says "Airlock activated", the extension host shows no failure', async () => {
    const log = await until('the Airlock log to say "Airlock activated"', () => (/Airlock activated/.test(vs.extensionLog(EXT_ID)) ? vs.extensionLog(EXT_ID) : ''), 60_000);
    assert.match(log, /\[info\] Airlock activated \(starting\) in \d+ ms \(bundle evaluated in \d+ ms/);
    const host = vs.extHostLog();
    assert.match(host, /_doActivateExtension airlock-dev\.airlock, startup: (true|false), activationEvent: 'onStartupFinished'/);
    assert.doesNotMatch(host, /Activating extension airlock-dev\.airlock failed/);
    await vs.screenshot('e2e-activation-1-workbench');
  });

  it('while the full start runs: the status bar says "starting", and a command waits for the start, then runs', async () => {
    // activate() has returned; the full start (gate host, features, gate) is held back START_DELAY_MS.
    const starting = await until('the "Airlock starting" status bar item', async () => (await vs.statusBarItems()).find((i) => /airlock\.status/.test(i.id) && /Airlock starting/.test(i.ariaLabel)), 30_000);
    assert.ok(starting.icons.includes('loading'), JSON.stringify(starting));
    await vs.screenshot('e2e-activation-0-starting');
    // The palette lists the contributed command; its trampoline holds it until the real handler is registered.
    await vs.runCommand('Airlock: Validate Workspace Policy');
    const issued = Date.now();
    const toasts = await until('the validation notification (after the start)', async () => {
      const t = await vs.notifications();
      return t.some((m) => m.startsWith('Airlock: policy is')) ? t : undefined;
    }, 60_000);
    assert.ok(toasts.some((m) => /^Airlock: policy is valid \(1 rules\)/.test(m)), JSON.stringify(toasts));
    const line = vs.extensionLog(EXT_ID).split('\n').find((l) => /Airlock started \(/.test(l));
    assert.ok(line, vs.extensionLog(EXT_ID));
    assert.match(line, /Airlock started \(armed\) \d+ ms after activation \(main bundle loaded in \d+ ms, features registered in \d+ ms, gate started in \d+ ms\)/);
    // The command went in before the start finished (else this test proved nothing about the trampoline).
    assert.ok(issued < stamp(line), `the command was issued ${issued - stamp(line)} ms after the start finished: raise START_DELAY_MS`);
    assert.doesNotMatch(vs.extensionLog(EXT_ID), /could not start|already exists/);
    // The gate's ledger is written on its own thread (worker_threads in the extension host, dist/ledgerWriter.js).
    await until('the ledger writer thread', () => /steps are written on the ledger's own thread/.test(vs.extensionLog(EXT_ID)), 30_000);
    assert.doesNotMatch(vs.extensionLog(EXT_ID), /writer thread (?:did not start|could not open|failed|stopped)/);
    await vs.page.keyboard.press('Escape');
  });

  it('offers its commands in the palette', async () => {
    const rows = await vs.paletteRows('Airlock: Validate');
    // (", recently used" once a test has run it)
    assert.ok(rows.some((r) => /^Airlock: Validate Workspace Policy(, recently used)?$/.test(r)), JSON.stringify(rows));
  });

  it('the installed manifest is complete (icon, categories, walkthrough media) and VS Code offers the walkthrough', async () => {
    const dir = readdirSync(vs.dirs.extensions).find((d) => d.startsWith(`${EXT_ID}-`))!;
    const root = join(vs.dirs.extensions, dir);
    const m = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { icon: string; categories: string[]; keywords: string[]; license: string; repository: { url: string }; engines: { vscode: string }; contributes: { walkthroughs: Array<{ title: string; steps: Array<{ title: string; media: { image?: string; markdown?: string } }> }> } };
    assert.equal(readFileSync(join(root, m.icon)).subarray(1, 4).toString(), 'PNG');
    assert.ok(m.categories.length && m.keywords.length && m.license && m.repository.url && m.engines.vscode);
    const wt = m.contributes.walkthroughs[0]!;
    assert.ok(wt.steps.length >= 3);
    for (const st of wt.steps) assert.ok(existsSync(join(root, st.media.image ?? st.media.markdown ?? '-')), `${st.title}: media missing`);
    // VS Code lists it and opens it: its first step's title on the Welcome page.
    await vs.runCommand('Welcome: Open Walkthrough...');
    await vs.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: wt.title }).first().click({ timeout: 15_000 });
    await vs.page.getByText(wt.steps[0]!.title, { exact: true }).first().waitFor({ timeout: 30_000 });
    await vs.page.getByText(wt.steps[1]!.title, { exact: true }).first().waitFor({ timeout: 5_000 });
    await vs.screenshot('e2e-activation-walkthrough');
    await vs.page.keyboard.press('Control+W').catch(() => undefined);
  });

  it('runs "Airlock: Validate Workspace Policy" on the workspace policy and shows the verdict', async () => {
    await vs.runCommand('Airlock: Validate Workspace Policy');
    const toasts = await until('the validation notification', async () => {
      const t = await vs.notifications();
      return t.some((m) => m.startsWith('Airlock:')) ? t : undefined;
    });
    assert.ok(toasts.some((m) => /^Airlock: policy is valid \(1 rules\)\. It only tightens your policy\.$/.test(m)), JSON.stringify(toasts));
    await vs.screenshot('e2e-activation-2-validate-policy');

    // A broken policy: the same command reports it invalid (the command reads the file now, not at startup).
    writeFileSync(join(ws, '.airlock', 'policy.json'), '{"version": 1, "rules": [');
    await vs.page.keyboard.press('Escape');
    await vs.runCommand('Airlock: Validate Workspace Policy');
    const bad = await until('the invalid-policy notification', async () => {
      const t = await vs.notifications();
      return t.some((m) => m.startsWith('Airlock: policy is invalid')) ? t : undefined;
    });
    assert.ok(bad.length > 0);
    await vs.screenshot('e2e-activation-3-invalid-policy');
  });

  it('status bar: one Airlock item, armed, with its accessible name', async () => {
    const item = await until('the Airlock status bar item, armed', async () => (await vs.statusBarItems()).find((i) => /airlock\.status/.test(i.id) && /Airlock armed/.test(i.ariaLabel)), 60_000);
    // Renders the gate's state (src/core/status.ts): armed = $(shield) Airlock, "Airlock armed" for screen readers.
    assert.equal(item.text, 'Airlock', JSON.stringify(item));
    assert.deepEqual(item.icons, ['shield'], JSON.stringify(item));
    assert.match(item.ariaLabel, /Airlock armed/, JSON.stringify(item));
    assert.equal((await vs.statusBarItems()).filter((i) => /airlock/i.test(i.id)).length, 1);
    await vs.screenshot('e2e-activation-5-status-bar');
  });

  it('harness: reads inside a webview (the built-in Markdown preview) and clicks a status bar item', async () => {
    // The run log panel is a webview: this proves vs.webview() reaches into VS Code's nested frames.
    await vs.page.keyboard.press('Escape');
    await vs.openFile('README.md');
    await vs.runCommand('Markdown: Open Preview');
    const h1 = vs.webview().locator('h1');
    await h1.waitFor({ timeout: 30_000 });
    assert.equal((await h1.textContent())?.trim(), 'Shop under Airlock');
    await vs.screenshot('e2e-activation-4-webview');
    await vs.clickStatusItem(/status\.problems/);
    await until('the Problems panel', () => vs.page.locator('.panel .pane-header, .panel .composite.title').first().isVisible());
  });

  it('ledger: the in-process gate opened its ledger in AIRLOCK_HOME with the real better-sqlite3 (Node 22 build)', async () => {
    const ledger = join(vs.dirs.airlockHome, 'ledger.sqlite');
    await until('the ledger file', () => existsSync(ledger));
    // The gate host logs the ledger's driver at open (Ledger#driver); the packaged Node 22 binary
    // must be the one in use, not the node:sqlite fallback.
    const log = vs.extensionLog(EXT_ID);
    assert.match(log, new RegExp(`ledger ${ledger.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} on better-sqlite3\n`));
    assert.match(log, /gate armed: bridge http:\/\/127\.0\.0\.1:\d+/);
    assert.doesNotMatch(log, /node:sqlite|LEDGER UNAVAILABLE/);
    // The file is a real ledger: this process (Node 20, its own better-sqlite3) opens and verifies it.
    const { Ledger, firstBreak } = await import('../../src/node/ledger/ledger');
    const l = Ledger.open(ledger);
    try {
      assert.equal(firstBreak(l.allSteps()), undefined);
    } finally {
      l.close();
    }
  });
});
