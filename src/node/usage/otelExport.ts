/**
 * Runs leave the machine as OpenTelemetry traces, built with OpenTelemetry's own JS SDK
 * (BasicTracerProvider, BatchSpanProcessor) and sent by its OTLP/HTTP protobuf exporter to any
 * endpoint: a Collector, Jaeger, Tempo, Langfuse, ...
 *
 * One trace per run, GenAI semantic conventions:
 *   invoke_agent <agent>                      root, per run (gen_ai.agent.name, gen_ai.conversation.id)
 *   ├─ invoke_agent <agent> (sub-agent id)    per sub-agent seen in the run (gen_ai.agent.id)
 *   │    └─ execute_tool <tool>               its steps
 *   ├─ execute_tool <tool>                    per pre step (gen_ai.tool.name, gen_ai.tool.call.id)
 *   │    events: airlock.decision, airlock.approval, airlock.escalation, airlock.duplicate, airlock.outcome
 *   └─ chat <model>                           per model call, when usage records are given
 *        (gen_ai.request.model, gen_ai.usage.*; cost only here: airlock.cost.usd, airlock.cost.source)
 *
 * Ids are derived from the run id (trace) and the step / model call (span), so exporting a run
 * again sends the same ids and a backend sees the same trace, not a second one.
 * What is exported is what the ledger stored: already masked (core/mask.ts).
 *
 * Endpoint: `endpoint` (Airlock's own setting / `--endpoint`, a base URL to which /v1/traces is
 * added unless present), else the exporter's standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT /
 * OTEL_EXPORTER_OTLP_ENDPOINT; headers from OTEL_EXPORTER_OTLP_(TRACES_)HEADERS plus `headers`.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
} from '@opentelemetry/semantic-conventions/incubating';
import { sha256 } from '../../core/hash';
import { actionSummary, happenings, stringList } from '../../core/run/stepView';
import type { RunRow, StepRow } from '../ledger/ledger';

/** One model call, as the usage store (OTLP receiver / transcript readers) records it. */
export interface ModelCallUsage {
  /** Stable id of the call (the agent's message or request id): makes the span id stable. */
  id: string;
  runId: string;
  model: string;
  /** gen_ai.provider.name, e.g. anthropic, openai, gcp.gemini. */
  provider?: string;
  startedAt: string;
  endedAt?: string;
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  /** USD; null or absent = unknown (never exported as 0). */
  costUsd?: number | null;
  /** Where the cost came from: 'agent' (its own figure), 'price-table', ... */
  costSource?: string;
  subagentId?: string;
}

export interface RunForExport {
  run: RunRow;
  steps: readonly StepRow[];
  usage?: readonly ModelCallUsage[];
}

export interface ExportOptions {
  /** Base URL (`/v1/traces` added) or the full traces URL. Absent: the standard OTEL_EXPORTER_OTLP_* variables. */
  endpoint?: string;
  headers?: Record<string, string>;
  /** Include the (masked) action as gen_ai.tool.call.arguments (opt-in in the conventions). */
  includeArguments?: boolean;
  timeoutMs?: number;
  serviceName?: string;
  /** Tests and embedding: a different exporter (the OTLP one is built otherwise). */
  exporter?: SpanExporter;
}

export interface ExportResult {
  ok: boolean;
  traces: number;
  spans: number;
  url: string | null;
  error?: string;
}

const PROVIDER: Record<string, string> = { claude: 'anthropic', codex: 'openai', gemini: 'gcp.gemini', copilot: 'github_copilot', cursor: 'cursor', cline: 'cline' };

export const traceIdOf = (runId: string): string => sha256(`airlock-trace\0${runId}`).slice(0, 32);
export const spanIdOf = (runId: string, what: string): string => sha256(`airlock-span\0${runId}\0${what}`).slice(0, 16);

/** Ids chosen by the exporter, not at random: set before each startSpan. */
class ChosenIds implements IdGenerator {
  traceId = '';
  spanId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** Wraps the real exporter to learn whether the backend accepted what was sent. */
class Recording implements SpanExporter {
  sent = 0;
  errors: string[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (r: { code: number; error?: Error }) => void): void {
    this.inner.export(spans, (r) => {
      if (r.code === 0) this.sent += spans.length;
      else this.errors.push(r.error?.message ?? 'export failed');
      done(r);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** The traces URL Airlock will use, or null when left to the standard variables. */
export function tracesUrl(endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined;
  const e = endpoint.replace(/\/+$/, '');
  return /\/v1\/traces$/.test(e) ? e : `${e}/v1/traces`;
}

/** Is any endpoint configured (Airlock's own or the standard variables)? */
export function endpointConfigured(endpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(endpoint || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

const ms = (iso: string | null | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
};

/** Export runs as traces. Resolves with what the backend accepted; never throws for a backend error. */
export async function exportRuns(runs: readonly RunForExport[], o: ExportOptions = {}): Promise<ExportResult> {
  const url = tracesUrl(o.endpoint);
  const inner = o.exporter ?? new OTLPTraceExporter({ ...(url ? { url } : {}), ...(o.headers ? { headers: o.headers } : {}), timeoutMillis: o.timeoutMs ?? 10_000 });
  const recording = new Recording(inner);
  const ids = new ChosenIds();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: o.serviceName ?? 'airlock', [ATTR_SERVICE_VERSION]: '0.1.0' }),
    idGenerator: ids,
    spanProcessors: [new BatchSpanProcessor(recording, { maxQueueSize: 1_000_000, maxExportBatchSize: 512, scheduledDelayMillis: 60_000, exportTimeoutMillis: o.timeoutMs ?? 10_000 })],
  });
  const tracer = provider.getTracer('airlock', '0.1.0');
  let spans = 0;
  const start = (name: string, runId: string, what: string, parent: Span | undefined, kind: SpanKind, startTime: number, attributes: Attributes): Span => {
    ids.traceId = traceIdOf(runId);
    ids.spanId = spanIdOf(runId, what);
    spans += 1;
    const ctx = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    return tracer.startSpan(name, { kind, startTime, attributes, ...(parent ? {} : { root: true }) }, ctx);
  };

  for (const { run, steps, usage = [] } of runs) {
    const pres = steps.filter((s) => s.event !== 'post');
    const posts = new Map<number, StepRow>();
    for (const p of steps) if (p.event === 'post' && p.ref_seq !== null) posts.set(p.ref_seq, p);
    const times = [...steps.flatMap((s) => [ms(s.started_at), ms(s.decided_at)]), ...usage.flatMap((u) => [ms(u.startedAt), ms(u.endedAt)])].filter((t): t is number => t !== undefined);
    const runStart = Math.min(ms(run.started_at) ?? Date.now(), ...times);
    const runEnd = Math.max(runStart, ...times);
    const agentAttrs: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
      [ATTR_GEN_AI_AGENT_NAME]: run.agent,
      [ATTR_GEN_AI_CONVERSATION_ID]: run.session_id,
      ...(PROVIDER[run.agent] ? { [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER[run.agent] } : {}),
    };
    const root = start(`invoke_agent ${run.agent}`, run.id, 'run', undefined, SpanKind.INTERNAL, runStart, {
      ...agentAttrs,
      'airlock.run.id': run.id,
      'airlock.run.status': run.status,
      'airlock.run.steps': pres.length,
      'airlock.run.denials': pres.filter((s) => s.decision === 'deny').length,
      ...(run.status_reason ? { 'airlock.run.status_reason': run.status_reason } : {}),
    });
    if (run.status === 'paused') root.addEvent('airlock.run.paused', { 'airlock.reason': run.status_reason ?? '' }, runEnd);

    const subagents = new Map<string, { span: Span; end: number }>();
    const parentFor = (subagentId: string | null | undefined, at: number): Span => {
      if (!subagentId) return root;
      let s = subagents.get(subagentId);
      if (!s) {
        s = { span: start(`invoke_agent ${run.agent}`, run.id, `subagent\0${subagentId}`, root, SpanKind.INTERNAL, at, { ...agentAttrs, [ATTR_GEN_AI_AGENT_ID]: subagentId, 'airlock.subagent': true }), end: at };
        subagents.set(subagentId, s);
      }
      return s.span;
    };

    for (const s of pres) {
      const t0 = ms(s.started_at) ?? runStart;
      const decided = ms(s.decided_at) ?? t0;
      const post = posts.get(s.seq);
      const end = Math.max(decided, ms(post?.decided_at) ?? decided);
      const rules = stringList(s.rules_json);
      const reasons = stringList(s.reasons_json);
      const span = start(`execute_tool ${s.tool}`, run.id, `step\0${s.seq}`, parentFor(s.subagent_id, t0), SpanKind.INTERNAL, t0, {
        [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
        [ATTR_GEN_AI_TOOL_NAME]: s.tool,
        [ATTR_GEN_AI_TOOL_TYPE]: s.kind === 'mcp' ? 'extension' : 'function',
        ...(s.tool_use_id ? { [ATTR_GEN_AI_TOOL_CALL_ID]: s.tool_use_id } : {}),
        [ATTR_GEN_AI_CONVERSATION_ID]: run.session_id,
        [ATTR_GEN_AI_AGENT_NAME]: run.agent,
        ...(o.includeArguments && s.action_json ? { [ATTR_GEN_AI_TOOL_CALL_ARGUMENTS]: s.action_json.slice(0, 8192) } : {}),
        'airlock.step.id': s.id,
        'airlock.step.seq': s.seq,
        'airlock.action.kind': s.kind ?? 'internal',
        'airlock.action.summary': actionSummary(s.action_json, s.tool),
        ...(s.action_hash ? { 'airlock.action.hash': s.action_hash } : {}),
        'airlock.decision': s.decision,
        'airlock.reversibility': s.reversibility,
        'airlock.rules': rules,
        'airlock.policy.hash': s.policy_hash,
        ...(s.subagent_id ? { [ATTR_GEN_AI_AGENT_ID]: s.subagent_id } : {}),
      });
      const effects = (() => {
        try {
          return (JSON.parse(s.effects_json) as Array<{ kind?: string; reversibility?: string; detail?: string }>).map((e) => `${e.kind ?? '?'} [${e.reversibility ?? '?'}] ${e.detail ?? ''}`.trim());
        } catch {
          return [];
        }
      })();
      span.addEvent('airlock.decision', { 'airlock.decision': s.decision, 'airlock.reasons': reasons, 'airlock.rules': rules, 'airlock.reversibility': s.reversibility, 'airlock.effects': effects }, decided);
      const h = happenings(rules, reasons);
      if (h.approval) span.addEvent('airlock.approval', { 'airlock.approval.result': h.approval.result, 'airlock.approval.detail': h.approval.detail }, decided);
      if (h.escalation) span.addEvent('airlock.escalation', { 'airlock.reason': h.escalation }, decided);
      if (h.duplicateOf !== undefined) span.addEvent('airlock.duplicate', { 'airlock.duplicate_of.seq': h.duplicateOf }, decided);
      let failed: string | undefined;
      if (s.decision === 'deny') {
        failed = 'airlock.denied';
        span.setStatus({ code: SpanStatusCode.ERROR, message: reasons[0] ?? 'denied by Airlock' });
      }
      if (post) {
        const out = (() => {
          try {
            return JSON.parse(post.outcome_json ?? '{}') as { exitCode?: number; error?: string; durationMs?: number };
          } catch {
            return {};
          }
        })();
        span.addEvent('airlock.outcome', { ...(out.exitCode !== undefined ? { 'airlock.exit_code': out.exitCode } : {}), ...(out.error ? { 'airlock.error': out.error } : {}), ...(out.durationMs !== undefined ? { 'airlock.duration_ms': out.durationMs } : {}), 'airlock.step.seq': post.seq }, ms(post.decided_at) ?? end);
        if (!failed && ((out.exitCode !== undefined && out.exitCode !== 0) || out.error)) {
          failed = out.exitCode !== undefined && out.exitCode !== 0 ? `exit_code_${out.exitCode}` : 'tool_error';
          span.setStatus({ code: SpanStatusCode.ERROR, message: out.error ?? `exit code ${out.exitCode}` });
        }
      }
      if (failed) span.setAttribute(ATTR_ERROR_TYPE, failed);
      span.end(end);
      const sub = s.subagent_id ? subagents.get(s.subagent_id) : undefined;
      if (sub) sub.end = Math.max(sub.end, end);
    }

    for (const u of usage) {
      const t0 = ms(u.startedAt) ?? runStart;
      const span = start(`chat ${u.model}`, run.id, `chat\0${u.id}`, parentFor(u.subagentId, t0), SpanKind.CLIENT, t0, {
        [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_CHAT,
        [ATTR_GEN_AI_REQUEST_MODEL]: u.model,
        ...(u.provider ? { [ATTR_GEN_AI_PROVIDER_NAME]: u.provider } : PROVIDER[run.agent] ? { [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER[run.agent] } : {}),
        [ATTR_GEN_AI_CONVERSATION_ID]: run.session_id,
        ...(u.inputTokens !== undefined ? { [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: u.inputTokens } : {}),
        ...(u.outputTokens !== undefined ? { [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: u.outputTokens } : {}),
        ...(u.cacheReadTokens !== undefined ? { [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: u.cacheReadTokens } : {}),
        ...(u.cacheWriteTokens !== undefined ? { [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: u.cacheWriteTokens } : {}),
        // Cost lives on model-call spans only; unknown stays unknown (never 0).
        ...(typeof u.costUsd === 'number' ? { 'airlock.cost.usd': u.costUsd } : { 'airlock.cost.unknown': true }),
        ...(u.costSource ? { 'airlock.cost.source': u.costSource } : {}),
      });
      span.end(Math.max(t0, ms(u.endedAt) ?? t0));
    }
    for (const s of subagents.values()) s.span.end(s.end);
    root.end(runEnd);
  }

  let error: string | undefined;
  try {
    await provider.forceFlush();
  } catch (e) {
    error = (e as Error).message;
  }
  await provider.shutdown().catch(() => undefined);
  if (recording.errors.length) error = recording.errors.join('; ');
  const ok = !error && recording.sent === spans;
  return { ok, traces: runs.length, spans: recording.sent, url: url ?? null, ...(ok ? {} : { error: error ?? `only ${recording.sent} of ${spans} spans were accepted` }) };
}
