/**
 * Airlock's tools for Copilot agent mode (VS Code language model tools), without the editor:
 *
 * - `preview` (prepareInvocation): builds the action exactly as the tool runner would and judges it
 *   with the window's effective policy, the kill flag and pause (a pure judge call: nothing runs,
 *   nothing is recorded, no dry run).
 * - `invoke`: the same ToolRunner as `airlock mcp` (idempotency, ledger, dry runs, compare-and-swap),
 *   gated AGAIN by the window's gate. The preview is never trusted: a person can switch Copilot's
 *   confirmations off, and the world may have changed between the two (a symlink swapped in, the
 *   policy edited, the kill switch pulled).
 *
 * Fail closed: no gate (killed, stopped, starting) -> every call is denied with that reason; no
 * effect store (a native module that cannot load in this runtime) -> every call is refused with it.
 */
import type { Action } from '../../core/action';
import { emptyFlags } from '../../core/effects';
import { judge } from '../../core/judge';
import type { EffectivePolicy } from '../../core/policy/layers';
import type { HookRequest, HookResponse } from '../../core/protocol/bridge';
import { airlockToolListings } from '../../core/tools/airlockTools';
import { failure, type Envelope } from '../../core/tools/contract';
import { airlockToolOf, languageModelToolContributions, preparedView, type LmToolContribution, type PreparedView, type ToolPreview } from '../../core/tools/editorTools';
import type { DbConnection } from '../db/types';
import type { DbSpec } from './databases';
import { readKillFlag } from '../bridge/discovery';
import { machineEnvironment } from '../environment';
import { judgeAsGate } from '../checkpoints/feasible';
import type { CheckpointSettings } from '../checkpoints/settings';
import { canonicalJson } from '../../core/hash';
import { maskDeep, maskSecrets } from '../../core/mask';
import { DEAD_LETTER_ARGS_CHARS, MAX_DEAD_LETTERS, type DeadLetterView } from '../../core/protocol/panel';
import { EffectStore, type DeadLetter } from '../ledger/idempotency';
import { defaultPaths } from './server';
import { retryDeadLetter } from './start';
import { ToolRunner, type GateLike } from './tools';

/** What the editor tools need from the window's gate (GateHost.currentGate() gives a Gate). */
export interface WindowGate {
  hook(req: HookRequest): Promise<HookResponse>;
  currentPolicy(): EffectivePolicy;
  readonly paused: string | undefined;
  /** The gate's checkpoint settings, false when it takes none (absent: none). The preview judges as the gate will. */
  readonly checkpointSettings?: CheckpointSettings | false;
}

export interface EditorToolsOptions {
  home: string;
  workspaceRoots: string[];
  /** The window's gate right now (undefined while killed, stopped or starting). */
  gate(): WindowGate | undefined;
  log(line: string): void;
  /** Default: the same effect store as `airlock mcp` (<home>/effects.sqlite). */
  openStore?: () => EffectStore;
  sessionId?: string;
  askTimeoutMs?: number;
  databases?: Map<string, DbConnection>;
}

const NO_GATE = "the Airlock gate of this window is not running (killed, stopped or still starting): nothing runs until it is armed";

function denyResponse(reason: string, rule: string): HookResponse {
  return { decision: 'deny', reasons: [reason], rules: [rule], reversibility: 'unknown', runId: '', stepId: '', actionHash: '' };
}

export class EditorTools {
  private runner: ToolRunner | undefined;
  private store: EffectStore | undefined;
  private storeError: string | undefined;
  readonly sessionId: string;
  /** The connections the tools see; the same Map the runner holds, replaced in place by setDatabases. */
  private readonly dbs: Map<string, DbConnection>;

  constructor(private readonly o: EditorToolsOptions) {
    this.sessionId = o.sessionId ?? `copilot-${process.pid}-${Date.now().toString(36)}`;
    this.dbs = o.databases ?? new Map();
  }

  /**
   * Replace the configured database connections (Airlock: Add/Remove Database Connection): the old
   * ones are closed, the new ones opened by Airlock (a URL never reaches the model). A connection
   * that cannot open is left out and reported (by name and the port's error, never the URL).
   */
  async setDatabases(specs: readonly DbSpec[]): Promise<{ opened: string[]; failed: { name: string; error: string }[] }> {
    const { openDatabases } = await import('./databases');
    const old = [...this.dbs.values()];
    this.dbs.clear();
    for (const c of old) await c.close().catch(() => undefined);
    const opened: string[] = [];
    const failed: { name: string; error: string }[] = [];
    for (const s of specs) {
      try {
        // A per-run login when the policy asks for one (databases.<name>.runLogin), as for airlock mcp.
        // The window's policy; before its gate is up, the same policy read from disk (never none: that would skip a required login).
        const scopes = this.o.gate()?.currentPolicy().databases ?? (await import('../policy/policyStore')).loadEffectivePolicy({ home: this.o.home, workspaceRoots: this.o.workspaceRoots }).policy.databases;
        const opened1 = await openDatabases([s], { scopes, runId: this.sessionId, log: this.o.log });
        this.dbs.set(s.name, opened1.get(s.name)!);
        opened.push(s.name);
      } catch (e) {
        failed.push({ name: s.name, error: (e as Error)?.message ?? String(e) });
      }
    }
    return { opened, failed };
  }

  /** The open connection of that name (the undo command restores through it). */
  database(name: string): DbConnection | undefined {
    return this.dbs.get(name);
  }

  /** The effect store the tools use (opened on first use), for undo; undefined when it cannot open. */
  effectStore(): EffectStore | undefined {
    this.ensureRunner();
    return this.store;
  }

  /** The package.json `languageModelTools` entries these tools are registered under. */
  static contributions(): LmToolContribution[] {
    return languageModelToolContributions(airlockToolListings());
  }

  private gateLike(): GateLike {
    return { hook: (req) => this.o.gate()?.hook(req) ?? Promise.resolve(denyResponse(NO_GATE, 'gate.unreachable')) };
  }

  /** The runner, opened on first use; undefined (with storeError) when the effect store cannot open. */
  private ensureRunner(): ToolRunner | undefined {
    if (this.runner) return this.runner;
    if (this.storeError) return undefined;
    try {
      this.store = (this.o.openStore ?? (() => EffectStore.open(defaultPaths(this.o.home).effects)))();
    } catch (e) {
      this.storeError = (e as Error)?.message ?? String(e);
      this.o.log(`language model tools: the effect store could not open (${this.storeError}); every call is refused`);
      return undefined;
    }
    this.runner = new ToolRunner({
      gate: this.gateLike(),
      store: this.store,
      workspaceRoots: this.o.workspaceRoots,
      sessionId: this.sessionId,
      agent: 'copilot',
      askTimeoutMs: this.o.askTimeoutMs ?? 120_000,
      log: this.o.log,
      databases: this.dbs,
      // Named queries (the named_query tool) and the free-form switch, from the window's policy, read per call.
      dbScopes: () => this.o.gate()?.currentPolicy().databases ?? {},
    });
    return this.runner;
  }

  private storeFailure(tool: string): Envelope {
    return failure('internal', `Airlock cannot carry out ${tool} here: its effect store did not open (${this.storeError ?? 'unknown error'}); nothing was done`, `lm:${Date.now().toString(36)}`, null);
  }

  /** Judge a call without acting (prepareInvocation). Accepts the Airlock name or the `airlock_` name. */
  async preview(name: string, input: unknown): Promise<ToolPreview> {
    const tool = airlockToolOf(name) ?? name;
    const runner = this.ensureRunner();
    if (!runner) return { kind: 'fails', tool, code: 'internal', message: `the effect store did not open (${this.storeError ?? '?'})` };
    const a = await runner.actionFor(tool, input);
    if (!a.ok) return a.envelope.ok ? { kind: 'fails', tool, code: 'internal', message: 'unexpected' } : { kind: 'fails', tool, code: a.envelope.error.code, message: a.envelope.error.message };
    if (!a.action) return { kind: 'judged', tool, decision: 'allow', reversibility: 'read', effects: [], flags: emptyFlags(), reasons: ['lists configured connection names only'], rules: [] };
    return this.judgeAction(tool, a.action);
  }

  private judgeAction(tool: string, action: Action): ToolPreview {
    const gate = this.o.gate();
    const none = emptyFlags();
    if (!gate) return { kind: 'judged', tool, decision: 'deny', reversibility: 'unknown', effects: [], flags: none, reasons: [NO_GATE], rules: ['gate.unreachable'], action };
    const kill = readKillFlag(this.o.home);
    const paused = gate.paused;
    const cwd = 'cwd' in action && action.cwd ? action.cwd : this.o.workspaceRoots[0] ?? process.cwd();
    const roots = this.o.workspaceRoots.length ? this.o.workspaceRoots : [cwd];
    const policy = gate.currentPolicy();
    const state = { killed: kill.killed, mode: 'interactive' as const, canSnapshot: false, ...(paused ? { paused } : {}) };
    const env = machineEnvironment(cwd, roots);
    // As the gate will judge it: a workspace change it can checkpoint first runs without a confirmation.
    const d = judgeAsGate(() => judge(action, policy, { ...state, canSnapshot: true }, env), () => judge(action, policy, state, env), roots, gate.checkpointSettings ?? false);
    return { kind: 'judged', tool, decision: d.decision, reversibility: d.reversibility, effects: d.effects, flags: d.flags, reasons: d.reasons, rules: d.rules, action };
  }

  /** preview + the view the editor shows (invocation message, inline confirmation for asks). */
  async prepare(name: string, input: unknown): Promise<PreparedView & { preview: ToolPreview }> {
    const preview = await this.preview(name, input);
    return { ...preparedView(preview), preview };
  }

  /** Carry out a call through the gate (checked again, whatever the preview said). Never throws. */
  async invoke(name: string, input: unknown): Promise<Envelope> {
    const tool = airlockToolOf(name) ?? name;
    try {
      const runner = this.ensureRunner();
      if (!runner) return this.storeFailure(tool);
      return await runner.call(tool, input);
    } catch (e) {
      this.o.log(`language model tool ${tool}: ${(e as Error)?.stack ?? String(e)}`);
      return failure('internal', `internal error in Airlock's ${tool}: ${(e as Error)?.message ?? String(e)}; nothing more is known`, `lm:${Date.now().toString(36)}`, null);
    }
  }

  /** The open dead letters of the effect store these tools use (the run log panel lists them). Throws when the store cannot open. */
  listDeadLetters(): DeadLetterView[] {
    this.requireRunner();
    return this.store!.listDeadLetters({ status: 'dead', limit: MAX_DEAD_LETTERS }).map(deadLetterView);
  }

  /** Retry a dead letter: the same ToolRunner call, gated again by the window's gate, with its idempotency key. */
  async retryDeadLetter(id: number): Promise<{ ok: boolean; message: string }> {
    const runner = this.requireRunner();
    const r = await retryDeadLetter({ runner, store: this.store! }, id);
    if ('error' in r) return { ok: false, message: r.error };
    const env = r.result as Envelope;
    if (r.letter.status === 'retried' && env.ok) return { ok: true, message: `${r.letter.tool} completed on retry (dead letter ${id} resolved)` };
    const why = env.ok ? 'the call did not complete' : env.error.message;
    return { ok: false, message: `${r.letter.tool} did not complete on retry: ${why}${r.letter.status === 'dead' ? ` (dead letter ${id} stays open)` : ` (dead letter ${id}: ${r.letter.resolution ?? r.letter.status})`}` };
  }

  /** Give up on a dead letter (the key stays dead). Throws when there is no open letter with this id. */
  discardDeadLetter(id: number, by = 'a person in the run log panel'): void {
    this.requireRunner();
    if (!this.store!.discardDeadLetter(id, `discarded by ${by}`)) throw new Error(`no open dead letter ${id} (already retried or discarded)`);
    this.o.log(`dead letter ${id} discarded by ${by}`);
  }

  private requireRunner(): ToolRunner {
    const runner = this.ensureRunner();
    if (!runner || !this.store) throw new Error(`the effect store did not open (${this.storeError ?? 'unknown error'})`);
    return runner;
  }

  close(): void {
    for (const c of this.dbs.values()) void c.close().catch(() => undefined);
    this.dbs.clear();
    this.store?.close();
    this.store = undefined;
    this.runner = undefined;
  }
}

/** A dead letter as the run log panel shows it (arguments as canonical JSON, secrets masked, cut for the list). */
export function deadLetterView(d: DeadLetter): DeadLetterView {
  const args = canonicalJson(maskDeep(d.args));
  return {
    id: d.id,
    tool: d.tool.slice(0, 4096),
    args: args.slice(0, DEAD_LETTER_ARGS_CHARS),
    argsTruncated: args.length > DEAD_LETTER_ARGS_CHARS,
    error: maskSecrets(d.error).slice(0, 16 * 1024),
    errorCode: d.errorCode,
    attempts: d.attempts,
    createdAt: d.createdAt,
  };
}
