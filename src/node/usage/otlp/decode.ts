/**
 * OTLP request bodies -> plain records (log events, metric points, spans) with flat attributes.
 *
 * Protobuf bodies are decoded with OpenTelemetry's own generated code: the protobufjs static module
 * that @opentelemetry/otlp-transformer generated from the official opentelemetry-proto files (its
 * 0.57 line ships it as build/src/generated/root.js; installed here under the alias
 * `otlp-proto-generated`, because the current otlp-transformer only serializes). No hand-written
 * wire parsing. JSON bodies follow the OTLP/JSON mapping (lowerCamelCase keys, ids in hex, 64-bit
 * integers as strings or numbers, enums as integers).
 *
 * Architecture Invariant: a body that does not decode throws; the receiver answers 400 with the reason.
 */
import type protoRootModule from 'otlp-proto-generated/build/src/generated/root';

export type Signal = 'logs' | 'metrics' | 'traces';
export type Scalar = string | number | boolean;
export type Attrs = Record<string, Scalar>;

export interface LogEvent {
  /** `event.name` attribute, else the body when it is a string. */
  name: string;
  body?: Scalar;
  attributes: Attrs;
  resource: Attrs;
  timeUnixNano: string;
}

export interface MetricPoint {
  name: string;
  unit: string;
  value: number;
  attributes: Attrs;
  resource: Attrs;
  timeUnixNano: string;
  /** Start of the point's aggregation window ('0' when absent): constant across a cumulative series' exports, new for each delta window. */
  startTimeUnixNano: string;
  /** 1 = delta, 2 = cumulative, 0 = unspecified / gauge. */
  temporality: number;
}

export interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Attrs;
  resource: Attrs;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

export interface Decoded {
  logs: LogEvent[];
  metrics: MetricPoint[];
  spans: SpanRecord[];
}

interface ProtoType {
  decode(b: Uint8Array): unknown;
  toObject(m: unknown, o: Record<string, unknown>): Record<string, unknown>;
  encode(m: Record<string, unknown>): { finish(): Uint8Array };
}

// The generated protobuf classes are loaded with the first OTLP body, not when the receiver starts
// (the extension's activation does not pay for them).
let types: { request: Record<Signal, ProtoType>; response: Record<Signal, ProtoType> } | undefined;
function proto(): NonNullable<typeof types> {
  if (types) return types;
  const m = require('otlp-proto-generated/build/src/generated/root') as { default?: typeof protoRootModule } & typeof protoRootModule;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const collector = ((m.default ?? m) as any).opentelemetry.proto.collector as Record<string, { v1: Record<string, ProtoType> }>;
  return (types = {
    request: { logs: collector.logs!.v1.ExportLogsServiceRequest!, metrics: collector.metrics!.v1.ExportMetricsServiceRequest!, traces: collector.trace!.v1.ExportTraceServiceRequest! },
    response: { logs: collector.logs!.v1.ExportLogsServiceResponse!, metrics: collector.metrics!.v1.ExportMetricsServiceResponse!, traces: collector.trace!.v1.ExportTraceServiceResponse! },
  });
}

/** The encoded full-success response for a signal (an empty Export*ServiceResponse). */
export function successResponse(signal: Signal): Uint8Array {
  return proto().response[signal].encode({}).finish();
}

/** Decode a protobuf ExportXServiceRequest into the OTLP/JSON object shape. Throws when it is not one. */
export function protobufToObject(signal: Signal, body: Uint8Array): Record<string, unknown> {
  const t = proto().request[signal];
  return t.toObject(t.decode(body), { longs: String, enums: Number, bytes: Array });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function hex(v: unknown): string {
  if (typeof v === 'string') return /^[0-9a-fA-F]*$/.test(v) ? v.toLowerCase() : Buffer.from(v, 'base64').toString('hex');
  if (Array.isArray(v) || v instanceof Uint8Array) return Buffer.from(v as number[]).toString('hex');
  return '';
}

function nanos(v: unknown): string {
  if (typeof v === 'string' && /^\d+$/.test(v)) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v)).toString();
  if (isObj(v) && typeof v.low === 'number' && typeof v.high === 'number') return ((BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0)).toString();
  return '0';
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** An OTLP AnyValue as a scalar (arrays and maps as JSON text). */
export function anyValue(v: unknown): Scalar | undefined {
  if (!isObj(v)) return undefined;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) return num(v.intValue) ?? String(v.intValue);
  if (v.doubleValue !== undefined && v.doubleValue !== null) return num(v.doubleValue) ?? String(v.doubleValue);
  if (isObj(v.arrayValue)) return JSON.stringify(arr(v.arrayValue.values).map(anyValue));
  if (isObj(v.kvlistValue)) return JSON.stringify(attrs(v.kvlistValue.values));
  if (v.bytesValue !== undefined) return hex(v.bytesValue);
  return undefined;
}

function attrs(list: unknown): Attrs {
  const out: Attrs = {};
  for (const kv of arr(list)) {
    if (!isObj(kv) || typeof kv.key !== 'string') continue;
    const v = anyValue(kv.value);
    if (v !== undefined) out[kv.key] = v;
  }
  return out;
}

const resourceOf = (r: unknown): Attrs => (isObj(r) && isObj(r.resource) ? attrs(r.resource.attributes) : {});

/** Flatten an OTLP/JSON-shaped export request (decoded protobuf or parsed JSON). */
export function flatten(signal: Signal, req: unknown): Decoded {
  const out: Decoded = { logs: [], metrics: [], spans: [] };
  if (!isObj(req)) throw new Error('the body is not an OTLP export request object');
  if (signal === 'logs') {
    for (const rl of arr(req.resourceLogs)) {
      const resource = resourceOf(rl);
      for (const sl of arr(isObj(rl) ? rl.scopeLogs : undefined)) {
        for (const lr of arr(isObj(sl) ? sl.logRecords : undefined)) {
          if (!isObj(lr)) continue;
          const a = attrs(lr.attributes);
          const body = anyValue(lr.body);
          const name = typeof lr.eventName === 'string' && lr.eventName ? lr.eventName : typeof a['event.name'] === 'string' ? a['event.name'] : typeof body === 'string' ? body : '';
          const t = nanos(lr.timeUnixNano);
          out.logs.push({ name, attributes: a, resource, timeUnixNano: t === '0' ? nanos(lr.observedTimeUnixNano) : t, ...(body !== undefined ? { body } : {}) });
        }
      }
    }
  } else if (signal === 'metrics') {
    for (const rm of arr(req.resourceMetrics)) {
      const resource = resourceOf(rm);
      for (const sm of arr(isObj(rm) ? rm.scopeMetrics : undefined)) {
        for (const m of arr(isObj(sm) ? sm.metrics : undefined)) {
          if (!isObj(m) || typeof m.name !== 'string') continue;
          const data = isObj(m.sum) ? m.sum : isObj(m.gauge) ? m.gauge : undefined;
          if (!data) continue; // histograms and summaries carry no usage figures we read
          const temporality = num(data.aggregationTemporality) ?? 0;
          for (const p of arr(data.dataPoints)) {
            if (!isObj(p)) continue;
            const value = num(p.asDouble) ?? num(p.asInt);
            if (value === undefined) continue;
            out.metrics.push({ name: m.name, unit: typeof m.unit === 'string' ? m.unit : '', value, attributes: attrs(p.attributes), resource, timeUnixNano: nanos(p.timeUnixNano), startTimeUnixNano: nanos(p.startTimeUnixNano), temporality });
          }
        }
      }
    }
  } else {
    for (const rs of arr(req.resourceSpans)) {
      const resource = resourceOf(rs);
      for (const ss of arr(isObj(rs) ? rs.scopeSpans : undefined)) {
        for (const s of arr(isObj(ss) ? ss.spans : undefined)) {
          if (!isObj(s)) continue;
          out.spans.push({
            name: typeof s.name === 'string' ? s.name : '',
            traceId: hex(s.traceId),
            spanId: hex(s.spanId),
            parentSpanId: hex(s.parentSpanId),
            attributes: attrs(s.attributes),
            resource,
            startTimeUnixNano: nanos(s.startTimeUnixNano),
            endTimeUnixNano: nanos(s.endTimeUnixNano),
          });
        }
      }
    }
  }
  return out;
}

/** Decode one request body by content type ('protobuf' | 'json'). Throws with the reason when it cannot. */
export function decodeBody(signal: Signal, format: 'protobuf' | 'json', body: Buffer): Decoded {
  if (format === 'protobuf') return flatten(signal, protobufToObject(signal, body));
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new Error(`the JSON body does not parse: ${(e as Error).message}`);
  }
  return flatten(signal, parsed);
}
