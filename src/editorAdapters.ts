/**
 * The composition root's second half (with src/extension.ts): the node adapters the editor opens on
 * first use, not at activation — the tools' MCP and database layers, the run log's queries, the
 * checkpoint store, the policy review, the agents' hook installers. esbuild keeps them in
 * dist/extension.js but evaluates a module reached only through require() when it is first required
 * (bench/editor.ts measures activation). Nothing here is on the gate's path: the gate host and
 * everything it judges with start in activate().
 */
import type { AgentHooks } from './core/gateControl';
import type { CheckpointPort } from './core/run/checkpointPort';
import type { EditorTools } from './node/mcp/lmTools';
import type { LedgerQueries } from './node/ledger/queries';
import type { PanelDbUndo } from './node/checkpoints/dbUndoRows';
import type { CheckpointSettings } from './node/checkpoints/settings';
import type { GateHost } from './node/gate/gateHost';
import type { DbSpec } from './node/mcp/databases';
import type { ListPort, SecretPort } from './node/db/connections';

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

/** What the adapters need from the editor, as plain values and ports (this file does not import 'vscode'). */
export interface AdapterContext {
  home: string;
  roots: string[];
  gate: GateHost;
  checkpointSettings: Partial<CheckpointSettings> | false;
  log: (line: string) => void;
  /** The editor session's id: undo steps are recorded under `undo-<id>`. */
  sessionId: string;
  extensionPath: string;
  extensionVersion: string;
  /** The editor's secret storage and global state, where database connections are kept. */
  secrets: SecretPort;
  state: ListPort;
  /** Owns what must be closed when the extension deactivates. */
  onDispose: (dispose: () => void) => void;
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

/** Every adapter the editor's features use, each built on its first call. */
export function editorAdapters(a: AdapterContext) {
  const { home, roots, gate, log } = a;
  // Airlock's own tools for Copilot; their effect store's dead letters are listed in the run log panel.
  let toolsOpen: EditorTools | undefined;
  const tools = (): EditorTools => (toolsOpen ??= new (lazy.tools().EditorTools)({ home, workspaceRoots: roots, gate: () => gate.currentGate(), log }));
  a.onDispose(() => toolsOpen?.close());
  let queries: LedgerQueries | undefined;
  const openQueries = (): LedgerQueries => (queries ??= lazy.queries().LedgerQueries.open(gate.ledgerPath));
  // Undo of a database write from its before-images, through this window's gate (recorded): the
  // run log's Undo button and the database commands both call this.
  const undoDb = async (target: string, requestedBy: string) => {
    const store = tools().effectStore();
    const g = gate.currentGate();
    if (!store) return { ok: false as const, code: 'internal' as const, message: 'the effect store could not open' };
    if (!g) return { ok: false as const, code: 'denied' as const, message: 'the gate of this window is not running (killed, stopped or starting); nothing is undone until it is armed' };
    return lazy.dbUndo().undoStep(target, { store, gate: g, connection: (n) => tools().database(n), sessionId: `undo-${a.sessionId}`, requestedBy });
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
  // The checkpoint store the panel and the menu read (same home and settings as the gate's), opened
  // on first use; every call is async, so a store that cannot open rejects the call that needed it.
  let cpOpen: CheckpointPort | undefined;
  const cp = (): CheckpointPort => {
    if (cpOpen) return cpOpen;
    const m = lazy.checkpoints();
    const settings = a.checkpointSettings === false ? {} : a.checkpointSettings;
    return (cpOpen = new m.PanelCheckpoints(new m.CheckpointStore(home, settings), openQueries, () => gate.currentGate(), `undo-${a.sessionId}`, panelDb));
  };
  const checkpoints: CheckpointPort = {
    plan: async (...x) => cp().plan(...x),
    contentAt: async (...x) => cp().contentAt(...x),
    mergedAt: async (...x) => cp().mergedAt(...x),
    undo: async (...x) => cp().undo(...x),
    stats: async () => cp().stats(),
    clear: async () => cp().clear(),
  };
  return {
    tools,
    toolsOpened: () => toolsOpen !== undefined,
    undoDb,
    checkpoints,
    runLogRows: () => lazy.dbUndoRows().withDbUndo(openQueries(), panelDb),
    agentHooks: lazyAgentHooks(() => lazy.agentHooks().editorAgentHooks({ extensionPath: a.extensionPath, airlockHome: home, projectDir: roots[0] })),
    userPolicy: () => lazy.policyStore().loadEffectivePolicy({ workspaceRoots: [] }).policy,
    mcpLaunch: (databases: DbSpec[]) =>
      lazy.mcpDefinition().airlockMcpLaunch({ extensionPath: a.extensionPath, extensionVersion: a.extensionVersion, execPath: process.execPath, discoveryPath: gate.discoveryPath, home, workspaceRoots: roots, databases }),
    connections: () => new (lazy.connections().ConnectionRegistry)(a.secrets, a.state),
    reviewPolicy: () => lazy.policyReview().reviewWorkspacePolicy({ home, workspaceRoots: roots }),
    acceptPolicy: (hash: string) => lazy.policyReview().acceptWorkspacePolicy({ home, workspaceRoots: roots }, hash),
  };
}
