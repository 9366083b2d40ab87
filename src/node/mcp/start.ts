/**
 * Composition of `airlock mcp`: the gate (running one over the bridge, or in-process), the effect
 * store, the database connections and the tool runner. The CLI, the tests, the bench and (later) the
 * extension build the server through `openAirlockMcp`.
 */
import { probeGate } from '../bridge/client';
import type { Approver } from '../../core/run/approver';
import type { DbConnection } from '../db/types';
import { unwatchFile, watch, watchFile, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { killFlagPath, readDiscovery, readKillFlag } from '../bridge/discovery';
import { EffectStore, type DeadLetter } from '../ledger/idempotency';
import { bridgeGate, defaultPaths, localGate, type OpenedGate } from './server';
import { ToolRunner } from './tools';
import type { CheckpointSettings } from '../checkpoints/settings';
import { loadEffectivePolicy } from '../policy/policyStore';

export interface McpStartOptions {
  home: string;
  ledgerPath?: string;
  effectsPath?: string;
  discoveryPath: string;
  workspaceRoots: string[];
  workspacePolicy?: string;
  mode: 'interactive' | 'ci';
  /** auto: the running gate when one answers its health check, else in-process. */
  gate: 'auto' | 'local' | 'bridge';
  approver?: Approver;
  askTimeoutMs: number;
  databases?: Map<string, DbConnection>;
  sessionId: string;
  log: (line: string) => void;
  /** Checkpoints of the in-process gate (default: on, from the environment; see LocalGateOptions). */
  checkpoints?: Partial<CheckpointSettings> | false;
}

export interface AirlockMcp {
  runner: ToolRunner;
  store: EffectStore;
  gate: OpenedGate;
  close(): Promise<void>;
}


export async function openGateFor(o: McpStartOptions): Promise<OpenedGate> {
  const paths = defaultPaths(o.home);
  const local = (): OpenedGate => localGate({ home: o.home, ledgerPath: o.ledgerPath ?? paths.ledger, workspaceRoots: o.workspaceRoots, mode: o.mode, log: o.log, ...(o.approver ? { approver: o.approver } : {}), ...(o.checkpoints !== undefined ? { checkpoints: o.checkpoints } : {}), ...(o.workspacePolicy ? { workspacePolicy: o.workspacePolicy } : {}) });
  if (o.gate === 'local' || o.approver) return local();
  const d = readDiscovery(o.discoveryPath);
  if (d.ok && (await probeGate(d.discovery))) return bridgeGate(o.discoveryPath)!;
  if (o.gate === 'bridge') throw new Error(`no running Airlock gate answers (${d.ok ? `${d.discovery.url} is not healthy` : d.reason ?? 'no discovery file'}); start one with airlock serve or the editor`);
  return local();
}

export async function openAirlockMcp(o: McpStartOptions): Promise<AirlockMcp> {
  const gate = await openGateFor(o);
  const store = EffectStore.open(o.effectsPath ?? defaultPaths(o.home).effects);
  o.log(`gate: ${gate.where}; effects: ${store.path}`);
  const stopWatching = revokeOnKill(o.home, o.databases, o.log);
  // Named queries and the free-form switch come from the policy (user + workspace), read per call so an edit applies.
  const dbScopes = () => loadEffectivePolicy({ home: o.home, workspaceRoots: o.workspaceRoots, ...(o.workspacePolicy ? { workspacePolicy: o.workspacePolicy } : {}) }).policy.databases;
  const runner = new ToolRunner({ gate: gate.gate, store, workspaceRoots: o.workspaceRoots, sessionId: o.sessionId, askTimeoutMs: o.askTimeoutMs, log: o.log, ...(o.databases ? { databases: o.databases, dbScopes } : {}) });
  return {
    runner,
    store,
    gate,
    close: async () => {
      stopWatching();
      // Databases first: a per-run login is dropped as early as possible (an agent may not wait long for its server to exit).
      await Promise.all([...(o.databases?.values() ?? [])].map((c) => c.close().catch(() => undefined)));
      await gate.close();
      store.close();
    },
  };
}

/** Retry a dead letter through the runner: the call is gated again and keeps its idempotency key. */
export async function retryDeadLetter(mcp: Pick<AirlockMcp, 'runner' | 'store'>, id: number): Promise<{ letter: DeadLetter; result: unknown } | { error: string }> {
  return mcp.store.retryDeadLetter(id, async (letter) => {
    const result = await mcp.runner.call(letter.tool, letter.args, { key: letter.key });
    return { completed: mcp.store.stateOf(letter.key)?.state === 'done', result };
  });
}

/**
 * The kill switch reaches the databases Airlock opened: when the flag latches (from the editor, or
 * `airlock kill`), every connection is revoked at once (a running PostgreSQL statement is
 * terminated, not left to finish) and the gate refuses every later call. Returns the unwatch.
 */
export function revokeOnKill(home: string, databases: Map<string, DbConnection> | undefined, log: (l: string) => void, intervalMs = 100): () => void {
  if (!databases?.size) return () => undefined;
  const path = killFlagPath(home);
  let done = false;
  const check = (): void => {
    if (done) return;
    const k = readKillFlag(home);
    if (!k.killed) return;
    done = true;
    const reason = k.flag.reason || 'the kill switch was pulled';
    void Promise.all([...databases.values()].map((c) => c.revoke(reason).catch((e: unknown) => `${c.name}: ${(e as Error)?.message ?? String(e)}`))).then((what) => log(`kill switch: revoked database sessions: ${what.join('; ')}`));
  };
  // inotify (or the platform's equivalent) for an immediate answer, the stat poll as the backstop.
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, check);
  } catch {
    watcher = undefined;
  }
  watchFile(path, { interval: intervalMs, persistent: false }, check);
  check();
  return () => {
    watcher?.close();
    unwatchFile(path, check);
  };
}
