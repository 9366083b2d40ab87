/**
 * `airlock check`: the gate's judgement of one action (or one per stdin line with --jsonl).
 * Exit codes are a contract: 0 allow, 3 ask, 4 deny, 2 bad usage.
 *
 * `check` judges as the gate in that workspace would, and takes no checkpoint: when the judge would
 * make an action reversible with a checkpoint (snapshotable workspace effects), it checks that the
 * gate could take one now (src/node/checkpoints/feasible.ts: same scan, git present, checkpoints
 * not off) and says so; when it could not, the action is judged again without one, with the
 * reason, as the gate does. `--no-snapshot` shows the verdict without any checkpoint (what a gate
 * without checkpoints, or the offline judge, decides). `--jsonl` (many actions, for corpora) judges
 * without checkpoints, unless `--as-gate` asks for plain `check`'s way on every line.
 */
import type * as Readline from 'node:readline';
import { z } from 'zod';
import { FileOp, SqlDialect, type Action } from '../core/action';
import { checkAction } from '../core/actionCheck';
import { lazySchema } from '../core/lazySchema';
import { formatIssues as formatCheckIssues } from '../core/check';
import { judge, judgeAction, type RunState } from '../core/judge';
import { formatIssues, type EffectivePolicy } from '../core/policy/layers';
import { airlockHome, machineEnvironment } from '../node/environment';
import { gatedAgentsFor } from '../node/agents/gatedAgents';
import { trustLookupFor } from '../node/policy/trustStore';
import { loadSqlParsers } from '../node/db/sqlParser';
import { decisionJson, EXIT, renderDecision } from './format';
import type { Decision } from '../core/judge';
import { UsageError, type ParsedArgs } from './args';
import { writeOut } from './writeOut';
import { loadPolicyOrExit } from './policyArgs';

export const CHECK_STATE: RunState = { killed: false, mode: 'interactive', canSnapshot: false };

/** One input line of `check --jsonl`. Strict: unknown keys are an error. Built on first use. */
const JsonlLine = lazySchema(() => z.discriminatedUnion('kind', [
  z.strictObject({ id: z.unknown().optional(), kind: z.literal('shell'), command: z.string(), cwd: z.string().optional(), workspaceRoots: z.array(z.string()).optional() }),
  z.strictObject({ id: z.unknown().optional(), kind: z.literal('sql'), sql: z.string(), dialect: SqlDialect.optional() }),
  z.strictObject({ id: z.unknown().optional(), kind: z.literal('file'), op: FileOp, path: z.string(), cwd: z.string().optional(), workspaceRoots: z.array(z.string()).optional(), newPath: z.string().optional(), content: z.string().optional() }),
]));

export function actionFromArgs(a: ParsedArgs): unknown {
  const cwd = a.cwd ?? process.cwd();
  const roots = a.workspaces.length ? a.workspaces : [cwd];
  if (a.sql !== undefined) {
    if (a.rest.length) throw new UsageError('check --sql takes the statement as its value, not after --');
    return { kind: 'sql', sql: a.sql, dialect: a.dialect ?? 'postgres' };
  }
  if (a.file !== undefined) {
    const [path, newPath] = a.rest;
    if (!path) throw new UsageError('check --file <op> <path>: missing path');
    return { kind: 'file', op: a.file, path, cwd, workspaceRoots: roots, ...(newPath ? { newPath } : {}) };
  }
  if (a.rest.length === 0) throw new UsageError('check: give a command after --, or --sql, --file or --jsonl');
  return { kind: 'shell', command: a.rest.join(' '), cwd, workspaceRoots: roots };
}

/**
 * The real PostgreSQL parser costs ~25 ms to load; load it only when the action can contain SQL.
 * Without it PostgreSQL is classified by a stricter fallback grammar, so skipping it never loosens.
 */
const MAY_HOLD_SQL = /\b(psql|pg_\w+|mysql|mariadb|sqlite3?|duckdb|cockroach|pgcli|mycli|litecli|sql\w*)\b/i;
export async function prepareParsers(action: unknown): Promise<void> {
  const text = JSON.stringify(action);
  if ((action as { kind?: unknown })?.kind === 'sql' || MAY_HOLD_SQL.test(text)) await (await import('../node/db/sqlParser')).loadSqlParsers();
}

/** The machine as `check` sees it: the real file system and the person's trust for the workspace (no run, so no provenance). */
export function checkEnvironment(cwd: string, roots: string[]): ReturnType<typeof machineEnvironment> {
  const trust = trustLookupFor(airlockHome(), roots.length ? roots : [cwd]);
  return machineEnvironment(cwd, roots, process.env, { ...(trust ? { trust } : {}), gatedAgents: gatedAgentsFor(roots[0] ?? cwd) });
}

export async function runCheck(a: ParsedArgs): Promise<number> {
  const action = actionFromArgs(a);
  await prepareParsers(action);
  // The Action schema's zod-free equivalent (core/actionCheck.ts, held equal to it by its spec):
  // judging `ls` builds no zod schema, so dist/check.js does not load zod for it.
  const parsed = checkAction(action);
  if (!parsed.ok) throw new UsageError(`invalid action: ${formatCheckIssues(parsed.issues)}`);
  const { policy } = loadPolicyOrExit(a);
  const act = parsed.value;
  const env = checkEnvironment('cwd' in act && act.cwd ? act.cwd : process.cwd(), 'workspaceRoots' in act && act.workspaceRoots ? act.workspaceRoots : []);
  const roots = 'workspaceRoots' in act && act.workspaceRoots?.length ? act.workspaceRoots : ['cwd' in act && act.cwd ? act.cwd : process.cwd()];
  // judgeAction: the action was checked above (judge() would run the zod schema on it again).
  const d = a.noSnapshot ? judgeAction(act, policy, CHECK_STATE, env) : await judgeAsGate(() => judgeAction(act, policy, { ...CHECK_STATE, canSnapshot: true }, env), () => judgeAction(act, policy, CHECK_STATE, env), roots);
  const subject = act.kind === 'shell' ? act.command : act.kind === 'sql' ? act.sql : act.kind === 'file' ? `${act.op} ${act.path}` : JSON.stringify(act);
  writeOut(1, a.json ? `${JSON.stringify(decisionJson(d))}\n` : `${renderDecision(d, subject)}\n`);
  return EXIT[d.decision];
}

/** The gate's way (src/node/checkpoints/feasible.ts), without taking the checkpoint. */
async function judgeAsGate(withSnapshot: () => Decision, without: () => Decision, roots: string[]): Promise<Decision> {
  const d = withSnapshot();
  if (!d.snapshots.length || d.decision === 'deny') return d;
  const feasible = await import('../node/checkpoints/feasible');
  const { checkpointSettingsFromEnv } = await import('../node/checkpoints/settings');
  return feasible.judgeAsGate(() => d, without, roots, checkpointSettingsFromEnv(process.env));
}

type JsonlParsed = { ok: false; out: Record<string, unknown> } | { ok: true; id: unknown; action: Action; cwd: string; roots: string[] };

/** One JSONL line to an action (or the deny line that says why it is malformed). */
function parseJsonlLine(line: string, defaults: { cwd: string; roots: string[] }): JsonlParsed {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    return { ok: false, out: { id: null, decision: 'deny', reversibility: 'unknown', effects: [], reasons: [`malformed line: not JSON (${(e as Error).message})`], rules: ['gate.malformed'], us: 0 } };
  }
  const id = raw && typeof raw === 'object' && 'id' in raw ? (raw as { id: unknown }).id ?? null : null;
  const p = JsonlLine.safeParse(raw);
  if (!p.success) return { ok: false, out: { id, decision: 'deny', reversibility: 'unknown', effects: [], reasons: [`malformed line: ${formatIssues(p.error)}`], rules: ['gate.malformed'], us: 0 } };
  const l = p.data;
  const cwd = 'cwd' in l && l.cwd ? l.cwd : defaults.cwd;
  const roots = 'workspaceRoots' in l && l.workspaceRoots?.length ? l.workspaceRoots : defaults.roots.length ? defaults.roots : [cwd];
  const action =
    l.kind === 'shell'
      ? { kind: 'shell' as const, command: l.command, cwd, workspaceRoots: roots }
      : l.kind === 'sql'
        ? { kind: 'sql' as const, sql: l.sql, dialect: l.dialect ?? 'postgres' }
        : { kind: 'file' as const, op: l.op, path: l.path, cwd, workspaceRoots: roots, ...(l.newPath ? { newPath: l.newPath } : {}), ...(l.content !== undefined ? { content: l.content } : {}) };
  return { ok: true, id, action: action as Action, cwd, roots };
}

const lineOut = (id: unknown, d: Decision, us: number): Record<string, unknown> => ({ id, decision: d.decision, reversibility: d.reversibility, effects: d.effects, reasons: d.reasons, rules: d.rules, us: Math.round(us * 10) / 10 });

/** Judge one JSONL line without a checkpoint. Never throws: a malformed line yields a deny line with the reason. */
export function judgeLine(line: string, policy: EffectivePolicy, defaults: { cwd: string; roots: string[] }): Record<string, unknown> {
  const p = parseJsonlLine(line, defaults);
  if (!p.ok) return p.out;
  const env = checkEnvironment(p.cwd, p.roots);
  const t0 = process.hrtime.bigint();
  const d = judge(p.action, policy, CHECK_STATE, env);
  return lineOut(p.id, d, Number(process.hrtime.bigint() - t0) / 1000);
}

/**
 * Judge one JSONL line as plain `check` does (`--as-gate`): with the checkpoint the gate could take
 * in that workspace, or, where it could not, without one and saying why. `us` is the judge's time
 * alone (the feasibility scan of the file system is not part of it).
 */
export async function judgeLineAsGate(line: string, policy: EffectivePolicy, defaults: { cwd: string; roots: string[] }): Promise<Record<string, unknown>> {
  const p = parseJsonlLine(line, defaults);
  if (!p.ok) return p.out;
  const env = checkEnvironment(p.cwd, p.roots);
  let us = 0;
  const timed = (state: RunState) => (): Decision => {
    const t0 = process.hrtime.bigint();
    const d = judge(p.action, policy, state, env);
    us += Number(process.hrtime.bigint() - t0) / 1000;
    return d;
  };
  const d = await judgeAsGate(timed({ ...CHECK_STATE, canSnapshot: true }), timed(CHECK_STATE), p.roots);
  return lineOut(p.id, d, us);
}

export async function runCheckJsonl(a: ParsedArgs): Promise<number> {
  const { policy } = loadPolicyOrExit(a);
  await (await import('../node/db/sqlParser')).loadSqlParsers();
  const cwd = a.cwd ?? process.cwd();
  const defaults = { cwd, roots: a.workspaces.length ? a.workspaces : [] };
  // node:readline (and the stdin stream) only for --jsonl: a single check never loads them.
  const { createInterface } = require('node:readline') as typeof Readline;
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    process.stdout.write(`${JSON.stringify(a.asGate ? await judgeLineAsGate(line, policy, defaults) : judgeLine(line, policy, defaults))}\n`);
  }
  return 0;
}
