/**
 * Composition root of the extension, its full start (src/extension.ts → dist/extensionMain.js), loaded
 * by the entry (src/vscode/entry.ts → dist/extension.js) right after activate() has returned: builds
 * the adapters, registers each feature and starts the gate.
 * Reads like a table of contents.
 *
 * Order matters for fail-closed: until the gate's bridge is up, agents find no gate for this window
 * and their hooks fall back to the shim's offline judge, which only lets reads through; if the gate
 * cannot start at all the status bar says so and that stays the case.
 */
import * as vscode from 'vscode';
import { airlockHome } from './node/environment';
import { GateHost } from './node/gate/gateHost';
import { loadJudge } from './node/gate/gate';
import { editorCheckpointSettings } from './node/checkpoints/settings';
import { editorAdapters } from './editorAdapters';
import type { DbSpec } from './node/mcp/databases';
import { registerCheckpoints } from './vscode/checkpoints';
import { registerAgentCommands } from './vscode/agentCommands';
import { registerApprovals } from './vscode/approvals';
import { registerTrustCommands } from './vscode/trust';
import { FileTrustStore } from './node/policy/trustStore';
import { registerDbCommands } from './vscode/dbCommands';
import { onConfigChange, readConfig } from './vscode/configuration';
import { registerGateEnvironment } from './vscode/gateHost';
import { registerKillSwitch } from './vscode/kill';
import { registerLanguageModelTools } from './vscode/lmTools';
import { registerMcpServer } from './vscode/mcpProvider';
import { checkpointMenuItem, registerMenu } from './vscode/menu';
import { registerPolicyCommands } from './vscode/policyCommands';
import { registerRunCommands } from './vscode/runBudget';
import { registerRunLog } from './vscode/runLog';
import { registerStatusBar } from './vscode/statusBar';
import { registerWorkspacePolicyReview } from './vscode/workspacePolicy';
import type { EntryParts, Started } from './vscode/entry';

/** The language model tool names the package contributes (the same list EditorTools.contributions() generates; a test keeps them equal). */
function contributedToolNames(context: vscode.ExtensionContext): string[] {
  const pkg = context.extension.packageJSON as { contributes?: { languageModelTools?: Array<{ name?: unknown }> } };
  return (pkg.contributes?.languageModelTools ?? []).map((t) => t.name).filter((n): n is string => typeof n === 'string');
}

export async function start(context: vscode.ExtensionContext, entry: EntryParts): Promise<Started> {
  const { log } = entry;
  const t0 = performance.now();
  let host: GateHost | undefined;
  try {
    let config = readConfig();
    onConfigChange(context, (c) => {
      config = c;
      log.info('settings changed (allow-for-run changes apply after a window reload)');
    });
    const home = airlockHome();
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    // Checkpoints: the editor's settings (airlock.checkpoints.*), AIRLOCK_CHECKPOINTS=off on top; read once (reload to change).
    const cpSettings = editorCheckpointSettings(config, process.env);
    host = new GateHost({
      checkpoints: cpSettings,
      home,
      workspaceRoots: roots,
      log: (l) => log.info(l),
      allowForRun: { enabled: config.allowForRunEnabled, ttlMs: config.allowForRunMinutes * 60_000 },
      killEndsProcesses: config.killEndsProcesses,
    });
    const gate = host;
    // What only a command, a panel or a tool call needs is opened on first use (src/editorAdapters.ts).
    const x = editorAdapters({
      home, roots, gate, checkpointSettings: cpSettings, log: (l) => log.info(l), sessionId: vscode.env.sessionId,
      extensionPath: context.extensionPath, extensionVersion: String((context.extension.packageJSON as { version?: unknown }).version ?? '0'),
      secrets: context.secrets, state: context.globalState, onDispose: (dispose) => context.subscriptions.push({ dispose }),
    });

    registerStatusBar(context, gate, entry.statusItem);
    entry.beforeCommands();
    // The menu's checkpoints line (count, size, the last one): the store opens on first use.
    registerMenu(context, () => gate.status(), () => checkpointMenuItem(() => x.checkpoints.stats()));
    const trust = roots[0] ? new FileTrustStore(home, roots[0]) : undefined;
    registerApprovals(context, { queue: gate.approvals, log, config: () => config, ...(trust ? { trust } : {}) });
    registerTrustCommands(context, trust, log);
    const undo = registerCheckpoints(context, x.checkpoints, log);
    registerRunLog(context, gate, x.runLogRows, log, {
      list: () => x.tools().listDeadLetters(),
      retry: (id) => x.tools().retryDeadLetter(id),
      discard: (id) => x.tools().discardDeadLetter(id),
    }, undo);
    registerRunCommands(context, gate, log);
    registerKillSwitch(context, gate, log, () => config.killEndsProcesses);
    registerAgentCommands(context, x.agentHooks, gate, log);
    registerPolicyCommands(context, { userPolicy: x.userPolicy, log });
    registerGateEnvironment(context, gate);
    registerLanguageModelTools(context, { names: contributedToolNames(context), prepare: (n, i) => x.tools().prepare(n, i), invoke: (n, i) => x.tools().invoke(n, i) }, log);
    // Database connections configured in Airlock (URLs in the secret storage): the tools open them here,
    // the MCP server gets them through its own environment (never its command line).
    let dbSpecs: DbSpec[] = [];
    const launchChanged = new Set<() => void>();
    registerMcpServer(context, {
      launch: () => x.mcpLaunch(dbSpecs),
      gateArmed: () => gate.status().gate === 'armed' || gate.status().gate === 'paused',
      onGateChange: (l) => gate.onStatus(() => l()),
      onLaunchChange: (l) => {
        launchChanged.add(l);
        return () => launchChanged.delete(l);
      },
    }, log);
    const dbRegistry = x.connections();
    void registerDbCommands(context, {
      registry: dbRegistry,
      refresh: async () => {
        const { specs, missing } = await dbRegistry.specs();
        if (missing.length) log.warn(`database connections without a stored secret (left out): ${missing.join(', ')}`);
        dbSpecs = specs;
        // No connection configured and the tools not open yet: nothing to open or close.
        if (specs.length || x.toolsOpened()) {
          const r = await x.tools().setDatabases(specs);
          for (const f of r.failed) log.warn(`database connection ${f.name} did not open: ${f.error}`);
        }
        for (const l of launchChanged) l();
      },
      recent: () => x.tools().effectStore()?.recentUndoable(50),
      undo: x.undoDb,
    }, log);
    registerWorkspacePolicyReview(context, { ...(roots[0] ? { root: roots[0] } : {}), review: x.reviewPolicy, accept: x.acceptPolicy }, log);

    const t1 = performance.now();
    await gate.start().catch((e: unknown) => {
      // Shown loudly, the rest goes on: agents fall back to the offline judge (reads only).
      log.error(`gate did not start: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Airlock: the gate could not start (${(e as Error).message}). Agents can only read until it runs.`);
    });
    const t2 = performance.now();
    // Asks queued while no person was connected: offered once this window's gate is up.
    void import('./vscode/queuedApprovals').then((m) => m.offerQueuedApprovals({ list: () => gate.queuedApprovals(), decide: (id, a) => gate.decideQueued(id, a) }, log));
    // The judge's classifiers are loaded once the window has settled, so that the first agent call
    // does not wait for them (a call that comes sooner loads them itself: same judge either way).
    const warm = setTimeout(() => {
      try {
        loadJudge();
      } catch (e) {
        log.error(`the judge could not load: ${(e as Error).message} (every call will be denied with this reason)`);
      }
    }, 1500);
    warm.unref();
    context.subscriptions.push({ dispose: () => clearTimeout(warm) });
    return {
      gate: () => gate.status().gate,
      timing: { registerMs: Math.round(t1 - t0), gateStartMs: Math.round(t2 - t1) },
      dispose: () => gate.dispose(),
    };
  } catch (e) {
    // Half a start: the bridge, ledger and discovery file go again (the entry reports the failure).
    await host?.dispose().catch(() => undefined);
    throw e;
  }
}
