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
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Action } from '../../core/action';
import { classifySql } from '../../core/classify/sql';
import { rankOf } from '../../core/effects';
import { PENDING_REASON, type GATE_CALLERS, type HookRequest, type HookResponse } from '../../core/protocol/bridge';
import { AIRLOCK_TOOLS, isAirlockTool, type AirlockToolName, type DryRunSummary } from '../../core/tools/airlockTools';
import { describeIssues, failure, sealEnvelope, type Envelope, type ErrorCode, type GateDecision, type ToolContract } from '../../core/tools/contract';
import type { DbConnection, DryRunReport } from '../db/types';
import { callerKey, derivedKey, EffectStore, RetriesExhausted, withRetries, type RetryPolicy } from '../ledger/idempotency';

/** The one thing the tools need from the gate (in-process Gate, or the bridge to a running one). */
export interface GateLike {
  hook(req: HookRequest): Promise<HookResponse>;
}

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
}

/** A failure the tool itself recognises. `acted` = something may have changed (the result is stored). */
export class ToolFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly opts: { retryable?: boolean; details?: Record<string, unknown>; acted?: boolean } = {},
  ) {
    super(message);
  }
}

interface Prepared {
  action: Action;
  /** Shown to the approving person next to the action (dry-run report). Airlock's own text. */
  description?: string;
  details?: Record<string, unknown>;
  /** `link`: the ledger step that allowed the call and its effect-store key (before-images are tied to them). */
  run(link?: { stepId?: string; effectKey?: string }): Promise<{ data: unknown; exitCode?: number }>;
}

const MAX_READ = 4 * 1024 * 1024;
const MAX_OUTPUT = 1024 * 1024;
const MAX_ENTRIES = 5000;

function sha256Bytes(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

function fsFailure(e: unknown, path: string): ToolFailure {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ToolFailure('not_found', `${path} does not exist`);
  if (code === 'EISDIR') return new ToolFailure('invalid_input', `${path} is a folder`);
  return new ToolFailure('io_error', `${path}: ${(e as Error).message}`);
}

function atomicWrite(path: string, content: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.airlock-${process.pid}-${randomUUID().slice(0, 8)}.tmp`);
  let mode: number | undefined;
  try {
    mode = statSync(path).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  writeFileSync(tmp, content, mode !== undefined ? { mode } : {});
  try {
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* the temp file is gone already */
    }
    throw e;
  }
}

function currentHash(path: string): string | null {
  try {
    return sha256Bytes(readFileSync(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function checkExpected(path: string, expected: string | null | undefined): string | null {
  const cur = currentHash(path);
  if (expected === undefined) return cur;
  if (cur !== expected) {
    const msg = expected === null ? `${path} already exists (expectedSha256 was null: create only); nothing was written` : cur === null ? `${path} does not exist (expected sha256 ${expected}); nothing was written` : `${path} changed since it was read: its sha256 is ${cur}, not ${expected}; read it again and retry; nothing was written`;
    throw new ToolFailure('conflict', msg, { details: { currentSha256: cur } });
  }
  return cur;
}

/** Dry-run reports are shown to a person and put in envelopes: bounded samples, JSON-safe values. */
function summarizeDryRun(r: DryRunReport): DryRunSummary {
  const safe = (rows: Record<string, unknown>[]): Record<string, unknown>[] => JSON.parse(JSON.stringify(rows.slice(0, 5), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? `<${v.length} bytes>` : v))) as Record<string, unknown>[];
  return {
    possible: r.possible,
    ...(r.reason ? { reason: r.reason } : {}),
    rowsAffected: Math.max(0, Math.trunc(r.rowsAffected)),
    tables: r.tables.map((t) => ({ table: t.table, rowsAffected: Math.max(0, Math.trunc(t.rowsAffected)), before: safe(t.before), after: safe(t.after) })),
    durationMs: Math.max(0, r.durationMs),
    ...(r.notes?.length ? { notes: r.notes } : {}),
  };
}

export function describeDryRun(d: DryRunSummary): string {
  if (!d.possible) return `Airlock dry run: not possible (${d.reason ?? 'the statement cannot run inside a transaction'}); asked without one.`;
  const per = d.tables.map((t) => `${t.table}: ${t.rowsAffected} row(s)`).join(', ') || 'no table';
  const sample = d.tables
    .filter((t) => t.before.length || t.after.length)
    .map((t) => `${t.table} before ${JSON.stringify(t.before.slice(0, 2))} after ${JSON.stringify(t.after.slice(0, 2))}`)
    .join('; ');
  const notes = d.notes?.length ? ` Not covered: ${d.notes.join('; ')}.` : '';
  const text = `Airlock dry run (rolled back): ${d.rowsAffected} row(s) affected (${per}).${sample ? ` Sample: ${sample}` : ''}${notes}`;
  return text.length > 3800 ? `${text.slice(0, 3797)}...` : text;
}

export class ToolRunner {
  private readonly roots: string[];
  constructor(private readonly o: ToolRunnerOptions) {
    this.roots = o.workspaceRoots.length ? o.workspaceRoots : [process.cwd()];
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
    try {
      const p = await this.prepare(name, parsed.data as Record<string, unknown>, { dryRun: false });
      return { ok: true, action: p.action };
    } catch (e) {
      if (e instanceof ToolFailure) return { ok: false, envelope: sealEnvelope(contract, failure(e.code, e.message, trace, null, e.opts)) };
      return { ok: false, envelope: sealEnvelope(contract, failure('internal', `internal error in Airlock's ${name}: ${(e as Error)?.message ?? String(e)}`, trace, null)) };
    }
  }

  /** Carry out one tool call; always resolves with a contract-valid envelope. */
  async call(name: string, rawArgs: unknown, opts: { sessionId?: string; /** The effect-store key to use (dead-letter retries keep theirs). */ key?: string } = {}): Promise<Envelope> {
    const trace = `mcp:${randomUUID()}`;
    if (!isAirlockTool(name)) return failure('unknown_tool', `Airlock has no tool named ${JSON.stringify(name)}`, trace, null);
    const contract = AIRLOCK_TOOLS[name] as ToolContract;
    const parsed = contract.input.safeParse(rawArgs ?? {});
    if (!parsed.success) return sealEnvelope(contract, failure('invalid_input', `invalid arguments for ${name}: ${describeIssues(parsed.error)}; nothing was done`, trace, null));
    const args = parsed.data as Record<string, unknown>;
    try {
      return sealEnvelope(contract, await this.gated(name, contract, args, trace, opts.sessionId ?? this.o.sessionId, opts.key));
    } catch (e) {
      this.o.log?.(`${name}: internal error: ${(e as Error)?.stack ?? String(e)}`);
      return sealEnvelope(contract, failure('internal', `internal error in Airlock's ${name}: ${(e as Error)?.message ?? String(e)}`, trace, null));
    }
  }

  private async gated(name: AirlockToolName, contract: ToolContract, args: Record<string, unknown>, trace: string, sessionId: string, givenKey?: string): Promise<Envelope> {
    if (name === 'db_connections') {
      const connections = [...(this.o.databases?.values() ?? [])].map((c) => ({ name: c.name, dialect: c.dialect, readOnly: c.readOnly }));
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
      const env = await this.judgedAndRun(name, args, trace, sessionId, key, givenKey !== undefined || typeof args.idempotencyKey === 'string');
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

  private async judgedAndRun(name: AirlockToolName, args: Record<string, unknown>, trace: string, sessionId: string, key: string | undefined, explicitKey: boolean): Promise<{ kind: 'stored' | 'released' | 'dead'; envelope: Envelope; attempts: number }> {
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
      ...(prepared.description ? { description: prepared.description } : {}),
    };
    const r = await this.o.gate.hook(pre);
    const decision: GateDecision = { decision: r.decision, reversibility: r.reversibility, reasons: r.reasons, rules: r.rules, stepId: r.stepId, runId: r.runId };
    const traceId = r.stepId || trace;
    if (r.decision !== 'allow') {
      const pending = r.reasons.includes(PENDING_REASON);
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
      case 'read_file': {
        const path = this.resolvePath(a.path as string);
        return {
          action: this.fileAction('read', path),
          run: async () => {
            let st: Stats;
            try {
              st = statSync(path);
            } catch (e) {
              throw fsFailure(e, path);
            }
            if (st.isDirectory()) throw new ToolFailure('invalid_input', `${path} is a folder (use list_directory)`);
            if (st.size > MAX_READ) throw new ToolFailure('io_error', `${path} is ${st.size} bytes; read_file reads at most ${MAX_READ}`);
            let buf: Buffer;
            try {
              buf = readFileSync(path);
            } catch (e) {
              throw fsFailure(e, path);
            }
            return { data: { path, content: buf.toString('utf8'), sha256: sha256Bytes(buf), bytes: buf.length } };
          },
        };
      }
      case 'list_directory': {
        const path = this.resolvePath(a.path as string);
        return {
          action: this.fileAction('read', path),
          run: async () => {
            let names: string[];
            try {
              names = readdirSync(path).sort();
            } catch (e) {
              throw fsFailure(e, path);
            }
            const entries = names.slice(0, MAX_ENTRIES).map((n) => {
              let st: Stats | undefined;
              try {
                st = lstatSync(join(path, n));
              } catch {
                st = undefined;
              }
              const type = !st ? 'other' : st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other';
              return { name: n, type: type as 'file' | 'directory' | 'symlink' | 'other', size: st && st.isFile() ? st.size : 0 };
            });
            return { data: { path, entries, truncated: names.length > MAX_ENTRIES } };
          },
        };
      }
      case 'write_file': {
        const path = this.resolvePath(a.path as string);
        const content = a.content as string;
        const expected = a.expectedSha256 as string | null;
        let exists = false;
        try {
          exists = lstatSync(path).isFile();
        } catch {
          exists = false;
        }
        this.precheck(path, expected);
        return {
          action: this.fileAction(exists ? 'write' : 'create', path, { content }),
          run: async () => {
            try {
              checkExpected(path, expected);
              atomicWrite(path, content);
            } catch (e) {
              if (e instanceof ToolFailure) throw e;
              throw fsFailure(e, path);
            }
            return { data: { path, sha256: sha256Bytes(content), bytes: Buffer.byteLength(content), created: expected === null } };
          },
        };
      }
      case 'edit_file': {
        const path = this.resolvePath(a.path as string);
        const oldString = a.oldString as string;
        const newString = a.newString as string;
        this.precheck(path, a.expectedSha256 as string | undefined);
        return {
          action: this.fileAction('edit', path, { oldString, newString }),
          run: async () => {
            let text: string;
            try {
              checkExpected(path, a.expectedSha256 as string | undefined);
              text = readFileSync(path, 'utf8');
            } catch (e) {
              if (e instanceof ToolFailure) throw e;
              throw fsFailure(e, path);
            }
            const count = text.split(oldString).length - 1;
            if (count === 0) throw new ToolFailure('not_found', `oldString does not occur in ${path}; nothing was changed`);
            if (count > 1 && a.replaceAll !== true) throw new ToolFailure('ambiguous', `oldString occurs ${count} times in ${path}; give more context or set replaceAll; nothing was changed`);
            const next = a.replaceAll === true ? text.split(oldString).join(newString) : text.replace(oldString, () => newString);
            try {
              atomicWrite(path, next);
            } catch (e) {
              throw fsFailure(e, path);
            }
            return { data: { path, sha256: sha256Bytes(next), replacements: a.replaceAll === true ? count : 1 } };
          },
        };
      }
      case 'delete_file': {
        const path = this.resolvePath(a.path as string);
        this.precheck(path, a.expectedSha256 as string | undefined);
        return {
          action: this.fileAction('delete', path),
          run: async () => {
            let hash: string | null;
            try {
              if (lstatSync(path).isDirectory()) throw new ToolFailure('invalid_input', `${path} is a folder; delete_file deletes files only`);
              hash = checkExpected(path, a.expectedSha256 as string | undefined);
              if (hash === null) throw new ToolFailure('not_found', `${path} does not exist`);
              unlinkSync(path);
            } catch (e) {
              if (e instanceof ToolFailure) throw e;
              throw fsFailure(e, path);
            }
            return { data: { path, deleted: true, sha256: hash } };
          },
        };
      }
      case 'run_shell': {
        const cwd = a.cwd ? this.resolvePath(a.cwd as string) : this.roots[0]!;
        const command = a.command as string;
        return { action: { kind: 'shell', command, cwd, workspaceRoots: this.roots }, run: () => runShell(command, cwd, (a.timeoutMs as number | undefined) ?? 30_000) };
      }
      case 'db_query': {
        const conn = this.db(a.connection as string);
        const sql = a.sql as string;
        const c = classifySql(sql, conn.dialect);
        if (c.reversibility !== 'read') throw new ToolFailure('invalid_input', `db_query runs reads only, and this statement ${c.reversibility === 'unknown' ? 'could not be analysed' : 'writes'} (${c.effects.map((e) => e.detail).join('; ')}); use db_execute for writes; nothing was run`);
        return {
          action: { kind: 'sql', sql, dialect: conn.dialect, connection: conn.name },
          run: async () => ({ data: await conn.query(sql, (a.params as unknown[] | undefined) ?? [], a.rowCap ? { rowCap: a.rowCap as number } : {}) }),
        };
      }
      case 'db_execute': {
        const conn = this.db(a.connection as string);
        if (conn.readOnly) throw new ToolFailure('denied', `connection ${conn.name} is read-only; nothing was run`);
        const sql = a.sql as string;
        const params = (a.params as unknown[] | undefined) ?? [];
        const c = classifySql(sql, conn.dialect);
        let dry: DryRunSummary | undefined;
        let description: string | undefined;
        if (opts.dryRun !== false && rankOf(c.reversibility) >= rankOf('irreversible')) {
          // Likely asked: measure what it would do, inside a transaction that is rolled back.
          const dryable = c.effects.every((e) => e.kind === 'create' || e.kind === 'write' || e.kind === 'overwrite' || e.kind === 'delete' || e.kind === 'read');
          if (!dryable) dry = { possible: false, reason: `not dry-run: the statement has effects a rolled-back transaction may not contain (${c.effects.map((e) => e.kind).join(', ')})`, rowsAffected: 0, tables: [], durationMs: 0 };
          else {
            try {
              dry = summarizeDryRun(await conn.dryRun(sql, params, { sampleRows: 5 }));
            } catch (e) {
              dry = { possible: false, reason: `the dry run failed: ${(e as Error)?.message ?? String(e)}`, rowsAffected: 0, tables: [], durationMs: 0 };
            }
          }
          description = describeDryRun(dry);
        }
        return {
          action: { kind: 'sql', sql, dialect: conn.dialect, connection: conn.name },
          ...(description ? { description } : {}),
          ...(dry ? { details: { dryRun: dry } } : {}),
          run: async (link) => {
            const r = await conn.execute(sql, params, { beforeImageLimit: this.o.beforeImageLimit ?? 10_000 });
            const images = r.beforeImages ?? (r.beforeImage ? [r.beforeImage] : []);
            for (const img of images) this.o.store.saveBeforeImage(conn.name, img, link ?? {});
            return {
              data: {
                rowsAffected: Math.max(0, Math.trunc(r.rowsAffected)),
                ...(images.length ? { beforeImages: images.map((i) => ({ table: i.table, rows: i.rows.length, truncated: i.truncated })) } : {}),
                ...(r.beforeImageNote ? { beforeImageNote: r.beforeImageNote } : {}),
                ...(dry ? { dryRun: dry } : {}),
                durationMs: r.durationMs,
              },
            };
          },
        };
      }
      case 'db_connections':
        throw new ToolFailure('internal', 'db_connections is not gated');
    }
  }
}

/** Run a command under /bin/sh with a timeout; the whole process group is killed on timeout. */
export function runShell(command: string, cwd: string, timeoutMs: number): Promise<{ data: { exitCode: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean; truncated: boolean; durationMs: number }; exitCode: number }> {
  return new Promise((resolveRun, reject) => {
    const t0 = Date.now();
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn('/bin/sh', ['-c', command], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      reject(new ToolFailure('io_error', `cannot start /bin/sh: ${(e as Error).message}`));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    let truncated = false;
    let timedOut = false;
    child.stdout!.on('data', (c: Buffer) => {
      if (outLen < MAX_OUTPUT) out.push(c.subarray(0, MAX_OUTPUT - outLen));
      else truncated = true;
      outLen += c.length;
    });
    child.stderr!.on('data', (c: Buffer) => {
      if (errLen < MAX_OUTPUT) err.push(c.subarray(0, MAX_OUTPUT - errLen));
      else truncated = true;
      errLen += c.length;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new ToolFailure('io_error', `cannot run the command: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const data = { exitCode: code, signal: signal ?? null, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut, truncated: truncated || outLen > MAX_OUTPUT || errLen > MAX_OUTPUT, durationMs: Date.now() - t0 };
      if (timedOut) reject(new ToolFailure('timeout', `the command was killed after ${timeoutMs} ms`, { acted: true, details: data }));
      else resolveRun({ data, exitCode: code ?? 128 });
    });
  });
}
