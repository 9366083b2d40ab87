/**
 * OpenTelemetry export through OpenTelemetry's own SDK and OTLP/HTTP protobuf exporter, received
 * by a loopback HTTP server that decodes each request with the protobufjs code OpenTelemetry
 * generated from its published opentelemetry-proto definitions (otlp-transformer 0.57, installed
 * as `otlp-proto-generated`). Asserts span names, parent links, GenAI attributes, Airlock events,
 * deterministic ids, the CLI with --endpoint and with the standard OTEL_* variables, and failure.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import protoRoot from 'otlp-proto-generated/build/src/generated/root';
import { Ledger } from '../../src/node/ledger/ledger';
import { exportRuns, traceIdOf, type ModelCallUsage, type RunForExport } from '../../src/node/usage/otelExport';
import { buildLedgerFixture, type Fixture } from '../support/ledgerFixture';
import { UsageStore } from '../../src/node/usage/usage';
import { ROOT, runCli, tempDir } from '../support/gateway';

type Value = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number; arrayValue?: { values?: Value[] } };
type KV = { key: string; value: Value };
interface PSpan { traceId: Uint8Array; spanId: Uint8Array; parentSpanId?: Uint8Array; name: string; kind: number; attributes?: KV[]; events?: Array<{ name: string; attributes?: KV[] }>; status?: { code?: number; message?: string }; startTimeUnixNano: string; endTimeUnixNano: string }
interface Req { resourceSpans: Array<{ resource: { attributes: KV[] }; scopeSpans: Array<{ scope: { name: string }; spans: PSpan[] }> }> }

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ExportTraceServiceRequest = (protoRoot as any).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ExportTraceServiceResponse = (protoRoot as any).opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

const hex = (b: Uint8Array | undefined): string => (b && b.length ? Buffer.from(b).toString('hex') : '');
const val = (v: Value): unknown => (v.arrayValue ? (v.arrayValue.values ?? []).map(val) : v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.boolValue ?? v.doubleValue));
const attrs = (kvs: KV[] | undefined): Record<string, unknown> => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, val(kv.value)]));

interface Received { path: string; headers: IncomingHttpHeaders; spans: PSpan[]; resource: Record<string, unknown> }

/** A loopback OTLP/HTTP traces receiver: decodes each body with the generated protobuf code. */
function receiver(status = 200): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const msg = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), { longs: String, enums: Number }) as Req;
      for (const rs of msg.resourceSpans ?? []) got.push({ path: req.url ?? '', headers: req.headers, spans: rs.scopeSpans.flatMap((s) => s.spans), resource: attrs(rs.resource.attributes) });
      const out = Buffer.from(ExportTraceServiceResponse.encode({}).finish());
      res.writeHead(status, { 'content-type': 'application/x-protobuf', 'content-length': out.length });
      res.end(out);
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, server })));
}

const dir = tempDir('airlock-otel-');
let f: Fixture;
let runs: RunForExport[];
const servers: Server[] = [];

describe('OpenTelemetry export', () => {
  before(async () => {
    execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'ignore' });
    f = await buildLedgerFixture(dir);
    const l = Ledger.open(f.ledgerPath, { readonly: true, check: false });
    runs = l.runs().map((run) => ({ run, steps: l.stepsOf(run.id) }));
    l.close();
  });
  after(() => {
    for (const s of servers) s.close();
  });

  it('one trace per run: invoke_agent -> execute_tool / chat with GenAI attributes and Airlock events', async () => {
    const rx = await receiver();
    servers.push(rx.server);
    const a = runs.find((r) => r.run.id === f.runA)!;
    const t0 = Date.parse(a.steps[0]!.started_at);
    const usage: ModelCallUsage[] = [
      { id: 'msg_01', runId: f.runA, model: 'claude-sonnet-4-5', provider: 'anthropic', startedAt: new Date(t0 - 900).toISOString(), endedAt: new Date(t0 - 10).toISOString(), inputTokens: 1200, outputTokens: 80, cacheReadTokens: 1000, cacheWriteTokens: 0, costUsd: 0.0049, costSource: 'price-table' },
      { id: 'msg_02', runId: f.runA, model: 'mystery-model', startedAt: new Date(t0 + 5).toISOString(), inputTokens: 10, outputTokens: 5, costUsd: null },
    ];
    const res = await exportRuns([{ ...a, usage }, runs.find((r) => r.run.id === f.runB)!], { endpoint: rx.url });
    assert.equal(res.ok, true, res.error);
    assert.equal(res.traces, 2);
    assert.ok(rx.got.length >= 1);
    assert.ok(rx.got.every((g) => g.path === '/v1/traces' && g.headers['content-type'] === 'application/x-protobuf'));
    assert.equal(rx.got[0]!.resource['service.name'], 'airlock');
    const spans = rx.got.flatMap((g) => g.spans);
    assert.equal(spans.length, res.spans);
    const ofA = spans.filter((s) => hex(s.traceId) === traceIdOf(f.runA));
    const ofB = spans.filter((s) => hex(s.traceId) === traceIdOf(f.runB));
    assert.equal(ofA.length + ofB.length, spans.length, 'every span belongs to one run trace');

    const roots = ofA.filter((s) => !hex(s.parentSpanId));
    assert.equal(roots.length, 1);
    const root = roots[0]!;
    assert.equal(root.name, 'invoke_agent claude');
    assert.deepEqual(
      (({ 'gen_ai.operation.name': op, 'gen_ai.agent.name': ag, 'gen_ai.conversation.id': conv, 'airlock.run.id': id, 'airlock.run.steps': n, 'airlock.run.denials': d }) => ({ op, ag, conv, id, n, d }))(attrs(root.attributes)),
      { op: 'invoke_agent', ag: 'claude', conv: 'sA', id: f.runA, n: 7, d: 2 },
    );
    const byParent = (p: PSpan) => ofA.filter((s) => hex(s.parentSpanId) === hex(p.spanId));
    const sub = byParent(root).find((s) => s.name === 'invoke_agent claude')!;
    assert.ok(sub, 'the sub-agent has its own invoke_agent span under the run');
    assert.equal(attrs(sub.attributes)['gen_ai.agent.id'], 'sub-1');
    assert.deepEqual(byParent(sub).map((s) => s.name), ['execute_tool Read']);
    const tools = ofA.filter((s) => s.name.startsWith('execute_tool '));
    assert.deepEqual(tools.map((s) => attrs(s.attributes)['airlock.step.seq']).sort((x, y) => Number(x) - Number(y)), [1, 3, 4, 6, 8, 10, 11]);
    const step = (seq: number) => tools.find((s) => attrs(s.attributes)['airlock.step.seq'] === seq)!;

    // Step 4: escalation of step 3, approved by a person, outcome exit 0.
    const s4 = step(4);
    assert.equal(hex(s4.parentSpanId), hex(root.spanId));
    const a4 = attrs(s4.attributes);
    assert.deepEqual({ op: a4['gen_ai.operation.name'], tool: a4['gen_ai.tool.name'], call: a4['gen_ai.tool.call.id'], dec: a4['airlock.decision'], rev: a4['airlock.reversibility'], sum: a4['airlock.action.summary'] }, { op: 'execute_tool', tool: 'Bash', call: 'tu-3', dec: 'allow', rev: 'irreversible', sum: 'find build -delete' });
    assert.deepEqual(a4['airlock.rules'], ['floor.irreversible', 'run.escalation', 'approval.person']);
    assert.equal(a4['airlock.cost.usd'], undefined, 'no cost on tool spans');
    const ev4 = Object.fromEntries((s4.events ?? []).map((e) => [e.name, attrs(e.attributes)]));
    assert.deepEqual(Object.keys(ev4).sort(), ['airlock.approval', 'airlock.decision', 'airlock.escalation', 'airlock.outcome']);
    assert.equal(ev4['airlock.approval']!['airlock.approval.result'], 'approved');
    assert.match(String(ev4['airlock.escalation']!['airlock.reason']), /step 3 \(rm -rf build\)/);
    assert.equal(ev4['airlock.outcome']!['airlock.exit_code'], 0);
    assert.ok((ev4['airlock.decision']!['airlock.reasons'] as string[]).some((r) => r.startsWith('approved by dana')));

    // Step 3: denied -> error status with the reason, error.type airlock.denied.
    const s3 = step(3);
    assert.equal(s3.status?.code, 2);
    assert.equal(s3.status?.message, 'a person said no');
    assert.equal(attrs(s3.attributes)['error.type'], 'airlock.denied');
    // Step 6: the tool failed (exit 2); the secret in its command was masked before storage.
    const s6 = step(6);
    assert.equal(attrs(s6.attributes)['error.type'], 'exit_code_2');
    assert.equal(attrs(s6.attributes)['airlock.action.summary'], 'PGPASSWORD=*** psql -h db -c "select 1"');
    assert.ok(!JSON.stringify(spans).includes('hunter2'));
    // Step 10: a probable retry of step 8.
    assert.equal(attrs((step(10).events ?? []).find((e) => e.name === 'airlock.duplicate')!.attributes)['airlock.duplicate_of.seq'], 8);

    // Model calls: chat spans with usage; cost only there; unknown cost is not 0.
    const chats = byParent(root).filter((s) => s.name.startsWith('chat '));
    assert.deepEqual(chats.map((s) => s.name).sort(), ['chat claude-sonnet-4-5', 'chat mystery-model']);
    const c1 = attrs(chats.find((s) => s.name === 'chat claude-sonnet-4-5')!.attributes);
    assert.deepEqual(
      { op: c1['gen_ai.operation.name'], model: c1['gen_ai.request.model'], prov: c1['gen_ai.provider.name'], inT: c1['gen_ai.usage.input_tokens'], outT: c1['gen_ai.usage.output_tokens'], cr: c1['gen_ai.usage.cache_read.input_tokens'], cost: c1['airlock.cost.usd'], src: c1['airlock.cost.source'] },
      { op: 'chat', model: 'claude-sonnet-4-5', prov: 'anthropic', inT: 1200, outT: 80, cr: 1000, cost: 0.0049, src: 'price-table' },
    );
    const c2 = attrs(chats.find((s) => s.name === 'chat mystery-model')!.attributes);
    assert.equal(c2['airlock.cost.usd'], undefined);
    assert.equal(c2['airlock.cost.unknown'], true);
    // The root spans the whole run, model calls included.
    assert.ok(BigInt(root.startTimeUnixNano) <= BigInt(chats.find((s) => s.name === 'chat claude-sonnet-4-5')!.startTimeUnixNano));
    assert.ok(BigInt(root.endTimeUnixNano) >= BigInt(s4.endTimeUnixNano));

    // Run B: its own trace, agent codex.
    assert.equal(ofB.find((s) => !hex(s.parentSpanId))!.name, 'invoke_agent codex');
    assert.equal(attrs(ofB.find((s) => !hex(s.parentSpanId))!.attributes)['gen_ai.provider.name'], 'openai');
  });

  it('re-export is idempotent: the same trace and span ids', async () => {
    const rx = await receiver();
    servers.push(rx.server);
    const a = runs.find((r) => r.run.id === f.runA)!;
    assert.equal((await exportRuns([a], { endpoint: `${rx.url}/v1/traces` })).ok, true);
    assert.equal((await exportRuns([a], { endpoint: rx.url })).ok, true);
    const ids = (g: Received[]) => g.flatMap((x) => x.spans).map((s) => `${hex(s.traceId)}/${hex(s.spanId)}/${hex(s.parentSpanId)}`).sort();
    const all = ids(rx.got);
    const half = all.length / 2;
    assert.ok(half > 0);
    assert.deepEqual(all.filter((_, i) => i % 2 === 0), all.filter((_, i) => i % 2 === 1), 'each id pair arrived twice');
    assert.equal(new Set(all).size, half);
  });

  it('airlock export (real process): --endpoint, then the standard OTEL_EXPORTER_OTLP_* variables with headers', async () => {
    const rx = await receiver();
    servers.push(rx.server);
    const env = { ...process.env, AIRLOCK_HOME: f.home, HOME: dir } as NodeJS.ProcessEnv;
    for (const k of Object.keys(env)) if (k.startsWith('OTEL_') || k === 'AIRLOCK_OTLP_EXPORT_ENDPOINT') delete env[k];
    // A model call recorded by the usage store (as the OTLP receiver would): the CLI exports it as a chat span.
    {
      const led = Ledger.open(f.ledgerPath);
      try {
        new UsageStore(led).record({ agent: 'codex', sessionId: 'sB', key: 'codex:sB:resp-1', model: 'gpt-5', tokens: { input: 900, output: 40, cacheRead: 0, cacheWrite: 0 }, agentCostUsd: 0.0015, at: new Date(), source: 'otlp' });
      } finally {
        led.close();
      }
    }
    const r1 = await runCli(['export', '--ledger', f.ledgerPath, '--run', f.runB.slice(0, 8), '--endpoint', rx.url], env);
    assert.equal(r1.code, 0, r1.stderr);
    const chat = rx.got.flatMap((g) => g.spans).find((s) => s.name === 'chat gpt-5');
    assert.ok(chat, 'the recorded model call is exported as a chat span');
    assert.equal(attrs(chat.attributes)['gen_ai.usage.input_tokens'], 900);
    const j1 = JSON.parse(r1.stdout);
    assert.deepEqual({ ok: j1.ok, traces: j1.traces, url: j1.url }, { ok: true, traces: 1, url: `${rx.url}/v1/traces` });
    assert.deepEqual([...new Set(rx.got.flatMap((g) => g.spans).map((s) => hex(s.traceId)))], [traceIdOf(f.runB)]);

    rx.got.length = 0;
    const r2 = await runCli(['export', '--ledger', f.ledgerPath, '--all'], { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_EXPORTER_OTLP_HEADERS: 'x-team-key=abc123,x-env=dev' });
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(JSON.parse(r2.stdout).traces, 2);
    assert.equal(rx.got[0]!.path, '/v1/traces');
    assert.equal(rx.got[0]!.headers['x-team-key'], 'abc123');
    assert.equal(new Set(rx.got.flatMap((g) => g.spans).map((s) => hex(s.traceId))).size, 2);

    const none = await runCli(['export', '--ledger', f.ledgerPath, '--all'], env);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no endpoint/);
  });

  it('a backend that refuses the export is reported as a failure (exit 1), not as success', async () => {
    const rx = await receiver(500);
    servers.push(rx.server);
    const env = { ...process.env, AIRLOCK_HOME: f.home, HOME: dir } as NodeJS.ProcessEnv;
    const r = await runCli(['export', '--ledger', f.ledgerPath, '--all', '--endpoint', rx.url], env);
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).ok, false);
    assert.match(r.stderr, /export failed/);
  });
});
