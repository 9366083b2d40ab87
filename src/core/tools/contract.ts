/**
 * The contract every Airlock tool meets (MCP server, proxy, VS Code language model tools):
 *
 * - a strict zod input schema (unknown keys rejected), exported as the tool's JSON Schema;
 * - ONE response envelope for success and failure:
 *     { ok: true,  data, traceId, decision }
 *     { ok: false, error: { code, message, retryable }, traceId, decision }
 *   `decision` is the gate's decision for the step (null when the call never reached the gate,
 *   e.g. malformed input or a stored idempotent result);
 * - a description saying what the tool does, when to use it, its side effects and its error cases;
 * - honest MCP annotations.
 * Outputs are validated against the same schemas before they leave Airlock (`sealEnvelope`).
 *
 * Pure: no I/O. The executors live in src/node/mcp.
 */
import { z } from 'zod';
import { REVERSIBILITIES } from '../effects';

export const ERROR_CODES = [
  'invalid_input', // the arguments do not match the tool's schema (nothing ran)
  'unknown_tool',
  'denied', // the gate denied the call (reasons in message and decision)
  'conflict', // compare-and-swap failed: the file's current hash is not the expected one
  'not_found',
  'ambiguous', // edit: old string found more than once without replaceAll
  'io_error',
  'timeout',
  'db_error',
  'unknown_connection',
  'idempotency_conflict', // the idempotency key was used before with different arguments
  'in_progress', // the same idempotency key is being carried out right now
  'dead_lettered', // transient failures exhausted the retries; the call is in the dead-letter queue
  'upstream_error', // a wrapped MCP server failed
  'internal',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ToolError = z.strictObject({
  code: ErrorCode,
  message: z.string(),
  /** True when the same call may succeed later unchanged (approval pending, busy database, in progress). */
  retryable: z.boolean(),
  /** Structured detail (e.g. the dry-run report of a denied database write, the current hash on conflict). */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ToolError = z.infer<typeof ToolError>;

/** The gate's decision as the caller sees it. */
export const GateDecision = z.strictObject({
  decision: z.enum(['allow', 'ask', 'deny']),
  reversibility: z.enum(REVERSIBILITIES),
  reasons: z.array(z.string()),
  rules: z.array(z.string()),
  /** The ledger step that recorded the decision ('' when it could not be recorded). */
  stepId: z.string(),
  runId: z.string(),
});
export type GateDecision = z.infer<typeof GateDecision>;

export function envelopeSchema<D extends z.ZodType>(data: D) {
  return z.discriminatedUnion('ok', [
    z.strictObject({ ok: z.literal(true), data, traceId: z.string().min(1), decision: GateDecision.nullable(), replayed: z.boolean().optional() }),
    z.strictObject({ ok: z.literal(false), error: ToolError, traceId: z.string().min(1), decision: GateDecision.nullable(), replayed: z.boolean().optional() }),
  ]);
}

export type Envelope<D = unknown> =
  | { ok: true; data: D; traceId: string; decision: GateDecision | null; replayed?: boolean }
  | { ok: false; error: ToolError; traceId: string; decision: GateDecision | null; replayed?: boolean };

/** MCP tool annotations (hints for clients; honest on Airlock's own tools). */
export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolContract<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: I;
  /** The schema of `data` in a successful envelope. */
  output: O;
  annotations: ToolAnnotations;
  /** Carries out side effects (so it takes an idempotency key and is recorded in the effect store). */
  sideEffects: boolean;
}

/** The tool definition as listed to MCP clients and VS Code (JSON Schemas, annotations). */
export interface ToolListing {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: 'object'; [k: string]: unknown };
  outputSchema: { type: 'object'; [k: string]: unknown };
  annotations: ToolAnnotations;
}

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

/**
 * The envelope as one JSON Schema object (MCP requires `type: "object"` at the top of an output
 * schema): the common fields, and `oneOf` the success or the failure shape.
 */
export function envelopeJsonSchema(data: z.ZodType): { type: 'object'; [k: string]: unknown } {
  const decision = { anyOf: [jsonSchemaOf(GateDecision, 'output'), { type: 'null' }] };
  const common = { traceId: { type: 'string', minLength: 1 }, decision, replayed: { type: 'boolean' } };
  return {
    type: 'object',
    oneOf: [
      { type: 'object', properties: { ok: { const: true }, data: jsonSchemaOf(data, 'output'), ...common }, required: ['ok', 'data', 'traceId', 'decision'], additionalProperties: false },
      { type: 'object', properties: { ok: { const: false }, error: jsonSchemaOf(ToolError, 'output'), ...common }, required: ['ok', 'error', 'traceId', 'decision'], additionalProperties: false },
    ],
  };
}

export function listingOf(c: ToolContract): ToolListing {
  const input = jsonSchemaOf(c.input, 'input');
  if (input.type !== 'object') throw new Error(`tool ${c.name}: the input schema must be an object`);
  return { name: c.name, title: c.annotations.title, description: c.description, inputSchema: input as ToolListing['inputSchema'], outputSchema: envelopeJsonSchema(c.output), annotations: { ...c.annotations } };
}

/** zod issues as one line a model can act on. */
export function describeIssues(e: z.ZodError): string {
  return e.issues
    .slice(0, 8)
    .map((i) => {
      const at = i.path.length ? i.path.join('.') : '(arguments)';
      if (i.code === 'unrecognized_keys') return `${at}: unknown key(s) ${i.keys.map((k) => JSON.stringify(k)).join(', ')}`;
      return `${at}: ${i.message}`;
    })
    .join('; ');
}

export function failure(code: ErrorCode, message: string, traceId: string, decision: GateDecision | null, opts: { retryable?: boolean; details?: Record<string, unknown> } = {}): Envelope<never> {
  return { ok: false, error: { code, message, retryable: opts.retryable ?? false, ...(opts.details ? { details: opts.details } : {}) }, traceId, decision };
}

/**
 * Validate an envelope against the tool's output contract before it leaves Airlock. A result that
 * does not meet its contract is replaced by an `internal` failure (never passed on unchecked).
 */
export function sealEnvelope(c: Pick<ToolContract, 'name' | 'output'>, env: Envelope<unknown>): Envelope<unknown> {
  const r = envelopeSchema(c.output).safeParse(env);
  if (r.success) return r.data as Envelope<unknown>;
  return failure('internal', `Airlock's ${c.name} produced a result that does not meet its output contract (${describeIssues(r.error)}); nothing more is known about the outcome`, env.traceId || 'unknown', env.decision ?? null);
}
