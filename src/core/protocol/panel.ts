/**
 * The run log panel protocol: every message between the webview and the extension host, declared
 * once as zod schemas. Both ends import this module (the webview bundle too) and `safeParse` every
 * message where it arrives; an invalid message is dropped and logged, never cast.
 *
 * Direction and correlation:
 * - WebviewToHost: requests from the panel. Each request carries a `requestId`; the host answers
 *   each with exactly one reply carrying the same id (the result, or `error`). Nothing hangs.
 * - HostToWebview: replies, plus pushes (`pendingApprovals`, `state`, `runChanged`).
 * - Ready handshake: the host sends nothing until the webview's `ready`, then pushes the current
 *   state and pending approvals.
 *
 * Architecture Invariants:
 * - The webview never approves by itself: `decide` is a person's gesture, bound to the action hash
 *   the card showed. The host checks the hash and the gesture again before answering the gate.
 * - Irreversible and security-config cards need `gesture: 'typed'` (the person typed the confirm
 *   word); the host refuses `allow` for them with any other gesture.
 * - Pages are bounded (`MAX_PAGE`): the webview never receives all of a run's steps at once.
 */
import { z } from 'zod';
import { REVERSIBILITIES } from '../effects';
import { RUN_COST_SOURCES } from '../run/runCost';

/** Largest page of steps or runs one request may ask for. */
export const MAX_PAGE = 500;
/** Longest summary of an action shown in a list row (the full text comes with `stepDetail`). */
export const SUMMARY_CHARS = 240;
/** Most alert lines in the gate state (the rest is in `airlock verify`). */
export const MAX_ALERTS = 20;
/** Most dead letters listed at once (oldest first). */
export const MAX_DEAD_LETTERS = 200;
/** Longest argument text of a dead letter shown in the panel. */
export const DEAD_LETTER_ARGS_CHARS = 2000;

const requestId = z.string().min(1).max(64);
const id = z.string().min(1).max(512);
const short = z.string().max(4096);
const text = z.string().max(4 * 1024 * 1024);

export const Reversibility = z.enum(REVERSIBILITIES);

/** Decision filter values: what the gate recorded, plus "went to a person". */
export const DECISION_FILTERS = ['allow', 'deny', 'asked'] as const;
export const DecisionFilter = z.enum(DECISION_FILTERS);

export const StepFilters = z.strictObject({
  decisions: z.array(DecisionFilter).max(DECISION_FILTERS.length).optional(),
  reversibilities: z.array(Reversibility).max(REVERSIBILITIES.length).optional(),
  agent: z.string().min(1).max(200).optional(),
  /** Case-insensitive substring over the action, tool, reasons, rules and the agent's description. */
  q: z.string().min(1).max(500).optional(),
});
export type StepFilters = z.infer<typeof StepFilters>;

export const RunSummary = z.strictObject({
  id,
  agent: short,
  sessionId: short,
  startedAt: short,
  lastAt: short.nullable(),
  status: short,
  statusReason: short.nullable(),
  /** Proposed actions (pre rows); outcomes are folded into their step. */
  steps: z.number().int().nonnegative(),
  denials: z.number().int().nonnegative(),
  /** Asks that went to a person. */
  asked: z.number().int().nonnegative(),
  tokens: z.number().nonnegative().nullable(),
  /** null: no usage recorded, or no price known (never shown as zero). */
  costUsd: z.number().nonnegative().nullable(),
  /** Some usage rows have no known price: the cost shown is a lower bound. */
  costPartial: z.boolean(),
  /** Where the cost came from (src/core/run/runCost.ts, the same figure as budgets and `airlock log`). */
  costSource: z.enum(RUN_COST_SOURCES),
  /** Part or all of the cost was priced by Airlock from tokens (genai-prices): an estimate. */
  costEstimate: z.boolean(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const StepOutcome = z.strictObject({
  exitCode: z.number().int().optional(),
  error: z.string().max(16 * 1024).optional(),
  durationMs: z.number().nonnegative().optional(),
});

/** One list row: small, bounded, enough to scan a timeline. */
export const StepRow = z.strictObject({
  id,
  seq: z.number().int().nonnegative(),
  startedAt: short,
  agent: short,
  subagentId: short.nullable(),
  tool: short,
  kind: short.nullable(),
  /** The action's text, cut at SUMMARY_CHARS for the row (the detail has all of it). */
  summary: z.string().max(SUMMARY_CHARS + 1),
  summaryTruncated: z.boolean(),
  decision: short,
  reversibility: short,
  rules: z.array(short).max(256),
  approvedBy: short.nullable(),
  outcome: StepOutcome.nullable(),
  durationUs: z.number().nonnegative(),
  tokens: z.number().nonnegative().nullable(),
  costUsd: z.number().nonnegative().nullable(),
  /** The workspace checkpoint taken before the step (Undo puts its files back); null when none. */
  checkpoint: short.nullable(),
  /** Before-images of the rows the step changed are kept and not undone yet (a database Undo). */
  dbUndo: z.boolean(),
});
export type StepRow = z.infer<typeof StepRow>;

export const EffectView = z.strictObject({
  kind: short,
  reversibility: short,
  detail: short,
  target: short.optional(),
  outsideWorkspace: z.boolean().optional(),
  securityConfig: z.boolean().optional(),
  secrets: z.boolean().optional(),
  network: z.boolean().optional(),
  exec: z.boolean().optional(),
});

export const StepDetail = z.strictObject({
  row: StepRow,
  /** The whole action text (never truncated); the webview reveals invisible characters. */
  action: text,
  effects: z.array(EffectView).max(10_000),
  reasons: z.array(z.string().max(16 * 1024)).max(1000),
  description: z.string().max(16 * 1024).nullable(),
  actionHash: short.nullable(),
  policyHash: short,
  decidedAt: short,
  hash: short,
});
export type StepDetail = z.infer<typeof StepDetail>;

export const RevealSegmentSchema = z.union([z.strictObject({ text }), z.strictObject({ code: z.string().max(16), name: z.string().max(64) })]);

export const PendingCardSchema = z.strictObject({
  stepId: id,
  runId: id,
  agent: short,
  tool: short,
  effectSummary: z.string().max(64 * 1024),
  reversibility: Reversibility,
  command: z.array(RevealSegmentSchema).max(1_000_000),
  invisibleCount: z.number().int().nonnegative(),
  claim: z.array(RevealSegmentSchema).max(10_000).optional(),
  reasons: z.array(z.string().max(16 * 1024)).max(1000),
  rules: z.array(short).max(1000),
  actionHash: short,
  deadlineAt: z.number(),
  irreversible: z.boolean(),
  securityConfig: z.boolean(),
  cacheable: z.boolean(),
});

export const GateState = z.strictObject({
  gate: z.enum(['armed', 'paused', 'killed']),
  reason: short.optional(),
  pending: z.number().int().nonnegative(),
  /** Shown as a red banner: the ledger's integrity is broken (a tampered chain, a deleted or replaced database). */
  alerts: z.array(short).max(MAX_ALERTS).optional(),
});
export type GateState = z.infer<typeof GateState>;

/** A side effect of Airlock's own tools whose retries ran out (EffectStore dead_letters, status 'dead'). */
export const DeadLetterView = z.strictObject({
  id: z.number().int().positive(),
  tool: short,
  /** Canonical JSON of the call's arguments, cut at DEAD_LETTER_ARGS_CHARS. */
  args: z.string().max(DEAD_LETTER_ARGS_CHARS + 1),
  argsTruncated: z.boolean(),
  error: z.string().max(16 * 1024),
  errorCode: short.nullable(),
  attempts: z.number().int().nonnegative(),
  createdAt: short,
});
export type DeadLetterView = z.infer<typeof DeadLetterView>;

// ---- webview -> host -------------------------------------------------------------------------

export const WebviewToHost = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('listRuns'), requestId, offset: z.number().int().nonnegative(), limit: z.number().int().min(1).max(MAX_PAGE), agent: z.string().min(1).max(200).optional() }),
  z.strictObject({ type: z.literal('openRun'), requestId, runId: id }),
  z.strictObject({ type: z.literal('pageSteps'), requestId, runId: id, offset: z.number().int().nonnegative(), limit: z.number().int().min(1).max(MAX_PAGE), filters: StepFilters }),
  z.strictObject({ type: z.literal('stepDetail'), requestId, stepId: id }),
  z.strictObject({ type: z.literal('exportRun'), requestId, runId: id }),
  z.strictObject({ type: z.literal('listDeadLetters'), requestId }),
  /** retry: the call goes through the gate again with its idempotency key; discard: give up on it. */
  z.strictObject({ type: z.literal('deadLetterAction'), requestId, id: z.number().int().positive(), action: z.enum(['retry', 'discard']) }),
  /** Undo a step's file changes from its checkpoint (step), or restore its run to before it (run). The host shows the diff and asks first. */
  z.strictObject({ type: z.literal('undo'), requestId, runId: id, stepId: id, scope: z.enum(['step', 'run']) }),
  z.strictObject({
    type: z.literal('decide'),
    requestId,
    stepId: id,
    decision: z.enum(['allow', 'deny']),
    /** The hash the card showed: the host refuses if the pending action's hash differs. */
    actionHash: short,
    /** click: a button; typed: the person typed the confirm word first (irreversible cards). */
    gesture: z.enum(['click', 'typed']),
    /** run: "allow for this run" (cacheable cards only). */
    scope: z.enum(['once', 'run']),
  }),
]);
export type WebviewToHost = z.infer<typeof WebviewToHost>;

// ---- host -> webview -------------------------------------------------------------------------

export const HostToWebview = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('runs'), requestId, offset: z.number().int().nonnegative(), total: z.number().int().nonnegative(), rows: z.array(RunSummary).max(MAX_PAGE), agents: z.array(short).max(1000) }),
  z.strictObject({ type: z.literal('runOpened'), requestId, run: RunSummary }),
  z.strictObject({ type: z.literal('steps'), requestId, runId: id, offset: z.number().int().nonnegative(), total: z.number().int().nonnegative(), rows: z.array(StepRow).max(MAX_PAGE) }),
  z.strictObject({ type: z.literal('stepDetail'), requestId, detail: StepDetail }),
  z.strictObject({ type: z.literal('exported'), requestId, path: z.string().max(4096).optional(), steps: z.number().int().nonnegative().optional() }),
  z.strictObject({ type: z.literal('decided'), requestId, stepId: id, ok: z.boolean(), message: short.optional() }),
  /** available false: no effect store in this window (the message says why). */
  z.strictObject({ type: z.literal('deadLetters'), requestId, available: z.boolean(), rows: z.array(DeadLetterView).max(MAX_DEAD_LETTERS), message: short.optional() }),
  z.strictObject({ type: z.literal('deadLetterDone'), requestId, id: z.number().int().positive(), action: z.enum(['retry', 'discard']), ok: z.boolean(), message: short }),
  z.strictObject({ type: z.literal('undone'), requestId, stepId: id, ok: z.boolean(), message: short }),
  z.strictObject({ type: z.literal('error'), requestId: requestId.optional(), message: z.string().max(16 * 1024) }),
  z.strictObject({ type: z.literal('pendingApprovals'), cards: z.array(PendingCardSchema).max(1000) }),
  z.strictObject({ type: z.literal('state'), state: GateState }),
  /** New steps in a run: the webview refreshes its total and the visible rows. */
  z.strictObject({ type: z.literal('runChanged'), runId: id, lastSeq: z.number().int().nonnegative() }),
]);
export type HostToWebview = z.infer<typeof HostToWebview>;

/** A request the webview may send, without its type-specific reply. */
export type WebviewRequest = Exclude<WebviewToHost, { type: 'ready' }>;
