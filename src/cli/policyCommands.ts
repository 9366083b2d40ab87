/** `airlock policy validate [FILE]`, `airlock policy explain -- <command>`, `airlock policy schema`. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Action } from '../core/action';
import { classify } from '../core/classify/classify';
import { judge } from '../core/judge';
import { describeMatch, loosenings, parsePolicyText } from '../core/policy/layers';
import { matchesRule } from '../core/policy/match';
import { policyJsonSchema } from '../core/policy/schema';
import { machineEnvironment } from '../node/environment';
import { loadEffectivePolicy, WORKSPACE_POLICY } from '../node/policy/policyStore';
import { actionFromArgs, CHECK_STATE, prepareParsers } from './check';
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
    default:
      throw new UsageError(sub ? `airlock policy: unknown subcommand ${sub} (validate, explain, schema)` : 'airlock policy: validate, explain or schema');
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
    process.stdout.write(`INVALID ${file}\n  ${r.error}\n  Airlock would keep the last known good policy plus the baseline.\n`);
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

async function explain(argv: string[]): Promise<number> {
  const a = parseCheckArgs(argv, 'policy explain');
  const raw = actionFromArgs(a);
  await prepareParsers(raw);
  const parsed = Action.safeParse(raw);
  if (!parsed.success) throw new UsageError('explain: could not build an action from the arguments');
  const act = parsed.data;
  const { policy } = loadPolicyOrExit(a);
  const env = machineEnvironment('cwd' in act && act.cwd ? act.cwd : process.cwd(), 'workspaceRoots' in act && act.workspaceRoots ? act.workspaceRoots : []);
  const c = classify(act, env);
  const d = judge(act, policy, CHECK_STATE, env);
  const subject = act.kind === 'shell' ? act.command : act.kind === 'sql' ? act.sql : JSON.stringify(act);
  const out: string[] = [renderDecision(d, subject), '', `Commands found: ${c.commands.length ? c.commands.map(visible).join(', ') : '(none)'}`, 'Rules (layer, decision, id: match) — * fired:'];
  for (const r of policy.rules) {
    const fired = matchesRule(r, act.kind, c, env);
    out.push(`  ${fired ? '*' : ' '} [${r.layer}] ${r.decision.padEnd(5)} ${r.id}: ${describeMatch(r)}${fired ? `  -> ${r.reason}` : ''}`);
  }
  const floors = d.rules.filter((id) => id.startsWith('floor.') || id.startsWith('autonomy.') || id.startsWith('gate.'));
  out.push(`Hard floors and gate state that fired: ${floors.length ? floors.join(', ') : '(none)'}`);
  if (policy.ignored.length) out.push('Ignored until acknowledged:', ...policy.ignored.map((i) => `  - ${i}`));
  out.push(`Policy hash: ${policy.hash}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT[d.decision];
}
