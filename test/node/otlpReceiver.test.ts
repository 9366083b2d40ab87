// The OTLP receiver on a real loopback port, fed by OpenTelemetry's own serializers and exporter
// (protobuf and JSON, gzip), recording into a real SQLite ledger's usage tables.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Ledger } from '../../src/node/ledger/ledger';
import { startOtlpReceiver, type Receiver } from '../../src/node/usage/otlp/receiver';
import { UsageStore } from '../../src/node/usage/usage';
import { priceCall } from '../../src/core/run/pricing';

let dir: string;
let ledger: Ledger;
let usage: UsageStore;
let rx: Receiver;

function post(path: string, body: Uint8Array | string, headers: Record<string, string>, port = rx.port): Promise<{ status: number; body: Buffer; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, agent: false, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), type: String(res.headers['content-type']) }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve({ status: -1, body: Buffer.alloc(0), type: '' }) : reject(e)));
    req.end(body);
  });
}

/** Real SDK log records, as Claude Code's exporter would build them. */
function claudeRecords(session: string, calls: Array<{ req: string; model: string; input: number; output: number; cacheRead: number; cacheWrite: number; cost?: number }>): ReadableLogRecord[] {
  const mem = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'claude-code', 'service.version': '2.1.197' }), processors: [new SimpleLogRecordProcessor({ exporter: mem })] });
  const logger = provider.getLogger('com.anthropic.claude_code.events');
  logger.emit({ body: 'claude_code.user_prompt', severityNumber: SeverityNumber.INFO, attributes: { 'session.id': session, 'event.name': 'user_prompt', 'event.timestamp': new Date().toISOString() } });
  calls.forEach((c, i) =>
    logger.emit({
      body: 'claude_code.api_request',
      attributes: {
        'session.id': session,
        'event.name': 'api_request',
        'event.timestamp': new Date().toISOString(),
        'event.sequence': i + 1,
        model: c.model,
        input_tokens: c.input,
        output_tokens: c.output,
        cache_read_tokens: c.cacheRead,
        cache_creation_tokens: c.cacheWrite,
        request_id: c.req,
        ...(c.cost !== undefined ? { cost_usd: c.cost } : {}),
      },
    }),
  );
  return mem.getFinishedLogRecords();
}

const rowsOfSession = (session: string) => {
  const run = ledger.runs().find((r) => r.session_id === session);
  return run ? usage.rowsOf(run.id) : [];
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'airlock-otlp-'));
  ledger = Ledger.open(join(dir, 'ledger.sqlite'));
  usage = new UsageStore(ledger);
  rx = await startOtlpReceiver({ port: 0, log: () => undefined, onData: (s, d) => usage.ingestOtlp(s, d) });
});

after(async () => {
  await rx?.close();
  ledger?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('OTLP receiver', () => {
  it('decodes protobuf logs serialized by @opentelemetry/otlp-transformer and answers the OTLP success response', async () => {
    const body = ProtobufLogsSerializer.serializeRequest(claudeRecords('sess-proto', [{ req: 'req_a', model: 'claude-sonnet-4-5', input: 100, output: 50, cacheRead: 1000, cacheWrite: 0, cost: 0.0123 }]))!;
    const res = await post('/v1/logs', body, { 'content-type': 'application/x-protobuf' });
    assert.equal(res.status, 200);
    assert.equal(res.type, 'application/x-protobuf');
    assert.deepEqual(ProtobufLogsSerializer.deserializeResponse(new Uint8Array(res.body)), {});
    const rows = rowsOfSession('sess-proto');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.model, 'claude-sonnet-4-5');
    assert.deepEqual([rows[0]!.input_tokens, rows[0]!.output_tokens, rows[0]!.cache_read_tokens], [100, 50, 1000]);
    assert.equal(rows[0]!.cost_usd, 0.0123);
    assert.equal(rows[0]!.cost_source, 'agent');
    // The table's own figure is kept beside the agent's.
    assert.ok(Math.abs(rows[0]!.priced_usd! - priceCall('claude-sonnet-4-5', { input: 100, output: 50, cacheRead: 1000, cacheWrite: 0 }, new Date())!.usd) < 1e-12);
    // The prompt counted as a person's turn for the loop signal.
    assert.ok(usage.lastPersonAt(rows[0]!.run_id));
  });

  it('decodes gzipped JSON logs; no agent figure -> priced from the table; unknown model -> cost unknown, never zero', async () => {
    const recs = claudeRecords('sess-json', [
      { req: 'req_b', model: 'claude-haiku-4-5', input: 1_000_000, output: 0, cacheRead: 0, cacheWrite: 0 },
      { req: 'req_c', model: 'no-such-model-xyz', input: 10, output: 10, cacheRead: 0, cacheWrite: 0 },
    ]);
    const json = Buffer.from(JsonLogsSerializer.serializeRequest(recs)!);
    const res = await post('/v1/logs', gzipSync(json), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(res.body.toString(), '{}');
    const rows = rowsOfSession('sess-json');
    const haiku = rows.find((r) => r.model === 'claude-haiku-4-5')!;
    assert.equal(haiku.cost_source, 'genai-prices');
    assert.ok(Math.abs(haiku.cost_usd! - 1.0) < 1e-9, `1M input tokens of Haiku 4.5 at $1/MTok: ${haiku.cost_usd}`);
    const unknown = rows.find((r) => r.model === 'no-such-model-xyz')!;
    assert.equal(unknown.cost_source, 'unknown');
    assert.equal(unknown.cost_usd, null);
    assert.equal(usage.runSpent(unknown.run_id).unpriced, 1);
  });

  it('the same call reported twice (protobuf, then JSON) is one row', async () => {
    const recs = claudeRecords('sess-dup', [{ req: 'req_d', model: 'claude-opus-4-8', input: 10, output: 10, cacheRead: 0, cacheWrite: 0, cost: 0.0003 }]);
    assert.equal((await post('/v1/logs', ProtobufLogsSerializer.serializeRequest(recs)!, { 'content-type': 'application/x-protobuf' })).status, 200);
    assert.equal((await post('/v1/logs', Buffer.from(JsonLogsSerializer.serializeRequest(recs)!), { 'content-type': 'application/json' })).status, 200);
    assert.equal(rowsOfSession('sess-dup').length, 1);
  });

  it("receives GenAI spans from OpenTelemetry's own OTLP/protobuf trace exporter", async () => {
    const exporter = new OTLPTraceExporter({ url: `${rx.url}/v1/traces`, compression: 'gzip' as never });
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'gemini-cli' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const span = provider.getTracer('t').startSpan('chat gemini-2.5-pro', {
      attributes: { 'gen_ai.conversation.id': 'sess-span', 'gen_ai.request.model': 'gemini-2.5-pro', 'gen_ai.usage.input_tokens': 2000, 'gen_ai.usage.output_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 1000 },
    });
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    const rows = rowsOfSession('sess-span');
    assert.equal(rows.length, 1, `accepted ${rx.stats.accepted}, rejected ${rx.stats.rejected}`);
    assert.equal(rows[0]!.agent, 'gemini');
    assert.deepEqual([rows[0]!.input_tokens, rows[0]!.cache_read_tokens, rows[0]!.output_tokens], [1000, 1000, 100]);
    assert.equal(rows[0]!.cost_source, 'genai-prices');
    assert.ok(rows[0]!.cost_usd! > 0);
  });

  it("takes Claude Code's cost metric as a floor for the run's spend (metrics-only setups still hit budgets)", async () => {
    // Two delta windows (each its own start and end), the second one sent twice (an exporter retry): counted once each.
    const metric = (v: number, w: number) => ({
      resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] }, scopeMetrics: [{ metrics: [{ name: 'claude_code.cost.usage', unit: 'USD', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ asDouble: v, startTimeUnixNano: String(w * 1000), timeUnixNano: String((w + 1) * 1000), attributes: [{ key: 'session.id', value: { stringValue: 'sess-metric' } }, { key: 'model', value: { stringValue: 'claude-opus-4-8' } }] }] } }] }] }],
    });
    for (const [v, w] of [[0.25, 1], [0.5, 2], [0.5, 2]] as const) assert.equal((await post('/v1/metrics', JSON.stringify(metric(v, w)), { 'content-type': 'application/json' })).status, 200);
    const run = ledger.runs().find((r) => r.session_id === 'sess-metric')!;
    assert.equal(usage.runSpent(run.id).usd, 0.75);
  });

  it('refuses browsers, wrong hosts, wrong types, bodies that do not decode, and bodies over the cap', async () => {
    const ok = ProtobufLogsSerializer.serializeRequest(claudeRecords('sess-refuse', []))!;
    assert.equal((await post('/v1/logs', ok, { 'content-type': 'application/x-protobuf', origin: 'http://evil.example' })).status, 403);
    assert.equal((await post('/v1/logs', ok, { 'content-type': 'application/x-protobuf', host: 'evil.example' })).status, 421);
    assert.equal((await post('/v1/logs', ok, { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await post('/v1/nope', ok, { 'content-type': 'application/x-protobuf' })).status, 404);
    const bad = await post('/v1/traces', Buffer.from([0xff, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.toString(), /cannot decode the protobuf traces request/);
    assert.equal((await post('/v1/logs', '{not json', { 'content-type': 'application/json' })).status, 400);
    const small = await startOtlpReceiver({ port: 0, log: () => undefined, onData: () => undefined, maxBytes: 64 });
    try {
      const r = await post('/v1/logs', Buffer.alloc(1000), { 'content-type': 'application/x-protobuf' }, small.port);
      assert.ok(r.status === 413 || r.status === -1, `status ${r.status}`);
      // A zip bomb is cut at the cap after decompression too.
      const bomb = gzipSync(Buffer.alloc(10_000));
      assert.ok(bomb.length < 64);
      const b = await post('/v1/logs', bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, small.port);
      assert.equal(b.status, 413);
      assert.equal(small.stats.accepted, 0);
      assert.equal(small.stats.rejected, 2);
    } finally {
      await small.close();
    }
  });
});
