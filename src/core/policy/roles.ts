/**
 * Roles: least privilege per agent and sub-agent.
 *
 * A role names what an identity may do: path globs it may read and change, programs it may run,
 * network hosts it may reach, database connections and their access level, the highest autonomy
 * rung per category, and budgets. A role only ever restricts: an action outside it is denied with
 * the role named, whatever the rules say. Roles are assigned per agent (`claude`, `codex`, an MCP
 * client by name …) and per sub-agent type (`claude:Explore`, or `*:Explore` for every agent).
 *
 * Architecture Invariants:
 * - A sub-agent's role is within its parent's (children ⊆ parent), checked when the policy loads;
 *   a policy that breaks it is refused with the offending scopes listed.
 * - Every role that applies to an identity must hold (intersection): a workspace policy that has not
 *   been acknowledged can add roles to an identity, never replace the user's.
 */
import picomatch from 'picomatch';
import { z } from 'zod';
import { lazySchema } from '../lazySchema';
import type { Action } from '../action';
import type { Classification } from '../effects';
import type { Environment } from '../paths';
import { pathMatches } from './globs';

const CATEGORY_NAMES = ['file', 'shell', 'sql', 'http', 'mcp'] as const;
const RUNG_NAMES = ['read', 'draft', 'staged', 'approved', 'autonomous'] as const;
type CategoryName = (typeof CATEGORY_NAMES)[number];
type RungName = (typeof RUNG_NAMES)[number];

export const DB_ACCESS = ['none', 'read', 'write'] as const;
export type DbAccess = (typeof DB_ACCESS)[number];

const RoleName = lazySchema(() => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'role names are 1-64 letters, digits, dot, dash, underscore'));
const Glob = lazySchema(() => z.string().min(1).max(500));
const HostPattern = lazySchema(() => z.string().regex(/^(\*\.)?[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\*$/, 'a host name, optionally *.suffix or :port, or *'));
const ProgramName = lazySchema(() => z.string().regex(/^[A-Za-z0-9_.+-]{1,100}$/, 'a program name (no path)'));

export const Role = lazySchema(() => z
  .strictObject({
    description: z.string().max(500).optional(),
    read: z.array(Glob).max(200).optional().describe('Path globs (workspace-relative, absolute or ~/) the role may read. Absent: any path the policy allows.'),
    write: z.array(Glob).max(200).optional().describe('Path globs the role may create, change or delete. Absent: any; [] : none.'),
    programs: z.array(ProgramName).max(500).optional().describe('Programs the role may run in shell actions (every program of a command line must be listed). Absent: any.'),
    hosts: z.array(HostPattern).max(200).optional().describe('Network hosts the role may reach (curl, git push, http actions). Absent: any; [] : none.'),
    databases: z.record(z.string().min(1).max(64), z.enum(DB_ACCESS)).optional().describe('Database connections by name and the access level the role has (none | read | write). Absent: any. A connection not listed is "none".'),
    autonomy: z.partialRecord(z.enum(CATEGORY_NAMES), z.enum(RUNG_NAMES)).optional().describe('Highest autonomy rung per category for this role (never above the policy\'s).'),
    budgets: z.strictObject({ perRunUsd: z.number().positive().max(1e6).optional(), perDayUsd: z.number().positive().max(1e6).optional() }).optional(),
  })
  .describe('What an agent or sub-agent holding this role may do. A role only restricts.'));
export type Role = z.infer<typeof Role>;

export const Assign = lazySchema(() => z
  .strictObject({
    agents: z.record(z.string().regex(/^(mcp:)?[A-Za-z0-9._ -]{1,64}$/, "an agent name, or mcp:<client name>"), RoleName).default({}).describe('Agent name (claude, codex, gemini, copilot, cursor, cline, an MCP client name) -> role.'),
    subagents: z
      .record(z.string().regex(/^([A-Za-z0-9._-]{1,64}|\*):[A-Za-z0-9 ._-]{1,128}$/, 'agent:subagent-type, e.g. claude:Explore or *:Explore'), RoleName)
      .default({})
      .describe('agent:sub-agent type (Claude Code agent_type) -> role. The role must be within the parent agent\'s role.'),
  })
  .describe('Who holds which role.'));
export type Assign = z.infer<typeof Assign>;

/** An identity the gate judges for: the agent, and the sub-agent type when a sub-agent acts. */
export interface Identity {
  agent: string;
  subagentType?: string;
}

/** A role in force, with where it came from (for reasons and `policy explain`). */
export interface RoleInForce {
  name: string;
  role: Role;
  /** 'agent' for the agent's role; 'subagent' for a sub-agent type's. */
  via: 'agent' | 'subagent';
}

export interface RoleTable {
  roles: Record<string, Role>;
  /** Each key (agent, or agent:type, or *:type) -> every role name that applies (all must hold). */
  assign: Record<string, string[]>;
}

export function emptyRoleTable(): RoleTable {
  return { roles: {}, assign: {} };
}

/** The roles that apply to an identity: the agent's, and a sub-agent's (specific type, then `*:type`). */
export function rolesFor(t: RoleTable, id: Identity): RoleInForce[] {
  const out: RoleInForce[] = [];
  const add = (key: string, via: RoleInForce['via']): void => {
    for (const name of t.assign[key] ?? []) {
      const role = t.roles[name];
      // An assignment to a role that does not exist is refused at load; defensively, it denies all.
      out.push({ name, role: role ?? { read: [], write: [], programs: [], hosts: [], databases: {} }, via });
    }
  };
  add(id.agent, 'agent');
  if (id.subagentType) {
    add(`${id.agent}:${id.subagentType}`, 'subagent');
    add(`*:${id.subagentType}`, 'subagent');
  }
  return out;
}

// ---- nesting: children ⊆ parent ------------------------------------------------------------------

const rungIndex = (r: RungName | undefined): number => (r === undefined ? RUNG_NAMES.length - 1 : RUNG_NAMES.indexOf(r));
const accessIndex = (a: DbAccess): number => DB_ACCESS.indexOf(a);

/** Is glob `child` within one of `parent` (equal, or matched by it when read as a path)? */
function globWithin(child: string, parent: readonly string[]): boolean {
  return parent.some((p) => p === child || picomatch(p, { dot: true, nocase: true })(child) || (p.endsWith('/**') && (child === p.slice(0, -3) || picomatch(p, { dot: true, nocase: true })(child.replace(/\/\*\*$/, '/x')))));
}

function hostWithin(child: string, parent: readonly string[]): boolean {
  return parent.some((p) => p === '*' || p === child || (p.startsWith('*.') && (child.endsWith(p.slice(1)) || child === p.slice(2))) || (p.startsWith('*.') && child.startsWith('*.') && child.endsWith(p.slice(1))));
}

/** Where `child` is wider than `parent`: one line per offending scope (empty when child ⊆ parent). */
export function widerScopes(child: Role, parent: Role): string[] {
  const out: string[] = [];
  const list = (what: 'read' | 'write' | 'programs' | 'hosts', within: (c: string, p: readonly string[]) => boolean): void => {
    const p = parent[what];
    if (p === undefined) return;
    const c = child[what];
    if (c === undefined) {
      out.push(`${what}: any (the parent allows only ${p.length ? p.join(', ') : 'none'})`);
      return;
    }
    const extra = c.filter((x) => !within(x, p));
    if (extra.length) out.push(`${what}: ${extra.join(', ')} (not within ${p.length ? p.join(', ') : 'none'})`);
  };
  list('read', globWithin);
  list('write', globWithin);
  list('programs', (c, p) => p.includes(c));
  list('hosts', hostWithin);
  if (parent.databases !== undefined) {
    if (child.databases === undefined) out.push(`databases: any (the parent allows only ${Object.entries(parent.databases).map(([k, v]) => `${k}=${v}`).join(', ') || 'none'})`);
    else for (const [name, level] of Object.entries(child.databases)) {
      const pl = parent.databases[name] ?? 'none';
      if (accessIndex(level) > accessIndex(pl)) out.push(`databases.${name}: ${level} (the parent has ${pl})`);
    }
  }
  for (const c of CATEGORY_NAMES) {
    const cr = child.autonomy?.[c];
    const pr = parent.autonomy?.[c];
    if (rungIndex(cr) > rungIndex(pr)) out.push(`autonomy.${c}: ${cr ?? 'autonomous'} (the parent has ${pr ?? 'autonomous'})`);
  }
  for (const k of ['perRunUsd', 'perDayUsd'] as const) {
    const pv = parent.budgets?.[k];
    const cv = child.budgets?.[k];
    // No budget of its own: the sub-agent shares its parent's run and so its budget.
    if (pv !== undefined && cv !== undefined && cv > pv) out.push(`budgets.${k}: ${cv} (the parent has ${pv})`);
  }
  return out;
}

/**
 * The load-time check of one policy's roles: every assigned role exists, and every sub-agent's
 * role is within its parent agent's (for `*:type`, within every agent that has a role).
 * Returns one message per problem (empty: fine).
 */
export function roleProblems(roles: Record<string, Role>, assign: Assign): string[] {
  const out: string[] = [];
  for (const [who, name] of [...Object.entries(assign.agents), ...Object.entries(assign.subagents)]) {
    if (!roles[name]) out.push(`assign ${who}: no role named ${JSON.stringify(name)} (defined: ${Object.keys(roles).join(', ') || 'none'})`);
  }
  for (const [key, childName] of Object.entries(assign.subagents)) {
    const child = roles[childName];
    if (!child) continue;
    const agent = key.slice(0, key.indexOf(':'));
    const parents = agent === '*' ? Object.entries(assign.agents) : assign.agents[agent] ? [[agent, assign.agents[agent]!] as [string, string]] : [];
    for (const [parentAgent, parentName] of parents) {
      const parent = roles[parentName];
      if (!parent) continue;
      const wider = widerScopes(child, parent);
      if (wider.length) out.push(`sub-agent ${key} holds role ${childName}, which is wider than its parent ${parentAgent}'s role ${parentName}: ${wider.join('; ')}`);
    }
  }
  return out;
}

// ---- judging: what an action needs that a role does not give --------------------------------------

function hostOf(target: string): string | undefined {
  try {
    const u = new URL(target);
    return u.hostname.toLowerCase();
  } catch {
    const m = /^(?:[\w.+-]+@)?([A-Za-z0-9.-]+\.[A-Za-z]{2,})(?::|\/|$)/.exec(target);
    return m?.[1]?.toLowerCase();
  }
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  return allowed.some((p) => {
    const pat = p.replace(/:\d+$/, '').toLowerCase();
    return pat === '*' || pat === host || (pat.startsWith('*.') && (host.endsWith(pat.slice(1)) || host === pat.slice(2)));
  });
}

const baseName = (cmd: string): string => cmd.slice(cmd.lastIndexOf('/') + 1).toLowerCase();

/** Why the action falls outside the role (one line per need), or [] when the role permits it. */
export function outsideRole(role: Role, action: Action, c: Classification, env: Environment): string[] {
  const out: string[] = [];
  for (const e of c.effects) {
    const t = e.target;
    const isPath = t !== undefined && t.startsWith('/');
    if (e.kind === 'read' && isPath && role.read && !role.read.some((g) => pathMatches(t!, g, env) || pathMatches(t!, g.endsWith('/**') ? g : `${g}/**`, env))) out.push(`reads ${t}, outside its read scope`);
    if (['create', 'write', 'overwrite', 'delete', 'permissions'].includes(e.kind) && role.write) {
      if (!isPath) {
        if (action.kind !== 'sql') out.push(`${e.kind} of ${t ?? 'an unresolved target'}: the role may change only ${role.write.join(', ') || 'nothing'}`);
      } else if (!role.write.some((g) => pathMatches(t!, g, env) || pathMatches(t!, g.endsWith('/**') ? g : `${g}/**`, env))) out.push(`changes ${t}, outside its write scope`);
    }
    if ((e.kind === 'network' || e.network) && role.hosts) {
      const host = t ? hostOf(t) : undefined;
      if (!host) out.push(`reaches the network (${e.detail}) where the host cannot be established`);
      else if (!hostAllowed(host, role.hosts)) out.push(`reaches ${host}, not among its hosts`);
    }
    if (e.kind === 'unknown' && (role.write || role.programs)) out.push(`could not be analysed (${e.detail}), so its scope cannot be checked`);
  }
  if (role.programs && (action.kind === 'shell' || c.commands.length)) {
    const allowed = role.programs.map((p) => p.toLowerCase());
    const extra = [...new Set(c.commands.map(baseName))].filter((p) => !allowed.includes(p));
    if (extra.length) out.push(`runs ${extra.join(', ')}, not among its programs`);
  }
  if (action.kind === 'sql' && role.databases) {
    const level = role.databases[action.connection ?? ''] ?? 'none';
    const need: DbAccess = c.reversibility === 'read' ? 'read' : 'write';
    if (accessIndex(level) < accessIndex(need)) out.push(`${need === 'read' ? 'reads' : 'writes'} database ${action.connection ?? '(unnamed)'} where the role has ${level} access`);
  }
  return [...new Set(out)];
}

/** The tightest autonomy rung the roles give a category (undefined: no role limits it). */
export function roleRung(roles: readonly RoleInForce[], category: CategoryName): RungName | undefined {
  let best: RungName | undefined;
  for (const r of roles) {
    const rung = r.role.autonomy?.[category];
    if (rung && (best === undefined || RUNG_NAMES.indexOf(rung) < RUNG_NAMES.indexOf(best))) best = rung;
  }
  return best;
}

// ---- budgets: the tightest of the policy's and the run agent's roles' ------------------------------

export interface BudgetLimits {
  perRunUsd?: number;
  perDayUsd?: number;
}

/**
 * The budgets a run is held to: for each of per-run and per-day, the lowest of the policy's and
 * those of every role of the run's agent. Sub-agents share their parent's run and budget, so only
 * the agent's roles count here (a sub-agent's role budget is within its parent's, checked at load).
 */
export function effectiveBudgets(policy: { budgets: BudgetLimits; roles: RoleTable }, identity: Identity | undefined): BudgetLimits {
  const out: BudgetLimits = { ...policy.budgets };
  if (!identity) return out;
  for (const r of rolesFor(policy.roles, { agent: identity.agent })) {
    for (const k of ['perRunUsd', 'perDayUsd'] as const) {
      const v = r.role.budgets?.[k];
      const cur = out[k];
      if (v !== undefined && (cur === undefined || v < cur)) out[k] = v;
    }
  }
  return out;
}
