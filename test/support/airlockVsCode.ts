/**
 * Airlock-specific helpers on top of test/support/vscode.ts, shared by the approval e2e test, the
 * approval-prompt benchmark (bench/editor.ts) and the `npm start` demo run (scripts/demo-run.ts):
 *
 *   - the demo workspace "shop" (src, build, migrations, a tightening workspace policy that asks
 *     before file changes under src/ and before npm commands);
 *   - Claude Code's hooks installed the way a user does it, with the INSTALLED extension's CLI
 *     (`<extensions>/airlock-dev.airlock-VERSION/dist/cli.js hooks install claude --scope project`);
 *   - the window's own discovery file (`<AIRLOCK_HOME>/editors/<pid>.json`) for AIRLOCK_DISCOVERY;
 *   - reading the ledger file from the test (better-sqlite3, read-only, while the editor writes);
 *   - VS Code's modal dialog and input box, which the harness does not cover.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { until } from './vscode';

export const EXT_ID = 'airlock-dev.airlock';

export const SHOP_POLICY = {
  version: 1,
  protectedPaths: ['migrations/**'],
  rules: [
    { id: 'review-src', match: { kind: ['file'], effects: ['create', 'write', 'overwrite', 'delete'], paths: ['src/**'] }, decision: 'ask', reason: 'changes to src/ are reviewed by a person' },
    { id: 'review-npm', match: { commands: ['npm'] }, decision: 'ask', reason: 'dependency changes are reviewed by a person' },
  ],
};

export const APP_TS = 'export const price = 10;\n\nexport function total(qty: number): number {\n  return qty * price;\n}\n';

/** The demo workspace (created fresh in `dir`). */
export function shopWorkspace(dir: string): string {
  for (const d of ['src', 'build', 'migrations', '.airlock']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'README.md'), '# shop\n\nA demo workspace for Airlock.\n');
  writeFileSync(join(dir, 'src', 'app.ts'), APP_TS);
  writeFileSync(join(dir, 'build', 'app.js'), 'compiled\n');
  writeFileSync(join(dir, 'build', 'app.js.map'), '{}\n');
  writeFileSync(join(dir, 'migrations', '001_orders.sql'), 'CREATE TABLE orders (id integer primary key, total integer);\n');
  writeFileSync(join(dir, 'package.json'), '{"name":"shop","private":true}\n');
  writeFileSync(join(dir, '.airlock', 'policy.json'), `${JSON.stringify(SHOP_POLICY, null, 2)}\n`);
  return dir;
}

/** The installed extension's folder. */
export function installedExtension(extensionsDir: string): string {
  const d = readdirSync(extensionsDir).find((x) => x.startsWith(`${EXT_ID}-`));
  if (!d) throw new Error(`${EXT_ID} is not installed in ${extensionsDir}`);
  return join(extensionsDir, d);
}

/**
 * `airlock hooks install claude --scope project` with the installed extension's CLI: writes the
 * workspace's .claude/settings.json whose hook runs the installed dist/hook.js. Returns that file.
 */
export function installClaudeHooks(o: { extensionsDir: string; workspace: string; home: string; airlockHome: string }): string {
  const cli = join(installedExtension(o.extensionsDir), 'dist', 'cli.js');
  const r = spawnSync(process.execPath, [cli, 'hooks', 'install', 'claude', '--scope', 'project', '--project', o.workspace], {
    cwd: o.workspace,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: o.home, AIRLOCK_HOME: o.airlockHome },
  });
  if (r.status !== 0) throw new Error(`airlock hooks install failed (${r.status}): ${r.stdout}${r.stderr}`);
  return join(o.workspace, '.claude', 'settings.json');
}

/** The window's own discovery file (what its terminals get as AIRLOCK_DISCOVERY), once the gate is armed. */
export async function windowDiscovery(airlockHome: string, ms = 60_000): Promise<string> {
  return until('the window’s discovery file <AIRLOCK_HOME>/editors/<pid>.json', () => {
    const dir = join(airlockHome, 'editors');
    if (!existsSync(dir)) return undefined;
    const f = readdirSync(dir).find((x) => /^\d+\.json$/.test(x));
    return f ? join(dir, f) : undefined;
  }, ms);
}

export interface LedgerStep {
  seq: number;
  run_id: string;
  session_id: string;
  event: string;
  tool: string;
  tool_use_id: string | null;
  kind: string | null;
  decision: string;
  reversibility: string;
  reasons: string[];
  rules: string[];
  action_json: string | null;
  decided_at: string;
  /** The workspace checkpoint taken before the step (schema 2). */
  checkpoint: string | null;
}

/** Steps of the ledger (optionally one session), read-only; the editor keeps writing in WAL mode. */
export function ledgerSteps(ledger: string, sessionId?: string): LedgerStep[] {
  const db = new Database(ledger, { readonly: true, fileMustExist: true });
  try {
    const rows = (sessionId === undefined ? db.prepare('SELECT * FROM steps ORDER BY rowid').all() : db.prepare('SELECT * FROM steps WHERE session_id = ? ORDER BY rowid').all(sessionId)) as Array<Record<string, unknown>>;
    return rows.map((r) => ({ ...(r as unknown as LedgerStep), reasons: JSON.parse(String(r.reasons_json)) as string[], rules: JSON.parse(String(r.rules_json)) as string[] }));
  } finally {
    db.close();
  }
}

/** The ledger's runs. */
export function ledgerRuns(ledger: string): Array<{ id: string; agent: string; session_id: string; status: string }> {
  const db = new Database(ledger, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, agent, session_id, status FROM runs ORDER BY started_at').all() as Array<{ id: string; agent: string; session_id: string; status: string }>;
  } finally {
    db.close();
  }
}

/** The pre-step of one tool call, waiting until the gate has written it. */
export async function preStep(ledger: string, toolUseId: string, ms = 30_000): Promise<LedgerStep> {
  return until(`the ledger's pre step for ${toolUseId}`, () => (existsSync(ledger) ? ledgerSteps(ledger) : []).find((s) => s.event === 'pre' && s.tool_use_id === toolUseId), ms);
}

/** A VS Code modal dialog (window.showWarningMessage with modal: true) as rendered in the page. */
export async function modalDialog(page: Page, ms = 60_000): Promise<{ message: string; detail: string; buttons: string[] }> {
  const box = page.locator('.monaco-dialog-box');
  await box.first().waitFor({ state: 'visible', timeout: ms });
  const message = ((await box.locator('.dialog-message-text').first().textContent()) ?? '').trim();
  const detail = ((await box.locator('.dialog-message-detail').first().textContent().catch(() => '')) ?? '').trim();
  const buttons = (await box.locator('.dialog-buttons .monaco-button').allTextContents()).map((t) => t.trim());
  return { message, detail, buttons };
}

export async function clickModalButton(page: Page, label: string): Promise<void> {
  await page.locator('.monaco-dialog-box .dialog-buttons .monaco-button', { hasText: label }).first().click();
  await page.locator('.monaco-dialog-box').first().waitFor({ state: 'hidden', timeout: 15_000 });
}

/** The open input box (window.showInputBox): its title and prompt. */
export async function inputBox(page: Page, ms = 15_000): Promise<{ title: string; prompt: string }> {
  const w = page.locator('.quick-input-widget');
  await w.locator('.quick-input-box input').waitFor({ state: 'visible', timeout: ms });
  const title = ((await w.locator('.quick-input-title').first().textContent().catch(() => '')) ?? '').trim();
  const prompt = ((await w.locator('.quick-input-message').first().textContent().catch(() => '')) ?? '').trim();
  return { title, prompt };
}

/** The toast whose message matches, once visible. */
export async function waitForToast(page: Page, message: RegExp, ms = 60_000): Promise<string> {
  return until(`a notification matching ${message}`, async () => {
    // Only toasts whose fade-in finished: what a person (and a screenshot) can actually read.
    const all = await page.$$eval('.notifications-toasts .notification-toast.notification-fade-in-done .notification-list-item-message', (els) => els.map((e) => (e.textContent ?? '').trim()));
    return all.find((m) => message.test(m));
  }, ms);
}

/**
 * One measurement of the time from a hook request to the approval prompt being visible: the
 * installed extension's shim (`dist/hook.js hook claude`, what Claude Code runs) is spawned with a
 * PreToolUse request for `npm install <unique>` (a routine ask under SHOP_POLICY's review-npm rule);
 * the clock starts just before the spawn and stops when the page's DOM shows the toast (a
 * MutationObserver in the page stamps Date.now(); Chromium runs on the same machine clock). The
 * prompt is then rejected from the page and the shim's answer returned.
 */
export async function approvalPromptOnce(o: { page: Page; extensionsDir: string; workspace: string; discovery: string; airlockHome: string; tag: string }): Promise<{ ms: number; shimStdout: string; shimCode: number | null }> {
  const { spawn } = await import('node:child_process');
  // A string, not a function: tsx's helpers (__name) do not exist in the page.
  await o.page.evaluate(`(() => {
    if (window.__airlockObs) return;
    window.__airlockSeen = {};
    window.__airlockObs = new MutationObserver(() => {
      for (const el of document.querySelectorAll('.notifications-toasts .notification-list-item-message')) {
        const t = el.textContent || '';
        if (t && !(t in window.__airlockSeen)) window.__airlockSeen[t] = Date.now();
      }
    });
    window.__airlockObs.observe(document.body, { subtree: true, childList: true, characterData: true });
  })()`);
  const pkg = `left-pad-${o.tag}`;
  const req = { session_id: `bench-${o.tag}`, cwd: o.workspace, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_use_id: `toolu_bench_${o.tag}`, tool_input: { command: `npm install ${pkg}`, description: 'add a dependency' } };
  const hook = join(installedExtension(o.extensionsDir), 'dist', 'hook.js');
  const t0 = Date.now();
  const child = spawn(process.execPath, [hook, 'hook', 'claude', '--timeout-ms', '60000'], { cwd: o.workspace, env: { PATH: process.env.PATH, HOME: o.workspace, AIRLOCK_HOME: o.airlockHome, AIRLOCK_DISCOVERY: o.discovery }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  child.stdin.end(JSON.stringify(req));
  const seenAt = await until(`the approval prompt for npm install ${pkg}`, async () => {
    const seen = (await o.page.evaluate('window.__airlockSeen')) as Record<string, number>;
    const k = Object.keys(seen).find((t) => t.includes(`npm install ${pkg}`));
    return k ? seen[k] : undefined;
  }, 60_000);
  await waitForToast(o.page, new RegExp(`npm install ${pkg}`));
  await o.page.locator('.notifications-toasts .notification-toast').filter({ hasText: `npm install ${pkg}` }).first().locator('.monaco-button', { hasText: 'Reject' }).first().click();
  const code = await exited;
  return { ms: seenAt - t0, shimStdout: out, shimCode: code };
}
