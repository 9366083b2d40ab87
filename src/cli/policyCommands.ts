/**
 * `airlock policy validate [FILE]`, `airlock policy explain -- <command>`, `airlock policy schema`,
 * `airlock policy trust list|add|revoke` (the person's learned per-workspace trust).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Action } from '../core/action';
import { classify } from '../core/classify/classify';
import { judge } from '../core/judge';
import { describeMatch, loosenings, parsePolicyText } from '../core/policy/layers';
import { matchesRule } from '../core/policy/match';
import { effectiveBudgets, outsideRole, rolesFor, type Identity } from '../core/policy/roles';
import { policyJsonSchema } from '../core/policy/schema';
import { airlockHome } from '../node/environment';
import { FileTrustStore } from '../node/policy/trustStore';
import { TrustClass } from '../core/trust';
import { loadEffectivePolicy, WORKSPACE_POLICY } from '../node/policy/policyStore';
import { actionFromArgs, CHECK_STATE, checkEnvironment, prepareParsers } from './check';
import { parseCheckArgs, UsageError } from './args';
import { strictArgs } from './usageError';
import { EXIT, renderDecision, visible } from './format';
import { loadPolicyOrExit } from './policyArgs';

export async function runPolicy(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'validate':
      return validate(rest);
    case 'explain':
      return explain(rest);
    case 'schema':
      strictArgs('policy schema', rest, {});
      process.stdout.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
      return 0;
    case 'trust':
      return trust(rest);
    default:
      throw new UsageError(sub ? `airlock policy: unknown subcommand ${sub} (validate, explain, schema, trust)` : 'airlock policy: validate, explain, schema or trust');
  }
}

function validate(argv: string[]): number {
  const { positionals } = strictArgs('policy validate', argv, {}, true);
  if (positionals.length > 1) throw new UsageError('airlock policy validate takes one FILE');
  const file = resolve(positionals[0] ?? WORKSPACE_POLICY);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`airlock: cannot read ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  const r = parsePolicyText(text);
  if (!r.ok) {
    // One problem a line (a role nesting error lists its offending scopes after the colon).
    const problems = (r.issues ?? [r.error]).map((p) => `  - ${p}`).join('\n');
    process.stdout.write(`INVALID ${file}\n${problems}\n  Airlock would keep the last known good policy plus the baseline.\n`);
    return 1;
  }
  const { policy: userEffective } = loadEffectivePolicy({ workspaceRoots: [] });
  const loose = loosenings(r.policy, userEffective);
  process.stdout.write(`VALID ${file} (sha256 ${r.hash})\n  ${r.policy.rules.length} rules, ${r.policy.protectedPaths.length} protected paths\n`);
  if (loose.length) {
    process.stdout.write('  As a workspace policy it would loosen your policy; these parts apply only after you acknowledge this exact content:\n');
    for (const l of loose) process.stdout.write(`    - ${l.what}\n`);
  }
  return 0;
}

/** Takes `--agent NAME` and `--subagent TYPE` (before `--`) out of argv: the identity to judge for. */
export function takeIdentity(argv: string[]): { identity?: Identity; rest: string[] } {
  const dd = argv.indexOf('--');
  const before = dd >= 0 ? argv.slice(0, dd) : [...argv];
  const after = dd >= 0 ? argv.slice(dd) : [];
  const rest: string[] = [];
  let agent: string | undefined;
  let subagentType: string | undefined;
  for (let i = 0; i < before.length; i++) {
    const w = before[i]!;
    const m = /^--(agent|subagent)(?:=(.*))?$/.exec(w);
    if (!m) {
      rest.push(w);
      continue;
    }
    const v = m[2] ?? before[++i];
    if (v === undefined || v === '' || v.startsWith('--')) throw new UsageError(`--${m[1]} takes a name`);
    if (m[1] === 'agent') agent = v;
    else subagentType = v;
  }
  if (subagentType !== undefined && agent === undefined) throw new UsageError('--subagent goes with --agent (the parent agent)');
  const identity = agent === undefined ? undefined : subagentType === undefined ? { agent } : { agent, subagentType };
  return identity ? { identity, rest: [...rest, ...after] } : { rest: [...rest, ...after] };
}

async function explain(argv0: string[]): Promise<number> {
  const { identity, rest: argv } = takeIdentity(argv0);
  const a = parseCheckArgs(argv, 'policy explain');
  const raw = actionFromArgs(a);
  await prepareParsers(raw);
  const parsed = Action.safeParse(raw);
  if (!parsed.success) throw new UsageError('explain: could not build an action from the arguments');
  const act = parsed.data;
  const { policy } = loadPolicyOrExit(a);
  const env = checkEnvironment('cwd' in act && act.cwd ? act.cwd : process.cwd(), 'workspaceRoots' in act && act.workspaceRoots ? act.workspaceRoots : []);
  const c = classify(act, env);
  const d = judge(act, policy, identity ? { ...CHECK_STATE, identity } : CHECK_STATE, env);
  const subject = act.kind === 'shell' ? act.command : act.kind === 'sql' ? act.sql : JSON.stringify(act);
  const out: string[] = [renderDecision(d, subject), '', `Commands found: ${c.commands.length ? c.commands.map(visible).join(', ') : '(none)'}`];
  out.push('Files read to judge it (the decision and any approval are bound to these hashes):');
  if (!c.files?.length) out.push('  (none)');
  for (const f of c.files ?? []) out.push(`  ${visible(f.path)}  ${f.sha256.startsWith('error:') ? f.sha256 : `sha256 ${f.sha256}`}`);
  if (c.looked?.length) {
    out.push('What they run (innermost first; each with its own class):');
    for (const v of c.looked) out.push(`  ${'  '.repeat(v.depth)}${visible(v.what)}${v.path ? ` (${visible(v.path)})` : ''}: ${v.reversibility}; runs ${v.runs.length ? [...new Set(v.runs)].map(visible).join(', ') : 'nothing'}`);
    out.push('Effects by where they come from:');
    for (const e of c.effects) out.push(`  - [${e.reversibility}] ${visible(e.detail)}`);
  }
  if (c.trustable?.length) out.push(`Programs nothing is known of (a person may trust them in this workspace): ${c.trustable.map(visible).join(', ')}`);
  out.push('Rules (layer, decision, id: match) — * fired:');
  for (const r of policy.rules) {
    const fired = matchesRule(r, act.kind, c, env);
    out.push(`  ${fired ? '*' : ' '} [${r.layer}] ${r.decision.padEnd(5)} ${r.id}: ${describeMatch(r)}${fired ? `  -> ${r.reason}` : ''}`);
  }
  const floors = d.rules.filter((id) => id.startsWith('floor.') || id.startsWith('autonomy.') || id.startsWith('gate.'));
  out.push(`Hard floors and gate state that fired: ${floors.length ? floors.join(', ') : '(none)'}`);
  if (identity) {
    const who = identity.subagentType ? `${identity.agent} sub-agent ${identity.subagentType}` : identity.agent;
    const roles = rolesFor(policy.roles, identity);
    if (!roles.length) out.push(`Roles in force for ${who}: (none: no role restricts it)`);
    else {
      out.push(`Roles in force for ${who} (every one must hold):`);
      for (const r of roles) {
        const why = outsideRole(r.role, act, c, env);
        out.push(`  ${why.length ? 'x' : ' '} ${r.name} (via ${r.via === 'agent' ? `agent ${identity.agent}` : `sub-agent type ${identity.subagentType}`})${why.length ? `  -> denied: ${why.join('; ')}` : ''}`);
      }
    }
    const b = effectiveBudgets(policy, identity);
    out.push(`Budgets for this agent's run: per run ${b.perRunUsd !== undefined ? `$${b.perRunUsd}` : 'none'}, per day ${b.perDayUsd !== undefined ? `$${b.perDayUsd}` : 'none'} (the tightest of the policy's and its roles')`);
  }
  out.push(`Decided by: ${d.rules.length ? d.rules.join(', ') : '(no rule: the default for its class)'}`);
  if (policy.ignored.length) out.push('Ignored until acknowledged:', ...policy.ignored.map((i) => `  - ${i}`));
  out.push(`Policy hash: ${policy.hash}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT[d.decision];
}

/** `airlock policy trust list|add <program> [--class C]|revoke <id>` [--workspace DIR]. */
function trust(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (sub?.startsWith('-')) throw new UsageError(`airlock policy trust: unknown option ${sub} (valid options: --class VALUE, --workspace VALUE, --json, -h/--help)`);
  let workspace = process.cwd();
  let cls: TrustClass | undefined;
  let json = false;
  const pos: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--workspace' || a === '--class') {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      if (a === '--workspace') workspace = resolve(v);
      else {
        const p = TrustClass.safeParse(v);
        if (!p.success) throw new UsageError(`--class must be read, reversible or recoverable (never irreversible): got ${v}`);
        cls = p.data;
      }
    } else if (a === '--json') json = true;
    else pos.push(a);
  }
  const store = new FileTrustStore(airlockHome(), workspace);
  switch (sub) {
    case 'list': {
      const r = store.read();
      if (r.error) process.stderr.write(`airlock: ${r.error}\n`);
      if (json) process.stdout.write(`${JSON.stringify(r.entries)}\n`);
      else if (r.entries.length === 0) process.stdout.write(`No program is trusted in ${store.workspace}.\n`);
      else for (const e of r.entries) process.stdout.write(`${e.id}  ${e.program}  ${e.class}  ${e.kind === 'file' ? `sha256 ${e.sha256?.slice(0, 16)}` : e.path}  (${e.addedAt}, ${e.by})\n`);
      return r.error ? 1 : 0;
    }
    case 'add': {
      if (pos.length !== 1) throw new UsageError('airlock policy trust add <program | ./workspace/file> [--class read|reversible|recoverable] [--workspace DIR]');
      const r = store.add(pos[0]!, { ...(cls ? { class: cls } : {}), by: 'airlock policy trust add' });
      if (!r.ok) {
        process.stderr.write(`airlock: ${r.error}\n`);
        return 1;
      }
      process.stdout.write(json ? `${JSON.stringify(r.entry)}\n` : `trusted ${r.entry.program} in ${store.workspace} as ${r.entry.class} (id ${r.entry.id}, ${r.entry.kind === 'file' ? `content sha256 ${r.entry.sha256?.slice(0, 16)}` : `bound to ${r.entry.path}`})\n`);
      return 0;
    }
    case 'revoke': {
      if (pos.length !== 1) throw new UsageError('airlock policy trust revoke <id> [--workspace DIR]');
      if (!store.revoke(pos[0]!)) {
        process.stderr.write(`airlock: no trust entry ${pos[0]} in ${store.workspace}\n`);
        return 1;
      }
      process.stdout.write(`revoked ${pos[0]}\n`);
      return 0;
    }
    default:
      throw new UsageError('airlock policy trust list | add <program> [--class C] | revoke <id>  [--workspace DIR] [--json]');
  }
}
