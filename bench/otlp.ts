/**
 * OTLP receiver under a burst from a SECOND process: a node child posts N protobuf log requests
 * (each 10 distinct Claude Code api_request events, serialized by @opentelemetry/otlp-transformer) with C
 * in flight at once; the receiver in this process decodes them and records the usage rows in a real
 * SQLite ledger. Reports requests/second (wall time of the burst, as the child saw it), the RSS
 * delta of the receiving process (peak during the burst minus before), and the request size.
 *
 * Call: `const f = await otlpFigures({ requests: 2000, concurrency: 32 })` (bench/run.ts can render it).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { Ledger } from '../src/node/ledger/ledger';
import { startOtlpReceiver } from '../src/node/usage/otlp/receiver';
import { UsageStore } from '../src/node/usage/usage';

export interface OtlpFigures {
  requests: number;
  concurrency: number;
  bodyBytes: number;
  eventsPerRequest: number;
  seconds: number;
  requestsPerSecond: number;
  failed: number;
  rssBeforeMiB: number;
  rssPeakDeltaMiB: number;
  usageRows: number;
}

function body(events: number, seq: number): Uint8Array {
  const mem = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'claude-code' }), processors: [new SimpleLogRecordProcessor({ exporter: mem })] });
  const logger = provider.getLogger('com.anthropic.claude_code.events');
  for (let i = 0; i < events; i++) {
    logger.emit({
      body: 'claude_code.api_request',
      attributes: { 'session.id': 'bench-session', 'event.name': 'api_request', 'event.sequence': i, model: 'claude-opus-4-8', input_tokens: 1200 + seq, output_tokens: 300 + i, cache_read_tokens: 50_000, cache_creation_tokens: 2000, cost_usd: 0.05, request_id: `req_bench_${seq}_${i}`, 'event.timestamp': new Date().toISOString() },
    });
  }
  return ProtobufLogsSerializer.serializeRequest(mem.getFinishedLogRecords())!;
}

const CHILD = `
const http = require('node:http');
const fs = require('node:fs');
const [port, file, n, c] = process.argv.slice(1);
const bodies = JSON.parse(fs.readFileSync(file, 'utf8')).map((b) => Buffer.from(b, 'base64'));
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(c) });
let next = 0, done = 0, failed = 0;
const t0 = process.hrtime.bigint();
function one() {
  if (next >= Number(n)) return;
  const body = bodies[next % bodies.length];
  next++;
  const req = http.request({ host: '127.0.0.1', port: Number(port), path: '/v1/logs', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
    res.resume();
    res.on('end', () => { if (res.statusCode !== 200) failed++; finish(); });
  });
  req.on('error', () => { failed++; finish(); });
  req.end(body);
}
function finish() {
  done++;
  if (done === Number(n)) {
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    process.stdout.write(JSON.stringify({ seconds: s, failed }));
    agent.destroy();
    return;
  }
  one();
}
for (let i = 0; i < Number(c); i++) one();
`;

export async function otlpFigures(o: { requests?: number; concurrency?: number; eventsPerRequest?: number } = {}): Promise<OtlpFigures> {
  const requests = o.requests ?? 2000;
  const concurrency = o.concurrency ?? 32;
  const events = o.eventsPerRequest ?? 10;
  const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-otlp-'));
  const ledger = Ledger.open(join(dir, 'ledger.sqlite'));
  const usage = new UsageStore(ledger);
  const rx = await startOtlpReceiver({ port: 0, log: () => undefined, onData: (s, d) => usage.ingestOtlp(s, d) });
  // Every request reports new model calls (distinct request ids and token counts): the insert path, priced.
  const bodies = Array.from({ length: requests }, (_, i) => body(events, i));
  const file = join(dir, 'bodies.json');
  writeFileSync(file, JSON.stringify(bodies.map((b) => Buffer.from(b).toString('base64'))));
  const buf = bodies[0]!;
  try {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', CHILD, String(rx.port), file, String(requests), String(concurrency)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let s = '';
      let e = '';
      child.stdout.on('data', (d: Buffer) => (s += d.toString()));
      child.stderr.on('data', (d: Buffer) => (e += d.toString()));
      child.on('close', (code) => (code === 0 ? resolve(s) : reject(new Error(`burst process exited ${code}: ${e}`))));
    });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const r = JSON.parse(out) as { seconds: number; failed: number };
    const rows = (ledger.database().prepare('SELECT COUNT(*) AS n FROM usage').get() as { n: number }).n;
    return {
      requests,
      concurrency,
      bodyBytes: buf.length,
      eventsPerRequest: events,
      seconds: r.seconds,
      requestsPerSecond: requests / r.seconds,
      failed: r.failed,
      rssBeforeMiB: rssBefore / 2 ** 20,
      rssPeakDeltaMiB: (peak - rssBefore) / 2 ** 20,
      usageRows: rows,
    };
  } finally {
    await rx.close();
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void otlpFigures().then((f) => console.log(JSON.stringify(f, null, 2)));
}
