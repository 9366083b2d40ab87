/**
 * Policy layers: built-in baseline -> user policy -> workspace policy.
 *
 * Architecture Invariant: a deny in any layer wins. The workspace policy may tighten freely; what it
 * would loosen relative to the user's effective policy (allow rules, higher autonomy rungs, larger
 * budgets, `ci.ask: "ask"`) is ignored until the user acknowledges that exact file content (its
 * SHA-256, kept outside the workspace). A broken or unknown-version policy never means "allow": the
 * caller keeps the last good one and the baseline still applies.
 */
import { z } from 'zod';
import { canonicalJson, lazyHash, sha256 } from '../hash';
import { BASELINE } from './baseline';
import type { DatabaseScope } from './namedQueries';
import { emptyRoleTable, type RoleTable } from './roles';
import { mergeRunLogin } from './runLogin';
import { CATEGORIES, Policy, RUNGS, type Budgets, type Category, type Loops, type Rule, type Rung } from './schema';

export type LayerName = 'baseline' | 'user' | 'workspace';

export interface LayeredRule extends Rule {
  layer: LayerName;
}

export interface EffectivePolicy {
  rules: LayeredRule[];
  autonomy: Record<Category, Rung>;
  protectedPaths: string[];
  budgets: Budgets;
  ciAsk: 'deny' | 'ask';
  maxDenialsInARow: number;
  /** Runaway-loop thresholds: the tightest of the layers (a workspace can lower them, never raise them). */
  loops: Loops;
  /** Roles and who holds them: every role listed for an identity must hold (see roles.ts). */
  roles: RoleTable;
  /** Named queries and the free-form switch per connection (user's, then an acknowledged workspace's; either may switch free-form off). */
  databases: Record<string, DatabaseScope>;
  /** Layers that may override asks of the named layer with their allow rules. */
  workspaceAcknowledged: boolean;
  /** Loosening entries of the workspace policy ignored because it is not acknowledged. */
  ignored: string[];
  /** Problems met while loading (broken file, fallback to last good). */
  warnings: string[];
  hash: string;
}

export type ParseResult = { ok: true; policy: Policy; hash: string } | { ok: false; error: string; issues?: string[] };

/** Upper bound on a policy file: larger is refused (bounded parse, T09). */
export const MAX_POLICY_BYTES = 256 * 1024;

/** Parse policy text. Never throws; the error names the first problems found. */
export function parsePolicyText(text: string): ParseResult {
  if (text.length > MAX_POLICY_BYTES) return { ok: false, error: `policy is ${text.length} bytes; the limit is ${MAX_POLICY_BYTES}` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not valid JSON: ${(e as Error).message}` };
  }
  if (raw && typeof raw === 'object' && 'version' in raw && (raw as { version: unknown }).version !== 1) {
    return { ok: false, error: `unknown policy version ${JSON.stringify((raw as { version: unknown }).version)} (this Airlock reads version 1)` };
  }
  const parsed = Policy.safeParse(raw);
  if (!parsed.success) return { ok: false, error: formatIssues(parsed.error), issues: parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`) };
  return { ok: true, policy: parsed.data, hash: sha256(text) };
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 8)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

const rungIndex = (r: Rung): number => RUNGS.indexOf(r);

export interface Loosening {
  what: string;
}

/** What `workspace` would permit beyond the user's effective policy (before acknowledgement). */
export function loosenings(workspace: Policy, user: Pick<EffectivePolicy, 'autonomy' | 'budgets' | 'ciAsk'> & { roles?: RoleTable }): Loosening[] {
  const out: Loosening[] = [];
  for (const r of workspace.rules) if (r.decision === 'allow') out.push({ what: `rule ${r.id} allows ${describeMatch(r)}` });
  for (const c of CATEGORIES) {
    const w = workspace.autonomy[c];
    if (w && rungIndex(w) > rungIndex(user.autonomy[c])) out.push({ what: `autonomy for ${c} raised from ${user.autonomy[c]} to ${w}` });
  }
  for (const k of ['perRunUsd', 'perDayUsd'] as const) {
    const w = workspace.budgets[k];
    const u = user.budgets[k];
    if (w !== undefined && u !== undefined && w > u) out.push({ what: `budget ${k} raised from ${u} to ${w}` });
  }
  if (workspace.ci.ask === 'ask' && user.ciAsk === 'deny') out.push({ what: 'ci.ask set to "ask" (asks would wait instead of being denied in CI)' });
  const userRoles = user.roles ?? emptyRoleTable();
  for (const [key, name] of [...Object.entries(workspace.assign.agents), ...Object.entries(workspace.assign.subagents)]) {
    const had = userRoles.assign[key];
    if (had?.length) out.push({ what: `role of ${key} replaced: ${had.join(' + ')} -> ${name}` });
  }
  for (const name of Object.keys(workspace.roles)) if (userRoles.roles[name]) out.push({ what: `role ${name} redefined` });
  return out;
}

export function describeMatch(r: Rule): string {
  const m = r.match;
  const parts: string[] = [];
  if (m.kind) parts.push(`kind ${m.kind.join('|')}`);
  if (m.commands) parts.push(`commands ${m.commands.join('|')}`);
  if (m.effects) parts.push(`effects ${m.effects.join('|')}`);
  if (m.reversibility) parts.push(`reversibility ${m.reversibility.join('|')}`);
  if (m.paths) parts.push(`paths ${m.paths.join(', ')}`);
  for (const f of ['outsideWorkspace', 'securityConfig', 'secrets', 'network', 'exec'] as const) if (m[f] !== undefined) parts.push(`${f}=${m[f]}`);
  return parts.length ? parts.join(', ') : 'every action';
}

export interface LayerInputs {
  /** The user's policy (user-level file or settings), already parsed; undefined if none. */
  user?: Policy;
  /** The workspace policy with the SHA-256 of its exact file content; undefined if none. */
  workspace?: { policy: Policy; hash: string };
  /** Hashes of workspace policy contents the user has acknowledged. */
  acknowledged?: ReadonlySet<string>;
  warnings?: string[];
}

function defaultAutonomy(): Record<Category, Rung> {
  return { file: 'autonomous', shell: 'autonomous', sql: 'autonomous', http: 'autonomous', mcp: 'autonomous' };
}

function tighterLoops(a: Loops, b: Loops): Loops {
  return { sameCallInARow: Math.min(a.sameCallInARow, b.sameCallInARow), sameFailure: Math.min(a.sameFailure, b.sameFailure), maxTokensPerMinute: Math.min(a.maxTokensPerMinute, b.maxTokensPerMinute), maxCallsWithoutPerson: Math.min(a.maxCallsWithoutPerson, b.maxCallsWithoutPerson) };
}

/** Combine the layers into the policy the judge applies. Pure and deterministic. */
export function buildEffectivePolicy(input: LayerInputs): EffectivePolicy {
  const warnings = [...(input.warnings ?? [])];
  const rules: LayeredRule[] = BASELINE.rules.map((r) => ({ ...r, layer: 'baseline' as const }));
  const autonomy = defaultAutonomy();
  const protectedPaths = [...BASELINE.protectedPaths];
  let budgets: Budgets = { ...BASELINE.budgets };
  let ciAsk: 'deny' | 'ask' = 'deny';
  let maxDenials = BASELINE.escalation.maxDenialsInARow;
  let loops: Loops = { ...BASELINE.loops };
  const roles: RoleTable = emptyRoleTable();
  const databases: Record<string, DatabaseScope> = {};

  if (input.user) {
    const u = input.user;
    rules.push(...u.rules.map((r) => ({ ...r, layer: 'user' as const })));
    for (const c of CATEGORIES) if (u.autonomy[c]) autonomy[c] = u.autonomy[c]!;
    protectedPaths.push(...u.protectedPaths);
    budgets = { ...budgets, ...u.budgets };
    ciAsk = u.ci.ask;
    maxDenials = u.escalation.maxDenialsInARow;
    loops = { ...u.loops };
    Object.assign(roles.roles, u.roles);
    for (const [key, name] of [...Object.entries(u.assign.agents), ...Object.entries(u.assign.subagents)]) roles.assign[key] = [name];
    for (const [name, sc] of Object.entries(u.databases)) databases[name] = { freeForm: sc.freeForm, queries: { ...sc.queries }, ...(sc.runLogin ? { runLogin: sc.runLogin } : {}) };
  }

  const ignored: string[] = [];
  let acknowledged = false;
  if (input.workspace) {
    const w = input.workspace.policy;
    acknowledged = input.acknowledged?.has(input.workspace.hash) ?? false;
    const loose = loosenings(w, { autonomy, budgets, ciAsk, roles });
    if (!acknowledged) ignored.push(...loose.map((l) => l.what));
    for (const r of w.rules) {
      if (r.decision === 'allow' && !acknowledged) continue;
      rules.push({ ...r, layer: 'workspace' });
    }
    for (const c of CATEGORIES) {
      const rung = w.autonomy[c];
      if (rung && (acknowledged || rungIndex(rung) < rungIndex(autonomy[c]))) autonomy[c] = rung;
    }
    protectedPaths.push(...w.protectedPaths);
    for (const k of ['perRunUsd', 'perDayUsd'] as const) {
      const v = w.budgets[k];
      const current = budgets[k];
      // No budget means unlimited, so any workspace budget below the current one tightens.
      if (v !== undefined && (current === undefined || v < current || acknowledged)) budgets = { ...budgets, [k]: v };
    }
    if (w.ci.ask === 'ask' && acknowledged) ciAsk = 'ask';
    maxDenials = Math.min(maxDenials, w.escalation.maxDenialsInARow);
    loops = tighterLoops(loops, w.loops);
    // Roles: acknowledged, the workspace's definitions and assignments replace the user's; not
    // acknowledged, its roles only add constraints (kept under a "workspace:" name, every one must hold).
    const prefix = acknowledged ? '' : 'workspace:';
    for (const [name, role] of Object.entries(w.roles)) roles.roles[prefix + name] = role;
    for (const [key, name] of [...Object.entries(w.assign.agents), ...Object.entries(w.assign.subagents)]) {
      roles.assign[key] = acknowledged ? [name] : [...(roles.assign[key] ?? []), prefix + name];
    }
    // Databases: switching free-form SQL off tightens (always applies); named queries are new tools, so only once acknowledged.
    for (const [name, sc] of Object.entries(w.databases)) {
      const cur = (databases[name] ??= { freeForm: true, queries: {} });
      if (!sc.freeForm) cur.freeForm = false;
      if (acknowledged) Object.assign(cur.queries, sc.queries);
      else if (Object.keys(sc.queries).length) ignored.push(`named queries of connection ${name}: ${Object.keys(sc.queries).join(', ')}`);
      const rl = mergeRunLogin(cur.runLogin, sc.runLogin, acknowledged);
      if (rl.runLogin) cur.runLogin = rl.runLogin;
      ignored.push(...rl.ignored.map((w) => `${w} of connection ${name}`));
    }
  }

  const body = { rules, autonomy, protectedPaths, budgets, ciAsk, maxDenialsInARow: maxDenials, loops, roles, databases, workspaceAcknowledged: acknowledged };
  // The hash of the canonical text taken now, computed on first read (core/hash.ts, lazyHash).
  const text = canonicalJson(body);
  return lazyHash({ ...body, ignored, warnings, hash: '' }, 'hash', () => sha256(text));
}
