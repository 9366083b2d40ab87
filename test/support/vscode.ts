/**
 * A real VS Code for end-to-end tests: code-server 4.117 (VS Code 1.117, Node 22 from the e2e cache)
 * on a free loopback port, driven by headless Debian Chromium through playwright-core
 * (../shared/RECIPES.md §1). Everything is temporary: user-data-dir, extensions-dir, HOME,
 * AIRLOCK_HOME, the browser profile. Screenshots go to test-artifacts/ (git-ignored).
 *
 *   const vs = await startVsCode({ vsix, workspace, name: 'activation' });
 *   await vs.runCommand('Airlock: Validate Workspace Policy');
 *   await vs.screenshot('after-validate');
 *   await vs.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from '../../scripts/tools.mjs';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';
import type { E2ePaths } from '../../scripts/e2e-paths.mjs';

export const ROOT = join(__dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
/** The browser that drives the workbench: $AIRLOCK_CHROMIUM, else Chromium from npm (scripts/tools.mjs), else Debian's. */
export const BROWSER = findChromium();
export const CHROMIUM = BROWSER.path ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = BROWSER.path ? BROWSER.args : ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
/** Why the e2e tests cannot drive a browser (a skip reason), or false. */
export const NO_BROWSER: string | false = BROWSER.missing ?? false;

/** User settings for a quiet, deterministic workbench (no welcome page, no update or AI prompts). */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // Airlock's own loopback servers (bridge, OTLP receiver) are not apps to forward: no toast about them.
  'remote.autoForwardPorts': false,
};

export interface StatusItem {
  id: string;
  text: string;
  ariaLabel: string;
  /** Codicons shown in the item (e.g. 'shield' for $(shield)). */
  icons: string[];
}

export interface VsCode {
  url: string;
  port: number;
  page: Page;
  /** Temporary folders: VS Code's user data and extensions, the HOME and AIRLOCK_HOME it runs with. */
  dirs: { base: string; userData: string; extensions: string; home: string; airlockHome: string; workspace: string };
  /** Run a command by its palette title (F1). Throws when the palette does not list it. */
  runCommand(title: string): Promise<void>;
  /** The palette's rows for a query (the command titles it would offer), the palette closed again. */
  paletteRows(query: string): Promise<string[]>;
  screenshot(name: string): Promise<string>;
  statusBarItems(): Promise<StatusItem[]>;
  statusBarText(): Promise<string>;
  /** Text of the log files an extension's output channels wrote (LogOutputChannel), on disk. */
  extensionLog(extensionId: string): string;
  /** The extension host's own log (activation lines), on disk. */
  extHostLog(): string;
  /** What code-server printed (for failure messages). */
  serverOutput(): string;
  /** Open a workspace file in an editor through Quick Open (Ctrl+P); waits for its tab. */
  openFile(relativePath: string): Promise<void>;
  /** Notification toasts' messages currently shown. */
  notifications(): Promise<string[]>;
  /** Click a button (by its label) on the notification toast whose message matches. */
  clickNotificationButton(message: RegExp, button: string): Promise<void>;
  /** Click the status bar item whose id, text or aria-label matches. */
  clickStatusItem(match: RegExp): Promise<void>;
  /** The content of a webview (the first, or the one whose outer frame title contains the text): VS Code nests two iframes. */
  webview(titleContains?: string): FrameLocator;
  stop(): Promise<void>;
}

export interface StartOptions {
  paths: E2ePaths;
  /** The packaged extension to install before the workbench opens (optional: none installed). */
  vsix?: string;
  /** More packaged extensions to install next to it (e.g. the activation baseline of bench/editor.ts). */
  extraVsix?: string[];
  /** The folder to open; a temp folder when absent. */
  workspace?: string;
  /** Extra environment for code-server and so for the extension host. */
  env?: Record<string, string>;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  viewport?: { width: number; height: number };
  /** Keep the temp folders after stop() (for looking at them). Also AIRLOCK_E2E_KEEP=1. */
  keep?: boolean;
  /** Extra code-server arguments (e.g. ['--log', 'trace']). */
  args?: string[];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function walk(dir: string): string[] {
  let out: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    try {
      if (statSync(p).isDirectory()) out = out.concat(walk(p));
      else out.push(p);
    } catch {
      // vanished while walking
    }
  }
  return out;
}

/** The environment code-server (and so the extension host) runs with: temp HOME and AIRLOCK_HOME. */
function serverEnv(o: StartOptions, home: string, airlockHome: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: `${join(o.paths.nodePkg, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    AIRLOCK_HOME: airlockHome,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    TMPDIR: process.env.TMPDIR ?? tmpdir(),
    LANG: 'C.UTF-8',
    ...o.env,
  };
  return env;
}

/** `code-server --install-extension`: throws with its output unless it reports success. */
export function installVsix(paths: E2ePaths, vsix: string, userData: string, extensions: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(paths.nodeBin, [paths.codeServerEntry, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', vsix], { encoding: 'utf8', env, timeout: 120_000 });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0 || !/successfully installed/i.test(out)) throw new Error(`installing ${vsix} failed (exit ${r.status}):\n${out}`);
  return out;
}

export async function startVsCode(o: StartOptions): Promise<VsCode> {
  for (const f of [o.paths.nodeBin, o.paths.codeServerEntry]) if (!existsSync(f)) throw new Error(`${f} missing: run node scripts/e2e-setup.mjs`);
  if (!existsSync(CHROMIUM)) throw new Error(BROWSER.missing ?? `${CHROMIUM} missing`);
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'airlock-vscode-')));
  const dirs = {
    base,
    userData: join(base, 'user-data'),
    extensions: join(base, 'extensions'),
    home: join(base, 'home'),
    airlockHome: join(base, 'airlock-home'),
    workspace: o.workspace ?? join(base, 'workspace'),
  };
  for (const d of [dirs.userData, join(dirs.userData, 'User'), dirs.extensions, dirs.home, dirs.workspace]) mkdirSync(d, { recursive: true });
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...o.settings }, null, 2));
  const env = serverEnv(o, dirs.home, dirs.airlockHome);
  if (o.vsix) installVsix(o.paths, o.vsix, dirs.userData, dirs.extensions, env);
  for (const x of o.extraVsix ?? []) installVsix(o.paths, x, dirs.userData, dirs.extensions, env);

  const port = await freePort();
  let output = '';
  const server: ChildProcess = spawn(
    o.paths.nodeBin,
    [o.paths.codeServerEntry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, ...(o.args ?? []), dirs.workspace],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  server.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
  server.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
  let exited: number | null | undefined;
  server.on('exit', (code) => (exited = code));
  const url = `http://127.0.0.1:${port}`;

  let context: BrowserContext | undefined;
  const killServer = async (): Promise<void> => {
    if (exited !== undefined || server.pid === undefined) return;
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 50 && exited === undefined; i++) await sleep(100);
    if (exited === undefined) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const keep = o.keep || process.env.AIRLOCK_E2E_KEEP === '1';
  const stop = async (): Promise<void> => {
    await context?.close().catch(() => undefined);
    await killServer();
    if (!keep) rmSync(base, { recursive: true, force: true });
  };

  try {
    // code-server answers /healthz once it listens.
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited !== undefined) throw new Error(`code-server exited with ${exited}:\n${output}`);
      try {
        const r = await fetch(`${url}/healthz`);
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`code-server did not listen on ${url} within 60 s:\n${output}`);
      await sleep(200);
    }
    context = await chromium.launchPersistentContext(join(base, 'chromium-profile'), {
      executablePath: CHROMIUM,
      env: { ...process.env, ...(BROWSER.path ? BROWSER.env : {}) } as Record<string, string>,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: o.viewport ?? { width: 1400, height: 850 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${url}/?folder=${encodeURIComponent(dirs.workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    // The workbench is there; its status bar is the last part to fill in.
    await page.waitForSelector('#workbench\\.parts\\.statusbar', { timeout: 60_000 });

    const palette = async (query: string): Promise<string[]> => {
      await page.locator('.monaco-workbench').focus().catch(() => undefined);
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(`>${query}`);
      // Let the list settle on this query (rows re-render as the filter applies).
      await sleep(400);
      const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      const n = await rows.count();
      const labels: string[] = [];
      for (let i = 0; i < n; i++) labels.push(((await rows.nth(i).getAttribute('aria-label')) ?? '').trim());
      return labels;
    };

    const vs: VsCode = {
      url,
      port,
      page,
      dirs,
      async paletteRows(query) {
        const labels = await palette(query);
        await page.keyboard.press('Escape');
        return labels;
      },
      async runCommand(title) {
        const deadline2 = Date.now() + 20_000;
        let labels: string[] = [];
        // Commands of an extension that is still activating can appear a moment later.
        for (;;) {
          labels = await palette(title);
          const idx = labels.findIndex((l) => l === title || l.startsWith(`${title},`) || l.startsWith(`${title} `));
          if (idx >= 0) {
            await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').nth(idx).click();
            return;
          }
          await page.keyboard.press('Escape');
          if (Date.now() > deadline2) throw new Error(`the command palette does not offer "${title}"; it offered: ${JSON.stringify(labels)}`);
          await sleep(1000);
        }
      },
      async screenshot(name) {
        mkdirSync(ARTIFACTS, { recursive: true });
        const file = join(ARTIFACTS, `${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },
      async statusBarItems() {
        return page.$$eval('#workbench\\.parts\\.statusbar .statusbar-item', (els) =>
          els.map((e) => ({
            id: e.id,
            text: (e.textContent ?? '').trim(),
            ariaLabel: (e.querySelector('a')?.getAttribute('aria-label') ?? e.getAttribute('aria-label') ?? '').trim(),
            icons: Array.from(e.querySelectorAll('.codicon')).flatMap((c) => Array.from(c.classList).filter((k) => k.startsWith('codicon-')).map((k) => k.slice('codicon-'.length))),
          })),
        );
      },
      async statusBarText() {
        return (await this.statusBarItems()).map((i) => i.text).filter(Boolean).join(' | ');
      },
      extensionLog(extensionId) {
        const files = walk(join(dirs.userData, 'logs')).filter((f) => f.includes(`/${extensionId}/`) && f.endsWith('.log'));
        return files.map((f) => readFileSync(f, 'utf8')).join('\n');
      },
      extHostLog() {
        const files = walk(join(dirs.userData, 'logs')).filter((f) => /exthost\d*\.log$|remoteexthost\.log$/.test(f));
        return files.map((f) => readFileSync(f, 'utf8')).join('\n');
      },
      async notifications() {
        return page.$$eval('.notifications-toasts .notification-list-item-message', (els) => els.map((e) => (e.textContent ?? '').trim()));
      },
      async openFile(relativePath) {
        await page.locator('.monaco-workbench').focus().catch(() => undefined);
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.waitFor({ state: 'visible', timeout: 15_000 });
        await input.fill(relativePath);
        const name = relativePath.split('/').pop()!;
        await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 15_000 });
        await page.keyboard.press('Enter');
        await page.locator(`.tabs-container .tab[aria-label^=${JSON.stringify(name)}]`).first().waitFor({ timeout: 15_000 });
      },
      async clickNotificationButton(message, button) {
        const toast = page.locator('.notifications-toasts .notification-toast').filter({ has: page.locator('.notification-list-item-message', { hasText: message }) });
        await toast.first().locator('.monaco-button', { hasText: button }).first().click();
      },
      async clickStatusItem(match) {
        const items = await this.statusBarItems();
        const hit = items.find((i) => match.test(`${i.id} ${i.text} ${i.ariaLabel}`));
        if (!hit) throw new Error(`no status bar item matches ${match}: ${JSON.stringify(items)}`);
        await page.locator(`[id="${hit.id}"]`).first().click();
      },
      webview(titleContains) {
        const outer = titleContains ? page.frameLocator(`iframe.webview[title*=${JSON.stringify(titleContains)}]`) : page.frameLocator('iframe.webview');
        return outer.first().frameLocator('iframe#active-frame');
      },
      serverOutput: () => output,
      stop,
    };
    return vs;
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Poll until `fn` returns a truthy value (or throw with `what` after `ms`). */
export async function until<T>(what: string, fn: () => T | Promise<T>, ms = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(250);
  }
}
