/**
 * The run log webview in headless Chromium, wired to the real host controller and real ledger
 * queries. A loopback server serves the same HTML shell (same CSP), bundle and CSS the extension
 * ships; `acquireVsCodeApi` is provided by an init script that forwards to the controller, the way
 * VS Code's webview host does. Only the extension core's parts (pending approvals, gate state,
 * decide) are test fakes: they are h-ext's ports.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { findChromium } from '../../scripts/tools.mjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PendingCard } from '../../src/core/present';
import type { GateState, WebviewToHost } from '../../src/core/protocol/panel';
import type { RunLogQueries } from '../../src/core/run/runLogQueries';
import { RunLogController, type DeadLetterPort, type PanelDecision, type PanelUi } from '../../src/vscode/panel/controller';
import { runLogHtml } from '../../src/vscode/panel/html';

const root = join(__dirname, '..', '..');
/** $AIRLOCK_CHROMIUM, else Chromium from npm (scripts/tools.mjs), else Debian's. */
const BROWSER = findChromium();
export const CHROMIUM = BROWSER.path ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = BROWSER.path ? ['--headless', ...BROWSER.args] : ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json' };

export interface PanelHarness {
  page: Page;
  browser: Browser;
  /** Every message the webview sent (validated or not), in order. */
  received: unknown[];
  decisions: Array<{ stepId: string; answer: PanelDecision }>;
  consoleLines: string[];
  setPending(cards: PendingCard[]): void;
  setState(s: GateState): void;
  /** Wait until a received message satisfies `pred`. */
  waitFor(pred: (m: WebviewToHost) => boolean, timeoutMs?: number): Promise<WebviewToHost>;
  close(): Promise<void>;
}

function serve(html: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html());
      return;
    }
    const rel = normalize(url.pathname).replace(/^\/+/, '');
    if (!rel.startsWith('dist/webview/') && !rel.startsWith('media/')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(join(root, rel));
      res.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

export async function startPanel(o: { queries: RunLogQueries; ui?: PanelUi; viewport?: { width: number; height: number }; pollMs?: number; deadLetters?: DeadLetterPort }): Promise<PanelHarness> {
  let pending: PendingCard[] = [];
  let state: GateState = { gate: 'armed', pending: 0 };
  const listeners = new Set<() => void>();
  const decisions: PanelHarness['decisions'] = [];
  const received: unknown[] = [];
  const consoleLines: string[] = [];
  const waiters: Array<{ pred: (m: WebviewToHost) => boolean; resolve: (m: WebviewToHost) => void }> = [];

  let origin = '';
  const { server, origin: o2 } = await serve(() =>
    runLogHtml({ cspSource: origin, nonce: randomBytes(18).toString('base64url'), scriptUri: `${origin}/dist/webview/runLog.js`, styleUris: [`${origin}/dist/webview/codicon.css`, `${origin}/media/runLog.css`] }),
  );
  origin = o2;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: { ...process.env, ...(BROWSER.path ? BROWSER.env : {}) } as Record<string, string> });
  const page = await browser.newPage({ viewport: o.viewport ?? { width: 1280, height: 900 } });
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));

  const controller = new RunLogController(
    {
      queries: o.queries,
      pending: () => pending,
      state: () => state,
      onDidChange: (l) => {
        listeners.add(l);
        return { dispose: () => listeners.delete(l) };
      },
      decide: (stepId, answer) => {
        if (!pending.some((c) => c.stepId === stepId)) return false;
        decisions.push({ stepId, answer });
        pending = pending.filter((c) => c.stepId !== stepId);
        return true;
      },
      log: { info: (m) => consoleLines.push(`host info: ${m}`), warn: (m) => consoleLines.push(`host warn: ${m}`) },
      ...(o.deadLetters ? { deadLetters: o.deadLetters } : {}),
    },
    o.ui ?? { pickExportTarget: async () => undefined, writeExport: async () => undefined },
    (m) => void page.evaluate((msg) => window.postMessage(msg, '*'), m).catch(() => undefined),
    o.pollMs ?? 200,
  );
  await page.exposeFunction('__airlockPost', (m: unknown) => {
    received.push(m);
    void controller.receive(m);
    for (const w of [...waiters]) {
      if (m && typeof m === 'object' && w.pred(m as WebviewToHost)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m as WebviewToHost);
      }
    }
  });
  // A string, not a function: tsx's transform would add helpers the page does not have.
  await page.addInitScript({
    content: `(() => {
      let saved;
      window.acquireVsCodeApi = () => ({
        postMessage: (m) => window.__airlockPost(JSON.parse(JSON.stringify(m))),
        getState: () => saved,
        setState: (s) => { saved = s; },
      });
    })();`,
  });
  await page.goto(origin);
  const fire = (): void => {
    for (const l of listeners) l();
  };
  return {
    page,
    browser,
    received,
    decisions,
    consoleLines,
    setPending: (c) => {
      pending = c;
      fire();
    },
    setState: (s) => {
      state = s;
      fire();
    },
    waitFor: (pred, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const hit = received.find((m) => m && typeof m === 'object' && pred(m as WebviewToHost));
        if (hit) return resolve(hit as WebviewToHost);
        const w = { pred, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`no matching message from the webview within ${timeoutMs} ms; got ${JSON.stringify(received.slice(-5))}`));
          }
        }, timeoutMs);
      }),
    close: async () => {
      controller.dispose();
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
