/** `airlock policy validate [FILE]`, `airlock policy explain -- <command>`, `airlock policy schema`. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Action } from '../core/action';
import { classify } from '../core/classify/classify';
import { judge } from '../core/judge';
import { describeMatch, loosenings, parsePolicyText } from '../core/policy/layers';
import { matchesRule } from '../core/policy/match';
import { effectiveBudgets, outsideRole, rolesFor, type Identity } from '../core/policy/roles';
import { policyJsonSchema } from '../core/policy/schema';
import { machineEnvironment } from '../node/environment';
import { loadEffectivePolicy, WORKSPACE_POLICY } from '../node/policy/policyStore';
import { actionFromArgs, CHECK_STATE, prepareParsers } from './check';
import { parseCheckArgs, UsageError } from './args';
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
      process.stdout.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
      return 0;
    default:
      throw new UsageError('airlock policy validate [FILE] | explain [--cwd DIR] [--workspace DIR]... [--agent NAME [--subagent TYPE]] -- <command> | schema');
  }
}

function validate(argv: string[]): number {
  if (argv.length > 1) throw new UsageError('airlock policy validate [FILE]');
  const file = resolve(argv[0] ?? WORKSPACE_POLICY);
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
  const a = parseCheckArgs(argv);
  const raw = actionFromArgs(a);
  await prepareParsers(raw);
  const parsed = Action.safeParse(raw);
  if (!parsed.success) throw new UsageError('explain: could not build an action from the arguments');
  const act = parsed.data;
  const { policy } = loadPolicyOrExit(a);
  const env = machineEnvironment('cwd' in act && act.cwd ? act.cwd : process.cwd(), 'workspaceRoots' in act && act.workspaceRoots ? act.workspaceRoots : []);
  const c = classify(act, env);
  const d = judge(act, policy, identity ? { ...CHECK_STATE, identity } : CHECK_STATE, env);
  const subject = act.kind === 'shell' ? act.command : act.kind === 'sql' ? act.sql : JSON.stringify(act);
  const out: string[] = [renderDecision(d, subject), '', `Commands found: ${c.commands.length ? c.commands.map(visible).join(', ') : '(none)'}`, 'Rules (layer, decision, id: match) — * fired:'];
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
  if (policy.ignored.length) out.push('Ignored until acknowledged:', ...policy.ignored.map((i) => `  - ${i}`));
  out.push(`Policy hash: ${policy.hash}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT[d.decision];
}
