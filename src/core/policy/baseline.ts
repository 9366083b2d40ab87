/**
 * The built-in baseline: the layer under every user and workspace policy.
 *
 * These are the soft defaults, expressed as ordinary rules so `airlock policy explain` shows them by
 * id. A user policy (or an acknowledged workspace policy) may override the `ask` rules here with its
 * own `allow` rules; a `deny` here wins over everything. The hard floors that no policy can lower
 * (irreversible or unknown -> at least ask, security config -> at least ask, kill switch -> deny)
 * live in the judge, not here.
 *
 * Written as `Policy.parse` returns it (defaults filled in, keys in the schema's order), not parsed
 * when the module loads: every process that judges would build the whole policy schema for it, even
 * with no policy file to read. test/unit/lazySchema.spec.ts checks that parsing it changes nothing.
 */
import { LOOP_DEFAULTS, type Policy } from './schema';

export const BASELINE: Policy = {
  version: 1,
  rules: [
    {
      id: 'baseline.destroy-outside-workspace',
      match: { effects: ['delete', 'overwrite'], reversibility: ['irreversible', 'unknown'], outsideWorkspace: true },
      decision: 'deny',
      reason: 'destroys data outside the workspace',
    },
    {
      id: 'baseline.change-outside-workspace',
      match: { effects: ['create', 'write', 'overwrite', 'delete', 'permissions', 'process'], outsideWorkspace: true },
      decision: 'ask',
      reason: 'changes files outside the workspace',
    },
    {
      id: 'baseline.exfiltrate-secrets',
      match: { secrets: true, network: true },
      decision: 'deny',
      reason: 'sends secrets read in the same command off the machine',
    },
    {
      id: 'baseline.secrets',
      match: { secrets: true },
      decision: 'ask',
      reason: 'touches secrets (credentials, keys, .env)',
    },
    {
      id: 'baseline.exec-unknown-code',
      match: { exec: true },
      decision: 'ask',
      reason: 'runs code nobody has read (piped into a shell or interpreter, inline script)',
    },
    {
      id: 'baseline.remote-change',
      match: { effects: ['network', 'create', 'write', 'overwrite', 'delete', 'permissions', 'process'], reversibility: ['recoverable', 'irreversible', 'unknown'], network: true },
      decision: 'ask',
      reason: 'changes remote state or sends data off the machine',
    },
  ],
  autonomy: {},
  protectedPaths: [],
  budgets: {},
  ci: { ask: 'deny' },
  escalation: { maxDenialsInARow: 3 },
  loops: { ...LOOP_DEFAULTS },
  roles: {},
  assign: { agents: {}, subagents: {} },
  databases: {},
};
