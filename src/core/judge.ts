/**
 * The judge: (action, policy, run state) -> decision. Deterministic code, never a prompt.
 *
 * Architecture Invariants:
 * - judge() never throws; every error path yields `deny` with a reason.
 * - The kill switch wins over every policy.
 * - A deny in any layer wins; irreversible or unknown actions and security-config changes are at
 *   least `ask`, whatever any policy says (they can never run unattended).
 * - The decision carries the hash of the canonical action and of the policy that decided, so an
 *   approval can be bound to exactly what was judged.
 */
import { Action } from './action';
import { classify } from './classify/classify';
import { emptyFlags, rankOf, summarize, type Classification, type Effect, type Flags, type Reversibility } from './effects';
import { actionTextOf, lazyHash, sha256 } from './hash';
import { formatIssues, type EffectivePolicy, type LayerName } from './policy/layers';
import { matchesRule, matchesProtected } from './policy/match';
import { outsideRole, roleRung, rolesFor, type Identity } from './policy/roles';
import { RUNGS, type Category, type DecisionKind } from './policy/schema';
import { absolutize, inspectPath, isWithin, type Environment } from './paths';

export type GateMode = 'interactive' | 'ci' | 'offline';

export interface RunState {
  /** The kill switch is latched: deny everything. */
  killed: boolean;
  /** The run is paused for a person (escalation, loop signal, budget): deny with this reason. */
  paused?: string;
  /** interactive: a person can answer asks; ci: nobody can (asks become deny unless policy says otherwise); offline: the gate is not running (only reads pass). */
  mode: GateMode;
  /** Airlock can snapshot files / take before-images before running, making snapshotable effects reversible. */
  canSnapshot: boolean;
  /** Who acts (agent, sub-agent type): selects the roles that apply. Absent: no role applies. */
  identity?: Identity;
}

export interface Decision {
  decision: DecisionKind;
  reversibility: Reversibility;
  effects: Effect[];
  flags: Flags;
  reasons: string[];
  rules: string[];
  commands: string[];
  /** May a person grant "allow for this run" for this pattern? Never for irreversible or security config. */
  cacheable: boolean;
  actionHash: string;
  policyHash: string;
  /** Snapshots Airlock must take before letting the action run (targets of snapshotable effects). */
  snapshots: string[];
  /** Files read to judge what will run ({path, sha256}); part of `actionHash`. */
  files?: Array<{ path: string; sha256: string }>;
  /** Files looked inside and what they run (`airlock policy explain`). */
  looked?: Classification['looked'];
  /** Programs a person may trust in this workspace to answer this ask (src/core/trust.ts). */
  trustable?: string[];
}

const ORDER: Record<DecisionKind, number> = { allow: 0, ask: 1, deny: 2 };
const RUNG_ORDER: readonly string[] = RUNGS;
const stricter = (a: DecisionKind, b: DecisionKind): DecisionKind => (ORDER[a] >= ORDER[b] ? a : b);

/** Which layers' allow rules may override asks coming from a given layer. */
function mayOverride(allowLayer: LayerName, askLayer: LayerName, policy: EffectivePolicy): boolean {
  if (askLayer === 'baseline') return allowLayer === 'user' || (allowLayer === 'workspace' && policy.workspaceAcknowledged);
  if (askLayer === 'user') return allowLayer === 'workspace' && policy.workspaceAcknowledged;
  return false;
}

function denyDecision(reason: string, rule: string, policyHash: string, actionHash = '', c?: Classification): Decision {
  return {
    decision: 'deny',
    reversibility: c?.reversibility ?? 'unknown',
    effects: c?.effects ?? [],
    flags: c?.flags ?? emptyFlags(),
    reasons: [reason],
    rules: [rule],
    commands: c?.commands ?? [],
    cacheable: false,
    actionHash,
    policyHash,
    snapshots: [],
  };
}

/** Judge an untrusted action. Never throws. */
export function judge(input: unknown, policy: EffectivePolicy, state: RunState, env: Environment): Decision {
  try {
    const parsed = Action.safeParse(input);
    if (!parsed.success) return denyDecision(`malformed action: ${formatIssues(parsed.error)}`, 'gate.malformed', policy.hash);
    return judgeAction(parsed.data, policy, state, env);
  } catch (e) {
    return denyDecision(`internal error while judging: ${(e as Error)?.message ?? String(e)}`, 'gate.error', policy.hash);
  }
}

/** Judge a schema-valid action. Exported for callers that already parsed; still never throws. */
export function judgeAction(action: Action, policy: EffectivePolicy, state: RunState, env: Environment): Decision {
  // The canonical text of what is judged is taken now; its SHA-256 (and the policy's) is computed
  // when the decision's hash is first read (`withHashes`).
  let actionText: string | undefined;
  try {
    actionText = actionTextOf(action);
    if (state.killed) return withHashes(denyDecision('the Airlock kill switch is latched: nothing runs until a person un-latches it in the editor', 'gate.killed', ''), policy, actionText);
    const c = classify(action, env);
    // An approval is bound to the content of every file the judgement read, too.
    if (c.files?.length) actionText = actionTextOf(action, c.files);
    if (state.paused) return withHashes(denyDecision(`run paused for a person: ${state.paused}`, 'gate.paused', '', '', c), policy, actionText);
    return withHashes(decide(action, c, policy, state, env), policy, actionText);
  } catch (e) {
    return withHashes(denyDecision(`internal error while judging: ${(e as Error)?.message ?? String(e)}`, 'gate.error', ''), policy, actionText);
  }
}

/**
 * The decision's `policyHash` and `actionHash` (of `actionText`; '' when the action could not even
 * be serialised), as values computed on first read: the offline hook prints only the verdict and
 * never loads a digest for them. Same values as hashing eagerly: the texts are fixed here.
 */
function withHashes(d: Decision, policy: EffectivePolicy, actionText: string | undefined): Decision {
  lazyHash(d, 'policyHash', () => policy.hash);
  if (actionText !== undefined) lazyHash(d, 'actionHash', () => sha256(actionText));
  return d;
}

function decide(action: Action, c: Classification, policy: EffectivePolicy, state: RunState, env: Environment): Decision {
  // Snapshots make snapshotable effects reversible, but only when the caller can take them.
  const snapshots: string[] = [];
  let effective = c;
  if (state.canSnapshot && c.effects.some((e) => e.snapshotable)) {
    // Every snapshotable change is checkpointed (so it can be undone); those worse than reversible
    // become reversible because of it. An effect without a target cannot be checkpointed.
    const eff = c.effects.map((e) => {
      if (!e.snapshotable || !e.target || e.kind === 'read' || e.reversibility === 'read' || e.reversibility === 'unknown') return e;
      snapshots.push(e.target);
      return rankOf(e.reversibility) <= rankOf('reversible') ? e : { ...e, reversibility: 'reversible' as const };
    });
    effective = summarize(eff, c.reasons, c.commands);
  }

  const reasons: string[] = [];
  const fired: string[] = [];
  const matched = policy.rules.filter((r) => matchesRule(r, action.kind, effective, env));

  let decision: DecisionKind = 'allow';
  const denies = matched.filter((r) => r.decision === 'deny');
  const asks = matched.filter((r) => r.decision === 'ask');
  const allows = matched.filter((r) => r.decision === 'allow');
  // A rule's reason names what it is about: the effects that meet the rule on their own, up to three
  // (so a person reads every real resolved path the rule is about, not only the rule's sentence).
  const because = (r: (typeof matched)[number]): string => {
    const hits = effective.effects.filter((x) => (x.kind !== 'read' || x.secrets ? matchesRule(r, action.kind, summarize([x], [], effective.commands), env) : false));
    const details = [...new Set(hits.map((e) => e.detail))];
    if (!details.length) return r.reason;
    const more = details.length > 3 ? `; and ${details.length - 3} more` : '';
    return `${r.reason}: ${details.slice(0, 3).join('; ')}${more}`;
  };
  for (const r of denies) {
    decision = 'deny';
    fired.push(r.id);
    reasons.push(because(r));
  }
  for (const r of asks) {
    const overriddenBy = allows.find((a) => mayOverride(a.layer, r.layer, policy));
    if (overriddenBy) continue;
    decision = stricter(decision, 'ask');
    fired.push(r.id);
    reasons.push(because(r));
  }
  for (const a of allows) if (!fired.includes(a.id) && decision === 'allow') fired.push(a.id);

  // Hard floors: no policy can lower these to allow.
  const floor = (id: string, reason: string, kind: DecisionKind = 'ask'): void => {
    if (ORDER[decision] > ORDER[kind]) return;
    decision = stricter(decision, kind);
    fired.push(id);
    reasons.push(reason);
  };
  const changes = effective.effects.filter((e) => e.kind !== 'read');
  for (const e of changes) {
    if (e.target?.startsWith('/') && (e.kind === 'delete' || e.kind === 'overwrite')) {
      const info = inspectPath(e.target, env);
      if (info.critical && !info.insideWorkspace) floor('floor.critical-path', `would destroy ${e.target}: ${info.critical}`, 'deny');
    }
  }
  const airlockState = changes.find((e) => e.target?.startsWith('/') && isWithin(e.target, absolutize(env.airlockHome, env)));
  if (airlockState) floor('floor.airlock-state', `would change Airlock's own state (${airlockState.target}): only Airlock writes there`, 'deny');
  const escapes = effective.effects.find((e) => e.escapesGate);
  if (escapes) floor('floor.escapes-gate', `would leave the gate's reach: ${escapes.detail}`, 'deny');
  const persists = effective.effects.find((e) => e.persists);
  if (persists) floor('floor.outlives-kill', `outlives the kill switch: ${persists.detail}`);
  if (effective.reversibility === 'unknown') floor('floor.unknown', c.reasons[0] ?? 'could not analyze the action');
  else if (effective.reversibility === 'irreversible') floor('floor.irreversible', `irreversible: ${firstDetail(effective, 'irreversible')}`);
  const sec = changes.find((e) => e.securityConfig);
  if (sec) floor('floor.security-config', `changes security configuration: ${sec.detail}`);
  const prot = changes.find((e) => e.target && matchesProtected(e.target, policy.protectedPaths, env));
  if (prot) floor('floor.protected-path', `changes a protected path: ${prot.target}`);

  // Roles: least privilege per agent and sub-agent. Outside any role in force is a deny.
  const roles = state.identity ? rolesFor(policy.roles, state.identity) : [];
  for (const r of roles) {
    const why = outsideRole(r.role, action, effective, env);
    if (why.length) floor(`role.${r.name}`, `outside the role "${r.name}" of ${r.via === 'agent' ? state.identity!.agent : `${state.identity!.agent} sub-agent ${state.identity!.subagentType}`}: ${why.join('; ')}`, 'deny');
  }

  // Autonomy rung of the action's category (the tighter of the policy's and the roles').
  const policyRung = policy.autonomy[action.kind as Category];
  const rolesRung = roleRung(roles, action.kind as Category);
  const rung = rolesRung && RUNG_ORDER.indexOf(rolesRung) < RUNG_ORDER.indexOf(policyRung) ? rolesRung : policyRung;
  const isRead = effective.reversibility === 'read';
  if (!isRead) {
    if (rung === 'read' || rung === 'draft') {
      floor(`autonomy.${action.kind}`, `${action.kind} actions are at the "${rung}" rung: the agent may only ${rung === 'read' ? 'read' : 'propose changes for a person to apply'}`, 'deny');
    } else if (rung === 'approved') {
      floor(`autonomy.${action.kind}`, `${action.kind} actions are at the "approved" rung: each change needs a person`);
    } else if (rung === 'staged' && rankOf(effective.reversibility) > rankOf('reversible')) {
      floor(`autonomy.${action.kind}`, `${action.kind} actions are at the "staged" rung: only changes Airlock can undo run alone`);
    }
  }

  // Who can answer an ask.
  if (decision === 'ask' && state.mode === 'offline') {
    decision = 'deny';
    fired.push('gate.offline');
    reasons.unshift('Airlock is not running: only read-only actions pass until it is started');
  } else if (decision !== 'deny' && state.mode === 'offline' && !isRead) {
    decision = 'deny';
    fired.push('gate.offline');
    reasons.unshift('Airlock is not running: only read-only actions pass until it is started');
  } else if (decision === 'ask' && state.mode === 'ci' && policy.ciAsk === 'deny') {
    decision = 'deny';
    fired.push('gate.ci');
    reasons.unshift('no person can approve in CI (policy ci.ask = "deny")');
  }

  if (decision === 'allow' && reasons.length === 0) reasons.push(isRead ? 'read-only' : `${effective.reversibility} and within policy`);
  const cacheable = decision === 'ask' && rankOf(effective.reversibility) <= rankOf('recoverable') && !effective.flags.securityConfig && !prot && !persists;
  return {
    decision,
    reversibility: effective.reversibility,
    effects: effective.effects,
    flags: effective.flags,
    reasons: [...new Set(reasons)],
    rules: [...new Set(fired)],
    commands: c.commands,
    cacheable,
    // Set by withHashes (in this position: the decision's keys keep their order).
    actionHash: '',
    policyHash: '',
    snapshots: decision === 'deny' ? [] : [...new Set(snapshots)],
    ...(c.files?.length ? { files: c.files } : {}),
    ...(c.looked?.length ? { looked: c.looked } : {}),
    ...(decision === 'ask' && c.trustable?.length ? { trustable: c.trustable } : {}),
  };
}

function firstDetail(c: Classification, rev: Reversibility): string {
  return c.effects.find((e) => e.reversibility === rev)?.detail ?? rev;
}
