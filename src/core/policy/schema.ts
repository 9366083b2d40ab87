/**
 * The policy file `.airlock/policy.json` (team-shared, committed) and the user policy share this
 * schema. It is the single source of truth: the JSON Schema contributed to VS Code (completion when
 * editing the file) is generated from it at build time.
 *
 * Strict objects: an unknown key is an error, not silently ignored (a typo such as `"deny "` must
 * not turn a rule off without anyone noticing).
 */
import { z } from 'zod';
import { lazySchema } from '../lazySchema';
import { EFFECT_KINDS, REVERSIBILITIES } from '../effects';
import { DatabaseScope } from './namedQueries';
import { Assign, Role, roleProblems } from './roles';

export const POLICY_VERSION = 1;

export const DECISIONS = ['allow', 'ask', 'deny'] as const;
export const DecisionKind = lazySchema(() => z.enum(DECISIONS));
export type DecisionKind = z.infer<typeof DecisionKind>;

export const CATEGORIES = ['file', 'shell', 'sql', 'http', 'mcp'] as const;
export const Category = lazySchema(() => z.enum(CATEGORIES));
export type Category = z.infer<typeof Category>;

/** The autonomy ladder, lowest to highest. Irreversible actions never reach `autonomous`. */
export const RUNGS = ['read', 'draft', 'staged', 'approved', 'autonomous'] as const;
export const Rung = lazySchema(() => z.enum(RUNGS));
export type Rung = z.infer<typeof Rung>;

const Id = lazySchema(() => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, 'rule ids are 1-80 letters, digits, dot, dash, underscore'));

export const RuleMatch = lazySchema(() => z
  .strictObject({
    kind: z.array(Category).min(1).optional().describe('Action kinds the rule applies to.'),
    effects: z.array(z.enum(EFFECT_KINDS)).min(1).optional().describe('Fires if the action has any of these effect kinds.'),
    reversibility: z.array(z.enum(REVERSIBILITIES)).min(1).optional().describe('Fires if an effect has one of these reversibilities.'),
    paths: z.array(z.string().min(1).max(500)).min(1).max(200).optional().describe('Globs (workspace-relative or absolute) matched against the targets of the effects.'),
    commands: z.array(z.string().min(1).max(100)).min(1).max(200).optional().describe('Program names (git, terraform, …) found anywhere in a shell action.'),
    outsideWorkspace: z.boolean().optional(),
    securityConfig: z.boolean().optional(),
    secrets: z.boolean().optional(),
    network: z.boolean().optional(),
    exec: z.boolean().optional(),
  })
  .describe('All given conditions must hold (AND). kind and commands apply to the action; effects, reversibility, paths and the flags must all hold for one and the same effect. An empty match fires for every action.'));
export type RuleMatch = z.infer<typeof RuleMatch>;

export const Rule = lazySchema(() => z.strictObject({
  id: Id.describe('Stable id, shown in decisions and the run log.'),
  match: RuleMatch,
  decision: DecisionKind,
  reason: z.string().min(1).max(500).describe('Shown to the agent and the person.'),
}));
export type Rule = z.infer<typeof Rule>;

export const Budgets = lazySchema(() => z.strictObject({
  perRunUsd: z.number().positive().max(1e6).optional(),
  perDayUsd: z.number().positive().max(1e6).optional(),
}));
export type Budgets = z.infer<typeof Budgets>;

export const LOOP_DEFAULTS = { sameCallInARow: 3, sameFailure: 3, maxTokensPerMinute: 3_000_000, maxCallsWithoutPerson: 100 } as const;

export const Loops = lazySchema(() => z
  .strictObject({
    sameCallInARow: z.number().int().min(2).max(1000).default(LOOP_DEFAULTS.sameCallInARow).describe('The same tool call with identical arguments this many times in a row pauses the run.'),
    sameFailure: z.number().int().min(1).max(1000).default(LOOP_DEFAULTS.sameFailure).describe('A call that already failed this many times pauses the run when it is tried again.'),
    maxTokensPerMinute: z.number().int().min(1000).max(1e10).default(LOOP_DEFAULTS.maxTokensPerMinute).describe('Tokens (input, output, cache) reported for the run in the last 60 seconds above this pause it.'),
    maxCallsWithoutPerson: z.number().int().min(1).max(100000).default(LOOP_DEFAULTS.maxCallsWithoutPerson).describe('Tool calls since the last prompt, approval or budget raise by a person before the run pauses.'),
  })
  .describe('Runaway-loop signals: each pauses the run with its reason until a person resumes it.'));
export type Loops = z.infer<typeof Loops>;

export const Policy = lazySchema(() => z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(POLICY_VERSION).describe('Policy format version. Only 1 exists.'),
  rules: z.array(Rule).max(1000).default([]),
  autonomy: z.partialRecord(Category, Rung).default({}).describe('Highest rung each category may act on.'),
  protectedPaths: z.array(z.string().min(1).max(500)).max(500).default([]).describe('Globs no agent may change without a person.'),
  budgets: Budgets.default({}),
  ci: z
    .strictObject({ ask: z.enum(['deny', 'ask']).default('deny').describe('With no person present (airlock serve --ci), what an ask becomes.') })
    .default({ ask: 'deny' }),
  escalation: z
    .strictObject({ maxDenialsInARow: z.number().int().min(1).max(100).default(3).describe('Denials in a row before the run is paused for a person.') })
    .default({ maxDenialsInARow: 3 }),
  loops: Loops.default({ ...LOOP_DEFAULTS }),
  roles: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/), Role).default({}).describe('Named roles: what an agent or sub-agent holding one may do (least privilege).'),
  assign: Assign.default({ agents: {}, subagents: {} }),
  databases: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,47}$/, 'a connection name: lower-case letters, digits and _'), DatabaseScope).default({}).describe('Per database connection: its named queries (each an MCP tool db_<connection>_<query>) and whether free-form SQL is allowed.'),
}).superRefine((p, ctx) => {
  for (const message of roleProblems(p.roles, p.assign)) ctx.addIssue({ code: 'custom', path: ['assign'], message });
}));
export type Policy = z.infer<typeof Policy>;
export type PolicyInput = z.input<typeof Policy>;

/** The JSON Schema of the policy file, generated from the zod schema (no second copy by hand). */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Policy, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  return { ...schema, title: 'Airlock policy', description: 'Team policy for Airlock (.airlock/policy.json). A deny anywhere wins; loosening the user policy needs acknowledgement.' };
}

/** An empty policy (no rules) for layers that have no file. */
export function emptyPolicy(): Policy {
  return Policy.parse({ version: POLICY_VERSION });
}
