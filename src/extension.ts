/**
 * Composition root: builds the adapters and registers each feature. Reads like a table of contents.
 *
 * Order matters for fail-closed: the gate host starts before anything else, and if it cannot start
 * at all the status bar still shows it (agents then fall back to the shim's offline judge, which
 * only lets reads through).
 */
import * as vscode from 'vscode';
import type { AgentHooks } from './core/gateControl';
import type { CheckpointPort } from './core/run/checkpointPort';
import type { EditorTools } from './node/mcp/lmTools';
import type { LedgerQueries } from './node/ledger/queries';
import type { PanelDbUndo } from './node/checkpoints/dbUndoRows';
import { airlockHome } from './node/environment';
import { GateHost } from './node/gate/gateHost';
import { loadJudge } from './node/gate/gate';
import { editorCheckpointSettings } from './node/checkpoints/settings';
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

/*
 * Loaded on first use, not at activation: what only a command, a panel or a tool call needs (the
 * tools' MCP and database layers, the run log's queries, the checkpoint store, the policy review,
 * the agents' hook installers). esbuild keeps them in dist/extension.js but evaluates a module
 * reached only through require() when it is first required (bench/editor.ts measures activation).
 * Nothing here is on the gate's path: the gate host and everything it judges with start in activate().
 */
const lazy = {
  tools: () => require('./node/mcp/lmTools') as typeof import('./node/mcp/lmTools'),
  queries: () => require('./node/ledger/queries') as typeof import('./node/ledger/queries'),
  dbUndoRows: () => require('./node/checkpoints/dbUndoRows') as typeof import('./node/checkpoints/dbUndoRows'),
  dbUndo: () => require('./node/db/undo') as typeof import('./node/db/undo'),
  connections: () => require('./node/db/connections') as typeof import('./node/db/connections'),
  checkpoints: () => ({
    ...(require('./node/checkpoints/panelUndo') as typeof import('./node/checkpoints/panelUndo')),
    ...(require('./node/checkpoints/store') as typeof import('./node/checkpoints/store')),
  }),
  agentHooks: () => require('./node/agents/install/editorHooks') as typeof import('./node/agents/install/editorHooks'),
  mcpDefinition: () => require('./node/mcp/definition') as typeof import('./node/mcp/definition'),
  policyStore: () => require('./node/policy/policyStore') as typeof import('./node/policy/policyStore'),
  policyReview: () => require('./node/policy/workspacePolicyReview') as typeof import('./node/policy/workspacePolicyReview'),
};

/** The language model tool names the package contributes (the same list EditorTools.contributions() generates; a test keeps them equal). */
function contributedToolNames(context: vscode.ExtensionContext): string[] {
  const pkg = context.extension.packageJSON as { contributes?: { languageModelTools?: Array<{ name?: unknown }> } };
  return (pkg.contributes?.languageModelTools ?? []).map((t) => t.name).filter((n): n is string => typeof n === 'string');
}

/** The agents' hook installers, loaded when a hooks command first runs. */
function lazyAgentHooks(load: () => AgentHooks): AgentHooks {
  let h: AgentHooks | undefined;
  const get = (): AgentHooks => (h ??= load());
  return {
    get agents() {
      return get().agents;
    },
    install: (agent, scope) => get().install(agent, scope),
    uninstall: (agent, scope) => get().uninstall(agent, scope),
    status: (agent) => get().status(agent),
  };
}

let host: GateHost | undefined;
/** performance.now() when the bundle began to evaluate (esbuild banner; absent when loaded from source). */
declare const __airlockBundleStart: number | undefined;

/** "(bundle evaluated in N ms from T)" for the activation log line: T is the epoch ms the bundle began to evaluate. */
function loadTiming(activateStart: number): string {
  if (typeof __airlockBundleStart !== 'number') return '';
  return ` (bundle evaluated in ${Math.round(activateStart - __airlockBundleStart)} ms from ${(performance.timeOrigin + __airlockBundleStart).toFixed(1)})`;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('Airlock', { log: true });
  context.subscriptions.push(log);
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

    registerStatusBar(context, gate);
    // The menu's checkpoints line (count, size, the last one): the store is opened below.
    registerMenu(context, () => gate.status(), () => checkpointMenuItem(() => checkpoints.stats()));
    const trust = roots[0] ? new FileTrustStore(home, roots[0]) : undefined;
    registerApprovals(context, { queue: gate.approvals, log, config: () => config, ...(trust ? { trust } : {}) });
    registerTrustCommands(context, trust, log);
    // Airlock's own tools for Copilot; their effect store's dead letters are listed in the run log panel.
    // Created on first use (a tool call, a database command, the run log's dead letters or undo).
    let toolsOpen: EditorTools | undefined;
    const tools = (): EditorTools => (toolsOpen ??= new (lazy.tools().EditorTools)({ home, workspaceRoots: roots, gate: () => gate.currentGate(), log: (l) => log.info(l) }));
    context.subscriptions.push({ dispose: () => toolsOpen?.close() });
    // Undo from the run log: the checkpoints the gate took (same home and settings as the gate's).
    let queries: LedgerQueries | undefined;
    const openQueries = (): LedgerQueries => (queries ??= lazy.queries().LedgerQueries.open(gate.ledgerPath));
    // Undo of a database write from its before-images, through this window's gate (recorded): the
    // run log's Undo button and the database commands both call this.
    const undoDb = async (target: string, requestedBy: string) => {
      const store = tools().effectStore();
      const g = gate.currentGate();
      if (!store) return { ok: false as const, code: 'internal' as const, message: 'the effect store could not open' };
      if (!g) return { ok: false as const, code: 'denied' as const, message: 'the gate of this window is not running (killed, stopped or starting); nothing is undone until it is armed' };
      return lazy.dbUndo().undoStep(target, { store, gate: g, connection: (n) => tools().database(n), sessionId: `undo-${vscode.env.sessionId}`, requestedBy });
    };
    // Database writes with before-images get the same Undo in the run log.
    const panelDb = (): PanelDbUndo | undefined => {
      const store = tools().effectStore();
      if (!store) return undefined;
      return {
        images: (stepId) => store.beforeImagesFor(stepId),
        undo: async (stepId, requestedBy) => {
          const r = await undoDb(stepId, requestedBy);
          return r.ok ? { ok: true, rowsRestored: r.rowsRestored, tables: r.tables } : { ok: false, message: r.message };
        },
      };
    };
    // The checkpoint store the panel and the menu read, opened on first use (every call is async).
    let cpOpen: CheckpointPort | undefined;
    const cp = (): CheckpointPort => {
      if (cpOpen) return cpOpen;
      const m = lazy.checkpoints();
      return (cpOpen = new m.PanelCheckpoints(new m.CheckpointStore(home, cpSettings === false ? {} : cpSettings), openQueries, () => gate.currentGate(), `undo-${vscode.env.sessionId}`, panelDb));
    };
    // (async: a store that cannot open rejects the call that needed it, as its own calls do.)
    const checkpoints: CheckpointPort = {
      plan: async (...a) => cp().plan(...a),
      contentAt: async (...a) => cp().contentAt(...a),
      mergedAt: async (...a) => cp().mergedAt(...a),
      undo: async (...a) => cp().undo(...a),
      stats: async () => cp().stats(),
      clear: async () => cp().clear(),
    };
    const undo = registerCheckpoints(context, checkpoints, log);
    registerRunLog(context, gate, () => lazy.dbUndoRows().withDbUndo(openQueries(), panelDb), log, {
      list: () => tools().listDeadLetters(),
      retry: (id) => tools().retryDeadLetter(id),
      discard: (id) => tools().discardDeadLetter(id),
    }, undo);
    registerRunCommands(context, gate, log);
    registerKillSwitch(context, gate, log, () => config.killEndsProcesses);
    registerAgentCommands(context, lazyAgentHooks(() => lazy.agentHooks().editorAgentHooks({ extensionPath: context.extensionPath, airlockHome: home, projectDir: roots[0] })), gate, log);
    registerPolicyCommands(context, { userPolicy: () => lazy.policyStore().loadEffectivePolicy({ workspaceRoots: [] }).policy, log });
    registerGateEnvironment(context, gate);
    registerLanguageModelTools(context, { names: contributedToolNames(context), prepare: (n, i) => tools().prepare(n, i), invoke: (n, i) => tools().invoke(n, i) }, log);
    // Database connections configured in Airlock (URLs in the secret storage): the tools open them here,
    // the MCP server gets them through its own environment (never its command line).
    let dbSpecs: import('./node/mcp/databases').DbSpec[] = [];
    const launchChanged = new Set<() => void>();
    registerMcpServer(context, {
      launch: () => lazy.mcpDefinition().airlockMcpLaunch({ extensionPath: context.extensionPath, extensionVersion: String((context.extension.packageJSON as { version?: unknown }).version ?? '0'), execPath: process.execPath, discoveryPath: gate.discoveryPath, home, workspaceRoots: roots, databases: dbSpecs }),
      gateArmed: () => gate.status().gate === 'armed' || gate.status().gate === 'paused',
      onGateChange: (l) => gate.onStatus(() => l()),
      onLaunchChange: (l) => {
        launchChanged.add(l);
        return () => launchChanged.delete(l);
      },
    }, log);
    const dbRegistry = new (lazy.connections().ConnectionRegistry)(context.secrets, context.globalState);
    void registerDbCommands(context, {
      registry: dbRegistry,
      refresh: async () => {
        const { specs, missing } = await dbRegistry.specs();
        if (missing.length) log.warn(`database connections without a stored secret (left out): ${missing.join(', ')}`);
        dbSpecs = specs;
        // No connection configured and the tools not open yet: nothing to open or close.
        if (!specs.length && !toolsOpen) {
          for (const l of launchChanged) l();
          return;
        }
        const r = await tools().setDatabases(specs);
        for (const f of r.failed) log.warn(`database connection ${f.name} did not open: ${f.error}`);
        for (const l of launchChanged) l();
      },
      recent: () => tools().effectStore()?.recentUndoable(50),
      undo: undoDb,
    }, log);
    registerWorkspacePolicyReview(context, { ...(roots[0] ? { root: roots[0] } : {}), review: () => lazy.policyReview().reviewWorkspacePolicy({ home, workspaceRoots: roots }), accept: (h) => lazy.policyReview().acceptWorkspacePolicy({ home, workspaceRoots: roots }, h) }, log);

    await gate.start().catch((e: unknown) => {
      // Shown loudly, activation goes on: agents fall back to the offline judge (reads only).
      log.error(`gate did not start: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Airlock: the gate could not start (${(e as Error).message}). Agents can only read until it runs.`);
    });
    // Asks queued while no person was connected: offered once this window's gate is up.
    void import('./vscode/queuedApprovals').then((m) => m.offerQueuedApprovals({ list: () => gate.queuedApprovals(), decide: (id, a) => gate.decideQueued(id, a) }, log));
    // The in-process activation time (activate() alone; the bundle's load is before it): bench/editor.ts reads it.
    log.info(`Airlock activated (${gate.status().gate}) in ${Math.round(performance.now() - t0)} ms${loadTiming(t0)}`);
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
  } catch (e) {
    void vscode.window.showErrorMessage(`Airlock failed to activate: ${(e as Error).message}`);
    throw e;
  }
}

export async function deactivate(): Promise<void> {
  // Every registration is owned by context.subscriptions; the gate (bridge, ledger, discovery files) stops here.
  await host?.dispose();
  host = undefined;
}
