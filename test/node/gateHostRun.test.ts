// The editor's gate host and the current run: cost from the real usage store (record() and OTLP over
// loopback), the budget warning and its raise, a loop-paused run resumed by a person, and a
// tampered ledger carried into the status. Real bridge, real SQLite, real OTLP receiver.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { AirlockStatus } from '../../src/core/gateControl';
import type { HookRequest } from '../../src/core/protocol/bridge';
import { askGate } from '../../src/node/bridge/client';
import { readDiscovery } from '../../src/node/bridge/discovery';
import { GateHost } from '../../src/node/gate/gateHost';
import { tempDir } from '../support/gateway';

const hosts: GateHost[] = [];
let sandbox: string;
const saved = { CLAUDE_CONFIG_DIR: process.env.CLAUDE_CONFIG_DIR, CODEX_HOME: process.env.CODEX_HOME };
before(() => {
  // The usage store reads agents' transcripts from these: never the real ones.
  sandbox = tempDir('airlock-hostrun-env-');
  process.env.CLAUDE_CONFIG_DIR = join(sandbox, 'claude');
  process.env.CODEX_HOME = join(sandbox, 'codex');
});
after(() => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  rmSync(sandbox, { recursive: true, force: true });
});
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.dispose();
});

interface Fx {
  home: string;
  ws: string;
  logs: string[];
  host: GateHost;
}

function layout(policy?: unknown): { home: string; ws: string } {
  const root = tempDir('airlock-hostrun-');
  const home = join(root, 'home');
  const ws = join(root, 'ws');
  mkdirSync(home, { recursive: true });
  mkdirSync(ws, { recursive: true });
  if (policy) writeFileSync(join(home, 'policy.json'), JSON.stringify(policy));
  return { home, ws };
}

async function startHost(l: { home: string; ws: string }): Promise<Fx> {
  const logs: string[] = [];
  const host = new GateHost({ ...l, workspaceRoots: [l.ws], log: (x) => logs.push(x), watchIntervalMs: 100 });
  hosts.push(host);
  await host.start();
  return { ...l, logs, host };
}

function shellReq(ws: string, command: string, sessionId = 's1'): HookRequest {
  return { agent: 'claude', event: 'pre', sessionId, toolName: 'Bash', toolUseId: `t-${Math.random().toString(36).slice(2)}`, deadlineMs: 20_000, action: { kind: 'shell', command, cwd: ws, workspaceRoots: [ws] } };
}

async function hook(f: Fx, command: string, sessionId = 's1') {
  const d = readDiscovery(f.host.discoveryPath);
  assert.ok(d.ok);
  const r = await askGate(d.discovery, shellReq(f.ws, command, sessionId), 10_000);
  assert.ok(r.ok, JSON.stringify(r));
  return r.response;
}

/** Resolve with the first status (now or later) that satisfies pred. */
function statusWhere(host: GateHost, pred: (s: AirlockStatus) => boolean, what: string, timeoutMs = 10_000): Promise<AirlockStatus> {
  if (pred(host.status())) return Promise.resolve(host.status());
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => (off(), reject(new Error(`status never showed ${what}; last: ${JSON.stringify(host.status())}`))), timeoutMs);
    const off = host.onStatus((s) => {
      if (!pred(s)) return;
      clearTimeout(t);
      off();
      resolve(s);
    });
  });
}

const call = (key: string, usd: number, sessionId = 's1') => ({ agent: 'claude' as const, sessionId, key, model: 'claude-sonnet-4-5', tokens: { input: 100, output: 50, cacheRead: 0, cacheWrite: 0 }, agentCostUsd: usd, at: new Date(), source: 'otlp' as const });

describe('editor gate host: the current run', () => {
  it('no step yet: no run, no cost, no budget in the status', async () => {
    const f = await startHost(layout({ version: 1, budgets: { perRunUsd: 1 } }));
    const s = f.host.status();
    assert.equal(s.gate, 'armed');
    assert.equal(s.run, undefined);
    assert.equal(s.costUsd, undefined);
    assert.equal(s.budget, undefined);
    assert.equal(s.ledgerIntegrity, undefined);
  });

  it('a hook makes its run current; recorded usage shows as its cost, warns at 80 %, stops at the budget, and a raise lets it go on', async () => {
    const f = await startHost(layout({ version: 1, budgets: { perRunUsd: 0.05 } }));
    assert.equal((await hook(f, 'ls')).decision, 'allow');
    const s0 = await statusWhere(f.host, (s) => s.run !== undefined, 'a current run');
    assert.equal(s0.run!.agent, 'claude');
    assert.equal(s0.costUsd, 0);
    assert.deepEqual({ warn: s0.budget!.warn, exhausted: s0.budget!.exhausted, limit: s0.budget!.limitUsd }, { warn: false, exhausted: false, limit: 0.05 });
    const usage = f.host.usage();
    assert.ok(usage, 'the gate has a usage store');

    usage.record(call('req-1', 0.041));
    const s1 = await statusWhere(f.host, (s) => s.costUsd === 0.041, 'cost $0.041');
    assert.equal(s1.budget!.warn, true, 'warns at 82 %');
    assert.equal(s1.budget!.exhausted, false);
    assert.ok(Math.abs(s1.budget!.fraction - 0.82) < 1e-9, String(s1.budget!.fraction));

    usage.record(call('req-2', 0.02));
    const s2 = await statusWhere(f.host, (s) => s.budget?.exhausted === true, 'the budget reached');
    assert.ok(Math.abs(s2.costUsd! - 0.061) < 1e-9);
    const denied = await hook(f, 'ls -la');
    assert.equal(denied.decision, 'deny');
    assert.match(denied.reasons.join(' '), /budget reached: authorize in Airlock to continue/);

    const raised = f.host.raiseRunBudget(0.1, 'tester');
    assert.ok(raised.ok, raised.ok ? '' : raised.error);
    assert.equal(raised.runId, s0.run!.id);
    const s3 = f.host.status();
    assert.equal(s3.budget!.exhausted, false);
    assert.ok(Math.abs(s3.budget!.limitUsd - 0.15) < 1e-9, String(s3.budget!.limitUsd));
    assert.equal((await hook(f, 'pwd')).decision, 'allow');
    assert.match(f.logs.join('\n'), /budget of run .* raised by \$0\.1 by tester/);
  });

  it('the run with the most recent step is the current one', async () => {
    const f = await startHost(layout());
    await hook(f, 'ls', 'a');
    const a = (await statusWhere(f.host, (s) => s.run !== undefined, 'run a')).run!.id;
    await hook(f, 'ls', 'b');
    const b = (await statusWhere(f.host, (s) => s.run !== undefined && s.run.id !== a, 'run b')).run!.id;
    f.host.usage()!.record(call('rb', 0.5, 'b'));
    await statusWhere(f.host, (s) => s.costUsd === 0.5, 'run b cost');
    f.host.usage()!.record(call('ra', 0.25, 'a')); // usage of the older run does not make it current
    await hook(f, 'pwd', 'b');
    f.host.refreshRun(); // read now, not after the coalescing timer
    assert.equal(f.host.status().run!.id, b);
    assert.equal(f.host.status().costUsd, 0.5);
    assert.equal(f.host.status().budget, undefined, 'no budget in the policy');
    assert.equal(f.host.raiseRunBudget(-1, 'x').ok, false);
  });

  it('OTLP from the agent (Claude Code api_request events, JSON over loopback) updates the cost', async () => {
    const f = await startHost(layout({ version: 1, budgets: { perRunUsd: 10 } }));
    await hook(f, 'ls');
    await statusWhere(f.host, (s) => s.run !== undefined, 'a current run');
    const url = f.host.otlpUrl();
    assert.ok(url, 'the OTLP receiver runs');
    const mem = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'claude-code' }), processors: [new SimpleLogRecordProcessor({ exporter: mem })] });
    provider.getLogger('com.anthropic.claude_code.events').emit({
      body: 'claude_code.api_request',
      severityNumber: SeverityNumber.INFO,
      attributes: { 'session.id': 's1', 'event.name': 'api_request', 'event.timestamp': new Date().toISOString(), model: 'claude-sonnet-4-5', input_tokens: 1000, output_tokens: 200, cache_read_tokens: 0, cache_creation_tokens: 0, request_id: 'req_otlp_1', cost_usd: 1.25 },
    });
    const body = JsonLogsSerializer.serializeRequest(mem.getFinishedLogRecords())!;
    const u = new URL('/v1/logs', url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: Number(u.port), path: u.pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on('error', reject);
      req.end(Buffer.from(body));
    });
    assert.equal(status, 200);
    const s = await statusWhere(f.host, (x) => x.costUsd === 1.25, 'cost $1.25 from OTLP');
    assert.ok(Math.abs(s.budget!.fraction - 0.125) < 1e-9);
  });

  it('a loop signal pauses the run; the status shows it and a person resumes it', async () => {
    const f = await startHost(layout({ version: 1, loops: { sameCallInARow: 2 } }));
    assert.equal((await hook(f, 'cat a.txt')).decision, 'allow');
    const second = await hook(f, 'cat a.txt');
    assert.equal(second.decision, 'deny');
    const paused = await statusWhere(f.host, (s) => s.run?.status === 'paused', 'a paused run');
    assert.match(paused.run!.statusReason ?? '', /identical arguments 2 times/);
    assert.equal(f.host.resumeRun().ok, true);
    assert.equal(f.host.status().run!.status, 'active');
    assert.equal((await hook(f, 'cat a.txt')).decision, 'allow');
    const again = f.host.resumeRun();
    assert.equal(again.ok, false);
    assert.match(again.ok ? '' : again.error, /not paused/);
  });
});

describe('editor gate host: ledger integrity', () => {
  it('a ledger whose chain was edited before start is carried into the status, problem first', async () => {
    const l = layout();
    const f1 = await startHost(l);
    await hook(f1, 'ls');
    await hook(f1, 'pwd');
    await f1.host.dispose();
    hosts.splice(hosts.indexOf(f1.host), 1);
    // Edit a recorded step behind Airlock's back.
    const Database = createRequire(__filename)('better-sqlite3') as typeof BetterSqlite3;
    const db = new Database(join(l.home, 'ledger.sqlite'));
    const changed = db.prepare("UPDATE steps SET description = 'nothing to see here' WHERE seq = 1").run().changes;
    db.close();
    assert.equal(changed, 1);

    const f2 = await startHost(l);
    const s = f2.host.status();
    assert.equal(s.gate, 'armed', 'the gate still runs (and records) with a broken ledger');
    assert.ok(s.ledgerIntegrity, 'status carries the problem');
    assert.match(s.ledgerIntegrity[0]!, /LEDGER INTEGRITY BROKEN/);
    assert.match(s.ledgerIntegrity[1]!, /chain\.content: .*edited after it was written/);
  });

  it('an intact ledger carries nothing', async () => {
    const l = layout();
    const f1 = await startHost(l);
    await hook(f1, 'ls');
    await f1.host.dispose();
    hosts.splice(hosts.indexOf(f1.host), 1);
    const f2 = await startHost(l);
    assert.equal(f2.host.status().ledgerIntegrity, undefined);
  });
});
