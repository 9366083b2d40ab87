/**
 * Airlock's own tools, carried out: parse (strict) -> idempotency claim -> gate (judge, guards,
 * approval, ledger) -> act (with bounded retries for transient failures) -> record the outcome ->
 * validate the envelope against the tool's contract -> store it for retries.
 *
 * Architecture Invariants:
 * - Nothing acts before the gate answered allow; every other answer is an error envelope with the
 *   gate's reasons (code "denied").
 * - A malformed call changes nothing and is not recorded as an action (decision null).
 * - A side effect with a key that already completed is never carried out again: the stored envelope
 *   comes back (`replayed: true`).
 */
import { randomUUID } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import type { Action } from '../../core/action';
import { awaitsPerson, type GATE_CALLERS, type GateLike, type HookRequest } from '../../core/protocol/bridge';
import { AIRLOCK_TOOLS, isAirlockTool, type AirlockToolName } from '../../core/tools/airlockTools';
import { describeIssues, failure, sealEnvelope, type Envelope, type ErrorCode, type GateDecision, type ToolContract } from '../../core/tools/contract';
import type { DbConnection } from '../db/types';
import { checkExpected, prepareFileTool } from './fileTools';
import { NAMED_QUERY_ARG, prepareDbTool } from './dbTools';
import { boundParams, namedQueryInput, namedQueryToolName, type DatabaseScope, type NamedQuery } from '../../core/policy/namedQueries';
import { runShell } from './shellTool';
import { ToolFailure, type Prepared } from './prepared';

export { ToolFailure } from './prepared';
export { runShell } from './shellTool';
export { describeDryRun } from './dbTools';
import { callerKey, derivedKey, EffectStore, RetriesExhausted, withRetries, type RetryPolicy } from '../ledger/idempotency';

export type { GateLike } from '../../core/protocol/bridge';

export const MCP_AGENT = 'airlock-mcp' as const;

export interface ToolRunnerOptions {
  gate: GateLike;
  store: EffectStore;
  workspaceRoots: string[];
  /** The run this server's calls belong to (one per stdio process / HTTP session). */
  sessionId: string;
  databases?: Map<string, DbConnection>;
  /** How long an asked call waits for a person before it is denied ("approval pending"). */
  askTimeoutMs?: number;
  retry?: RetryPolicy;
  /** Most rows saved as a before-image of an approved UPDATE/DELETE. */
  beforeImageLimit?: number;
  log?: (line: string) => void;
  /** Who the ledger records as the caller (default airlock-mcp; the editor's language model tools pass copilot). */
  agent?: (typeof GATE_CALLERS)[number];
  /** Named queries (each its own tool) and the free-form switch per connection, from the policy. */
  dbScopes?: () => Record<string, DatabaseScope>;
}

/** A named query's tool: the connection and query it runs. */
export interface NamedQueryTool {
  tool: string;
  connection: string;
  query: string;
  def: NamedQuery;
}

export class ToolRunner {
  private readonly roots: string[];
  constructor(private readonly o: ToolRunnerOptions) {
    this.roots = o.workspaceRoots.length ? o.workspaceRoots : [process.cwd()];
  }

  /** The session calls belong to when the caller names none (the stdio client's). */
  get sessionId(): string {
    return this.o.sessionId;
  }

  private resolvePath(p: string): string {
    return isAbsolute(p) ? resolve(p) : resolve(this.roots[0]!, p);
  }

  private fileAction(op: 'read' | 'create' | 'write' | 'edit' | 'delete', path: string, extra: { content?: string; oldString?: string; newString?: string } = {}): Action {
    return { kind: 'file', op, path, cwd: this.roots[0]!, workspaceRoots: this.roots, ...extra };
  }

  private db(name: string): DbConnection {
    const c = this.o.databases?.get(name);
    if (!c) throw new ToolFailure('unknown_connection', `no database connection named ${JSON.stringify(name)} is configured in Airlock (configured: ${[...(this.o.databases?.keys() ?? [])].join(', ') || 'none'})`);
    return c;
  }

  private inWorkspace(path: string): boolean {
    return this.roots.some((r) => path === r || path.startsWith(r.endsWith('/') ? r : `${r}/`));
  }

  /**
   * Compare-and-swap before the gate: a write that would conflict is not put to a person. Checked
   * again right before acting (after any approval). Outside the workspace the current hash is not
   * disclosed.
   */
  private precheck(path: string, expected: string | null | undefined): void {
    if (expected === undefined) return;
    try {
      checkExpected(path, expected);
    } catch (e) {
      if (e instanceof ToolFailure && !this.inWorkspace(path)) throw new ToolFailure(e.code, e.message.replace(/: its sha256 is [0-9a-f]{64}, not/, ': its sha256 is not'));
      if (e instanceof ToolFailure) throw e;
      // Unreadable now: let the gate judge it; the check runs again before acting.
    }
  }

  /**
   * The action a call would be judged as, without judging or doing anything (no dry run either):
   * the editor's preview (Copilot's prepareInvocation) judges this. A call that would fail before
   * the gate (malformed, unknown connection, compare-and-swap conflict) gives its error envelope.
   */
  async actionFor(name: string, rawArgs: unknown): Promise<{ ok: true; /** Absent for db_connections (not gated: it only lists names). */ action?: Action } | { ok: false; envelope: Envelope }> {
    const trace = `preview:${randomUUID()}`;
    if (!isAirlockTool(name)) return { ok: false, envelope: failure('unknown_tool', `Airlock has no tool named ${JSON.stringify(name)}`, trace, null) };
    const contract = AIRLOCK_TOOLS[name] as ToolContract;
    const parsed = contract.input.safeParse(rawArgs ?? {});
    if (!parsed.success) return { ok: false, envelope: sealEnvelope(contract, failure('invalid_input', `invalid arguments for ${name}: ${describeIssues(parsed.error)}; nothing was done`, trace, null)) };
    if (name === 'db_connections') return { ok: true };
    let toolName: AirlockToolName = name;
    let args = parsed.data as Record<string, unknown>;
    if (name === 'named_query') {
      const a = parsed.data as { connection: string; query: string; args: Record<string, unknown> };
      const found = this.findNamed(a.connection, a.query);
      if ('error' in found) return { ok: false, envelope: sealEnvelope(contract, failure(found.code, found.error, trace, null)) };
      const n = this.namedArgs(found.named, a.args, `${name} ${a.connection}.${a.query}`);
      if ('error' in n) return { ok: false, envelope: sealEnvelope(contract, failure('invalid_input', n.error, trace, null)) };
      toolName = 'db_query';
      args = n.args;
    }
    try {
      const p = await this.prepare(toolName, args, { dryRun: false });
      return { ok: true, action: p.action };
    } catch (e) {
      if (e instanceof ToolFailure) return { ok: false, envelope: sealEnvelope(contract, failure(e.code, e.message, trace, null, e.opts)) };
      return { ok: false, envelope: sealEnvelope(contract, failure('internal', `internal error in Airlock's ${name}: ${(e as Error)?.message ?? String(e)}`, trace, null)) };
    }
  }

  /** The named queries of the configured connections, each a tool (a connection not opened here has none). */
  namedQueryTools(): NamedQueryTool[] {
    const out: NamedQueryTool[] = [];
    for (const [connection, sc] of Object.entries(this.o.dbScopes?.() ?? {})) {
      if (!this.o.databases?.has(connection)) continue;
      for (const [query, def] of Object.entries(sc.queries)) out.push({ tool: namedQueryToolName(connection, query), connection, query, def });
    }
    return out;
  }

  /** A named query by connection and name, or why there is none (nothing is run either way). */
  private findNamed(connection: string, query: string): { named: NamedQueryTool } | { code: ErrorCode; error: string } {
    if (!this.o.databases?.has(connection)) return { code: 'unknown_connection', error: `no database connection named ${JSON.stringify(connection)} is configured in Airlock (configured: ${[...(this.o.databases?.keys() ?? [])].join(', ') || 'none'})` };
    const all = this.namedQueryTools().filter((t) => t.connection === connection);
    const named = all.find((t) => t.query === query);
    if (!named) return { code: 'invalid_input', error: `connection ${connection} declares no named query ${JSON.stringify(query)} (declared: ${all.map((t) => t.query).join(', ') || 'none'}); nothing was done` };
    return { named };
  }

  /** The db_query arguments a named query's call runs as, or the invalid_input message. */
  private namedArgs(named: NamedQueryTool, rawArgs: unknown, label: string): { args: Record<string, unknown> } | { error: string } {
    const p = namedQueryInput(named.def).safeParse(rawArgs ?? {});
    if (!p.success) return { error: `invalid arguments for ${label}: ${describeIssues(p.error)}; nothing was done` };
    // $1 … bind in declaration order. SQLite reads "$1" as a name: there each $N becomes a plain ?
    // and the values follow the order the placeholders appear in.
    const bound = boundParams(named.def, p.data);
    const sqlite = this.o.databases?.get(named.connection)?.dialect === 'sqlite';
    const order = sqlite ? [...named.def.sql.matchAll(/\$(\d+)\b/g)].map((m) => Number(m[1]) - 1) : [];
    const sql = sqlite ? named.def.sql.replace(/\$(\d+)\b/g, '?') : named.def.sql;
    return { args: { connection: named.connection, sql, params: sqlite ? order.map((i) => bound[i]) : bound, rowCap: named.def.rowCap, [NAMED_QUERY_ARG]: `${named.connection}.${named.query}` } };
  }

  /** Run a named query: as db_query on its connection (judged as a sql read there), with its own strict schema. */
  private async callNamed(named: NamedQueryTool, rawArgs: unknown, label: string, contract: ToolContract, trace: string, opts: { sessionId?: string; key?: string; client?: string }): Promise<Envelope> {
    const n = this.namedArgs(named, rawArgs, label);
    if ('error' in n) return sealEnvelope(contract, failure('invalid_input', n.error, trace, null));
    try {
      return sealEnvelope(contract, await this.gated('db_query', AIRLOCK_TOOLS.db_query as ToolContract, n.args, trace, opts.sessionId ?? this.o.sessionId, opts.key, opts.client));
    } catch (e) {
      this.o.log?.(`${label}: internal error: ${(e as Error)?.stack ?? String(e)}`);
      return sealEnvelope(contract, failure('internal', `internal error in Airlock's ${label}: ${(e as Error)?.message ?? String(e)}`, trace, null));
    }
  }

  /** Carry out one tool call; always resolves with a contract-valid envelope. */
  async call(name: string, rawArgs: unknown, opts: { sessionId?: string; /** The effect-store key to use (dead-letter retries keep theirs). */ key?: string; /** The MCP client's own name (clientInfo.name): selects its role. */ client?: string } = {}): Promise<Envelope> {
    const trace = `mcp:${randomUUID()}`;
    const named = isAirlockTool(name) ? undefined : this.namedQueryTools().find((t) => t.tool === name);
    if (named) return this.callNamed(named, rawArgs, name, AIRLOCK_TOOLS.db_query as ToolContract, trace, opts);
    if (name === 'named_query') {
      // The same named queries behind one tool (the editor's language model tools cannot be declared per query).
      const contract = AIRLOCK_TOOLS.named_query as ToolContract;
      const p = contract.input.safeParse(rawArgs ?? {});
      if (!p.success) return sealEnvelope(contract, failure('invalid_input', `invalid arguments for ${name}: ${describeIssues(p.error)}; nothing was done`, trace, null));
      const a = p.data as { connection: string; query: string; args: Record<string, unknown> };
      const found = this.findNamed(a.connection, a.query);
      if ('error' in found) return sealEnvelope(contract, failure(found.code, found.error, trace, null));
      return this.callNamed(found.named, a.args, `${name} ${a.connection}.${a.query}`, contract, trace, opts);
    }
    if (!isAirlockTool(name)) return failure('unknown_tool', `Airlock has no tool named ${JSON.stringify(name)}`, trace, null);
    const contract = AIRLOCK_TOOLS[name] as ToolContract;
    const parsed = contract.input.safeParse(rawArgs ?? {});
    if (!parsed.success) return sealEnvelope(contract, failure('invalid_input', `invalid arguments for ${name}: ${describeIssues(parsed.error)}; nothing was done`, trace, null));
    const args = parsed.data as Record<string, unknown>;
    try {
      return sealEnvelope(contract, await this.gated(name, contract, args, trace, opts.sessionId ?? this.o.sessionId, opts.key, opts.client));
    } catch (e) {
      this.o.log?.(`${name}: internal error: ${(e as Error)?.stack ?? String(e)}`);
      return sealEnvelope(contract, failure('internal', `internal error in Airlock's ${name}: ${(e as Error)?.message ?? String(e)}`, trace, null));
    }
  }

  private async gated(name: AirlockToolName, contract: ToolContract, args: Record<string, unknown>, trace: string, sessionId: string, givenKey?: string, client?: string): Promise<Envelope> {
    if (name === 'db_connections') {
      const scopes = this.o.dbScopes?.() ?? {};
      const named = this.namedQueryTools();
      const connections = [...(this.o.databases?.values() ?? [])].map((c) => {
        const queries = named.filter((t) => t.connection === c.name).map((t) => ({ query: t.query, tool: t.tool, ...(t.def.description ? { description: t.def.description } : {}), params: Object.fromEntries(Object.entries(t.def.params).map(([k, v]) => [k, v.type])), columns: [...t.def.columns], rowCap: t.def.rowCap }));
        const freeForm = scopes[c.name]?.freeForm;
        return { name: c.name, dialect: c.dialect, readOnly: c.readOnly, ...(freeForm === false ? { freeForm } : {}), ...(queries.length ? { namedQueries: queries } : {}) };
      });
      return { ok: true, data: { connections }, traceId: trace, decision: null };
    }
    // Idempotency: claim the key before anything is judged or done.
    let key: string | undefined;
    if (contract.sideEffects) {
      const { idempotencyKey, ...rest } = args;
      key = givenKey ?? (typeof idempotencyKey === 'string' ? callerKey(name, idempotencyKey) : derivedKey(sessionId, name, rest));
      const claim = this.o.store.begin(key, name, args);
      if (claim.kind === 'replay') return { ...(claim.result as Envelope), replayed: true };
      if (claim.kind === 'in_progress') return failure('in_progress', `the same call (idempotency key) is being carried out right now; retry later for its result`, trace, null, { retryable: true });
      if (claim.kind === 'conflict') return failure('idempotency_conflict', 'this idempotency key was already used with other arguments (or another tool); use a new key', trace, null);
      if (claim.kind === 'dead') return failure('dead_lettered', `this call failed with transient errors until the retries ran out; it is dead letter ${claim.deadLetterId ?? '?'} (airlock dlq retry|discard)`, trace, null, { details: { deadLetterId: claim.deadLetterId ?? null } });
    }
    let finished = false;
    try {
      const env = await this.judgedAndRun(name, args, trace, sessionId, key, givenKey !== undefined || typeof args.idempotencyKey === 'string', client);
      if (key) {
        if (env.kind === 'stored') this.o.store.complete(key, sealEnvelope(contract, env.envelope), env.attempts);
        else if (env.kind === 'released') this.o.store.release(key);
      }
      finished = true;
      return env.envelope;
    } finally {
      if (key && !finished) this.o.store.release(key);
    }
  }

  private async judgedAndRun(name: AirlockToolName, args: Record<string, unknown>, trace: string, sessionId: string, key: string | undefined, explicitKey: boolean, client?: string): Promise<{ kind: 'stored' | 'released' | 'dead'; envelope: Envelope; attempts: number }> {
    let prepared: Prepared;
    try {
      prepared = await this.prepare(name, args);
    } catch (e) {
      if (e instanceof ToolFailure) return { kind: 'released', envelope: failure(e.code, e.message, trace, null, e.opts), attempts: 0 };
      throw e;
    }
    const toolUseId = randomUUID();
    const pre: HookRequest = {
      agent: this.o.agent ?? MCP_AGENT,
      event: 'pre',
      sessionId,
      toolName: name,
      toolUseId,
      action: prepared.action,
      deadlineMs: this.o.askTimeoutMs ?? 120_000,
      ...(client ? { client } : {}),
      ...(prepared.description ? { description: prepared.description } : {}),
    };
    const r = await this.o.gate.hook(pre);
    const decision: GateDecision = { decision: r.decision, reversibility: r.reversibility, reasons: r.reasons, rules: r.rules, stepId: r.stepId, runId: r.runId };
    const traceId = r.stepId || trace;
    if (r.decision !== 'allow') {
      const pending = awaitsPerson(r.reasons);
      const msg = `Airlock ${r.decision === 'ask' ? 'did not get an approval for' : 'denied'} ${name}: ${r.reasons.join('; ')}${prepared.description ? `. ${prepared.description}` : ''}`;
      return { kind: 'released', envelope: failure('denied', msg, traceId, decision, { retryable: pending, ...(prepared.details ? { details: prepared.details } : {}) }), attempts: 0 };
    }
    const t0 = Date.now();
    let envelope: Envelope;
    let kind: 'stored' | 'released' | 'dead' = 'stored';
    let attempts = 1;
    let outcome: { exitCode?: number; error?: string } = {};
    try {
      const link = { ...(r.stepId ? { stepId: r.stepId } : {}), ...(key ? { effectKey: key } : {}) };
      const done = await withRetries(() => prepared.run(link), this.o.retry);
      attempts = done.attempts;
      envelope = { ok: true, data: done.value.data, traceId, decision };
      outcome = { exitCode: done.value.exitCode ?? 0 };
    } catch (e) {
      if (e instanceof RetriesExhausted) {
        attempts = e.attempts;
        const id = key ? this.o.store.deadLetter(key, name, args, e.last, e.attempts) : undefined;
        kind = 'dead';
        envelope = failure('dead_lettered', `${name} failed with transient errors ${e.attempts} times (${(e.last as Error)?.message ?? String(e.last)}); it is dead letter ${id ?? '?'} (airlock dlq retry|discard)`, traceId, decision, { details: { deadLetterId: id ?? null } });
        outcome = { error: `dead letter ${id ?? '?'}: ${(e.last as Error)?.message ?? String(e.last)}` };
      } else if (e instanceof ToolFailure) {
        envelope = failure(e.code, e.message, traceId, decision, e.opts);
        outcome = { error: `${e.code}: ${e.message}`.slice(0, 16 * 1024) };
        if (!e.opts.acted) kind = 'released';
      } else {
        const code: ErrorCode = name.startsWith('db_') ? 'db_error' : 'io_error';
        envelope = failure(code, `${name} failed: ${(e as Error)?.message ?? String(e)}`, traceId, decision);
        outcome = { error: `${(e as Error)?.message ?? String(e)}`.slice(0, 16 * 1024) };
      }
    }
    await this.o.gate.hook({ agent: this.o.agent ?? MCP_AGENT, event: 'post', sessionId, toolName: name, toolUseId, action: prepared.action, outcome: { ...outcome, durationMs: Date.now() - t0 }, deadlineMs: 5000 });
    // A command the gate judged read-only (`git status`, `ls`) has no side effect to protect: without
    // a caller's key it runs again next time instead of replaying a stale result.
    if (kind === 'stored' && r.reversibility === 'read' && !explicitKey) kind = 'released';
    return { kind, envelope, attempts };
  }

  private async prepare(name: AirlockToolName, a: Record<string, unknown>, opts: { dryRun?: boolean } = {}): Promise<Prepared> {
    switch (name) {
      case 'read_file':
      case 'list_directory':
      case 'write_file':
      case 'edit_file':
      case 'delete_file':
        return prepareFileTool(name, a, { resolvePath: (p) => this.resolvePath(p), fileAction: (op, path, extra) => this.fileAction(op, path, extra), precheck: (path, expected) => this.precheck(path, expected) });
      case 'run_shell': {
        const cwd = a.cwd ? this.resolvePath(a.cwd as string) : this.roots[0]!;
        const command = a.command as string;
        return { action: { kind: 'shell', command, cwd, workspaceRoots: this.roots }, run: () => runShell(command, cwd, (a.timeoutMs as number | undefined) ?? 30_000) };
      }
      case 'db_query':
      case 'db_execute':
        return prepareDbTool(name, a, { db: (n) => this.db(n), store: this.o.store, ...(this.o.dbScopes ? { scopes: this.o.dbScopes() } : {}), ...(this.o.beforeImageLimit !== undefined ? { beforeImageLimit: this.o.beforeImageLimit } : {}) }, opts);
      case 'db_connections':
        throw new ToolFailure('internal', 'db_connections is not gated');
      case 'named_query':
        throw new ToolFailure('internal', 'named_query runs as db_query');
    }
  }
}
