/**
 * The extension's entry (src/vscode/entry.ts → dist/extension.js): what VS Code loads and activates. It is small on
 * purpose, so that activation costs the editor little (BENCHMARKS §11): activate() creates the log
 * channel and the status bar item ("Airlock starting"), puts a trampoline on every command the
 * package contributes, and returns. The full start (src/extension.ts, the composition root, its own
 * bundle dist/extensionMain.js: the gate host, every feature, gate.start()) runs right after.
 *
 * Why deferring is safe (fail-closed): until this window's gate is up, no discovery file names it,
 * so an agent's hook finds no gate (or an unreachable one) and judges with the shim's offline judge,
 * which only lets reads through (src/node/agents/shim.ts, core/judge.ts mode 'offline'). A command
 * invoked while the start runs waits for it and then runs; if the start fails, the status bar and
 * the command say why.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AirlockStatus } from '../core/gateControl';
import { createStatusItem, renderStatusItem } from './statusBar';

/** What the entry hands over: its log channel, its status bar item, and the hook that drops its command trampolines. */
export interface EntryParts {
  log: vscode.LogOutputChannel;
  statusItem: vscode.StatusBarItem;
  /** Called right before the features register their commands (no "command already exists"). */
  beforeCommands(): void;
}

/** The started extension: the gate's state word, the timings of the start, and the gate host's disposal. */
export interface Started {
  gate(): string;
  /** ms registering the features, ms starting the gate (bridge, ledger, policy). */
  timing: { registerMs: number; gateStartMs: number };
  dispose(): Promise<void>;
}

/** The full start's bundle (src/extension.ts). */
interface FullStart {
  start(context: vscode.ExtensionContext, entry: EntryParts): Promise<Started>;
}

/** performance.now() when the bundle began to evaluate (esbuild banner; absent when loaded from source). */
declare const __airlockBundleStart: number | undefined;

/** "(bundle evaluated in N ms from T)" for the activation log line: T is the epoch ms the bundle began to evaluate. */
function loadTiming(activateStart: number): string {
  if (typeof __airlockBundleStart !== 'number') return '';
  return ` (bundle evaluated in ${Math.round(activateStart - __airlockBundleStart)} ms from ${(performance.timeOrigin + __airlockBundleStart).toFixed(1)})`;
}

/** The full start: scheduled by activate(), awaited by deactivate() and by the trampolines. */
let started: Promise<Started> | undefined;
/** Clears the scheduled start when deactivate() comes before it began. */
let cancelStart: (() => void) | undefined;
let cancelled = false;

/** Epoch ms now, to 0.1 ms (the log lines carry it: their own timestamps are when the line was written). */
const epochNow = (): string => (performance.timeOrigin + performance.now()).toFixed(1);

function statusOf(gate: AirlockStatus['gate'], reason?: string): AirlockStatus {
  return { gate, pending: 0, ledger: { ok: true, path: '' }, ...(reason ? { reason } : {}) };
}

/** The command ids the package contributes (each gets a trampoline until the full start registers it). */
function contributedCommands(context: vscode.ExtensionContext): string[] {
  const pkg = context.extension.packageJSON as { contributes?: { commands?: Array<{ command?: unknown }> } };
  return (pkg.contributes?.commands ?? []).map((c) => c.command).filter((c): c is string => typeof c === 'string');
}

export function activate(context: vscode.ExtensionContext): void {
  cancelled = false;
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('Airlock', { log: true });
  context.subscriptions.push(log);
  const statusItem = createStatusItem();
  renderStatusItem(statusItem, statusOf('starting'));
  statusItem.show();
  context.subscriptions.push(statusItem);

  const commands = contributedCommands(context);
  const failure = (e: unknown): string => `Airlock could not start: ${(e as Error)?.message ?? String(e)}`;
  // A command that arrives before the start finishes waits for it, then runs through the real handler.
  const trampoline = (id: string) => async (...args: unknown[]): Promise<unknown> => {
    try {
      await started;
    } catch (e) {
      void vscode.window.showErrorMessage(failure(e));
      return undefined;
    }
    return vscode.commands.executeCommand(id, ...args);
  };
  let trampolines: vscode.Disposable[] = commands.map((id) => vscode.commands.registerCommand(id, trampoline(id)));
  const dropTrampolines = (): void => {
    for (const t of trampolines) t.dispose();
    trampolines = [];
  };
  context.subscriptions.push({ dispose: dropTrampolines });

  // For tests (test/e2e/activation.test.ts) only: hold the full start back, to see "starting" and a command waiting for it.
  const delayMs = Math.min(Math.max(Number(process.env.AIRLOCK_TEST_START_DELAY_MS) || 0, 0), 30_000);
  started = new Promise<Started>((resolve, reject) => {
    const timer = setTimeout(() => {
      cancelStart = undefined;
      const s0 = performance.now();
      try {
        // A computed path: esbuild leaves this require to run time, so dist/extensionMain.js stays a separate file.
        const main = require(join(__dirname, 'extensionMain.js')) as FullStart;
        const loadMs = Math.round(performance.now() - s0);
        main.start(context, { log, statusItem, beforeCommands: dropTrampolines }).then((s) => {
          log.info(`Airlock started (${s.gate()}) ${Math.round(performance.now() - t0)} ms after activation (main bundle loaded in ${loadMs} ms, features registered in ${s.timing.registerMs} ms, gate started in ${s.timing.gateStartMs} ms) at ${epochNow()}`);
          resolve(s);
        }, reject);
      } catch (e) {
        reject(e);
      }
    }, delayMs);
    cancelStart = () => {
      cancelled = true;
      clearTimeout(timer);
      reject(new Error('the window closed before Airlock started'));
    };
  });
  started.catch((e: unknown) => {
    if (cancelled) return;
    log.error(failure(e));
    renderStatusItem(statusItem, statusOf('stopped', failure(e)));
    void vscode.window.showErrorMessage(failure(e));
    // Commands the start did not get to register answer with the failure (instead of "not found").
    for (const id of commands) {
      try {
        context.subscriptions.push(vscode.commands.registerCommand(id, () => void vscode.window.showErrorMessage(failure(e))));
      } catch {
        // registered by the start before it failed: its own handler stays
      }
    }
  });
  // The in-process activation time (activate() alone; the bundle's load is before it) and the epoch ms
  // it returned at (the line itself is written later, once the log channel is ready): bench/editor.ts reads them.
  log.info(`Airlock activated (starting) in ${Math.round(performance.now() - t0)} ms${loadTiming(t0)} at ${epochNow()}`);
}

export async function deactivate(): Promise<void> {
  // Not begun yet: nothing to stop. In flight: wait for it, then stop the gate (bridge, ledger, discovery files).
  cancelStart?.();
  const s = await started?.catch(() => undefined);
  started = undefined;
  await s?.dispose();
}
