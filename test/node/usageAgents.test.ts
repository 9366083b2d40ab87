// Usage from the agents that report it their own way, through the real store, receiver and plugin
// (no agent here: the live tests in agent-cline / agent-qwen / agent-opencode drive the real ones):
// - Qwen Code's OTLP log events (`qwen-code.api_response`, Gemini CLI's attributes);
// - the OpenCode / Kilo plugin's GenAI span per model call: the generated plugin itself, loaded as
//   its agent loads it, fed the agent's events, posting to a real OTLP receiver;
// - Cline's session document, read whole when it changes, one row per assistant message;
// - Cline's TaskComplete (`agent_end`) as the session end that carries the document's path.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ledger } from '../../src/node/ledger/ledger';
import { UsageStore } from '../../src/node/usage/usage';
import { extractUsage } from '../../src/node/usage/otlp/extract';
import { startOtlpReceiver, type Receiver } from '../../src/node/usage/otlp/receiver';
import { clineSessionCalls, isClineSessionFile } from '../../src/node/usage/transcripts';
import { opencodePluginSource } from '../../src/node/agents/install/plugins';
import { sessionEndOf } from '../../src/node/agents/sessionEnd';
import { clineSessionFile } from '../../src/node/agents/dialects/cline';
import { priceCall } from '../../src/core/run/pricing';
import type { Decoded } from '../../src/node/usage/otlp/decode';

let dir: string;
let ledger: Ledger;
let usage: UsageStore;
let rx: Receiver;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'airlock-usage-agents-'));
  ledger = Ledger.open(join(dir, 'ledger.sqlite'));
  usage = new UsageStore(ledger);
  rx = await startOtlpReceiver({ port: 0, log: () => undefined, onData: (s, d) => usage.ingestOtlp(s, d) });
});

after(async () => {
  await rx?.close();
  ledger?.close();
  rmSync(dir, { recursive: true, force: true });
});

const rowsOf = (agent: string, session: string) => {
  const run = ledger.runs().find((r) => r.agent === agent && r.session_id === session);
  return run ? usage.rowsOf(run.id) : [];
};
const tokensOf = (r: { input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_write_tokens: number }) => [r.input_tokens, r.output_tokens, r.cache_read_tokens, r.cache_write_tokens];

describe('Qwen Code telemetry', () => {
  const event = (session: string, attrs: Record<string, string | number>): Decoded => ({
    logs: [{ name: 'qwen-code.api_response', attributes: { 'session.id': session, 'event.name': 'qwen-code.api_response', 'event.timestamp': '2026-12-04T10:00:00.000Z', ...attrs }, resource: { 'service.name': 'qwen-code', 'session.id': session }, timeUnixNano: '1' }],
    metrics: [],
    spans: [],
  });

  it('an api_response is one call of the qwen run: cached input apart, thoughts billed as output, the table’s price', () => {
    const ex = usage.ingestOtlp('logs', event('q-1', { model: 'gpt-4o-mini', prompt_id: 'p1', input_token_count: 1500, output_token_count: 40, cached_content_token_count: 300, thoughts_token_count: 5, total_token_count: 1545 }));
    assert.equal(ex.calls.length, 1);
    assert.equal(ex.calls[0]!.agent, 'qwen');
    const rows = rowsOf('qwen', 'q-1');
    assert.equal(rows.length, 1);
    assert.deepEqual(tokensOf(rows[0]!), [1200, 45, 300, 0]);
    assert.equal(rows[0]!.cost_source, 'genai-prices');
    assert.equal(rows[0]!.cost_usd, priceCall('gpt-4o-mini', { input: 1200, output: 45, cacheRead: 300, cacheWrite: 0 }, new Date('2026-12-04T10:00:00Z'))!.usd);
  });

  it('a user prompt is a person’s turn; an event of another Gemini-family name is not Qwen’s', () => {
    const d = event('q-2', {});
    d.logs[0]!.name = 'qwen-code.user_prompt';
    assert.equal(extractUsage(d).persons[0]?.agent, 'qwen');
    const g = event('q-3', { model: 'm', input_token_count: 1 });
    g.logs[0]!.resource['service.name'] = 'gemini-cli';
    g.logs[0]!.name = 'gemini_cli.api_response';
    assert.equal(extractUsage(g).calls[0]?.agent, 'gemini');
  });
});

describe('the OpenCode / Kilo plugin reports each model call', () => {
  /** Loads the generated plugin as OpenCode does (an ES module) and feeds it the agent's events. */
  async function loadPlugin(agent: 'opencode' | 'kilo', endpoint: string | undefined) {
    const src = opencodePluginSource(agent, ['/bin/false', 'hook.js', 'hook', agent], endpoint);
    const mod = (await import(`data:text/javascript;base64,${Buffer.from(src).toString('base64')}`)) as Record<string, (ctx: unknown) => Promise<{ event: (e: { event: unknown }) => Promise<void> }>>;
    return Object.values(mod)[0]!({ directory: dir });
  }
  const assistant = (session: string, id: string) => ({ event: { type: 'message.updated', properties: { sessionID: session, info: { id, role: 'assistant', sessionID: session, modelID: 'gpt-4o-mini', providerID: 'scripted', cost: 0 } } } });
  const step = (session: string, msg: string, id: string, cost: number, tokens: object) => ({ event: { type: 'message.part.updated', properties: { sessionID: session, part: { id, messageID: msg, sessionID: session, type: 'step-finish', reason: 'stop', cost, tokens } } } });

  for (const agent of ['opencode', 'kilo'] as const) {
    it(`${agent}: one span per step-finish, tokens as the agent counts them, a cost of 0 priced by the table, a real cost kept, a re-sent step once`, async () => {
      const session = `ses_${agent}`;
      const hooks = await loadPlugin(agent, rx.url);
      await hooks.event(assistant(session, 'msg_1'));
      // OpenCode's input excludes the cache; reasoning is billed as output.
      await hooks.event(step(session, 'msg_1', 'prt_1', 0, { total: 1290, input: 1034, output: 56, reasoning: 4, cache: { read: 200, write: 0 } }));
      await hooks.event(step(session, 'msg_1', 'prt_1', 0, { total: 1290, input: 1034, output: 56, reasoning: 4, cache: { read: 200, write: 0 } }));
      await hooks.event(step(session, 'msg_1', 'prt_2', 0.0123, { input: 2000, output: 7, reasoning: 0, cache: { read: 0, write: 10 } }));
      await hooks.event({ event: { type: 'session.idle', properties: {} } });
      const rows = rowsOf(agent, session);
      assert.equal(rows.length, 2, JSON.stringify(rows));
      const [a, b] = [rows.find((r) => r.input_tokens === 1034)!, rows.find((r) => r.input_tokens === 2000)!];
      assert.deepEqual(tokensOf(a), [1034, 60, 200, 0]);
      assert.equal(a.model, 'gpt-4o-mini');
      assert.equal(a.cost_source, 'genai-prices');
      assert.ok(a.cost_usd! > 0);
      assert.deepEqual(tokensOf(b), [2000, 7, 0, 10]);
      assert.equal(b.cost_source, 'agent');
      assert.equal(b.cost_usd, 0.0123);
      assert.ok(rows.every((r) => r.source === 'otlp' && r.agent === agent));
    });
  }

  it('installed without a receiver (telemetry declined), it posts nothing and never throws', async () => {
    const before = rx.stats.accepted;
    const hooks = await loadPlugin('opencode', undefined);
    await hooks.event(step('ses_none', 'm', 'p', 0, { input: 1, output: 1, cache: {} }));
    await hooks.event({ event: undefined });
    assert.equal(rx.stats.accepted, before);
  });
});

describe('Cline’s session document', () => {
  const doc = (messages: unknown[]) => JSON.stringify({ version: 1, sessionId: 'root_1', messages });
  const msg = (id: string, metrics: object, ts: number) => ({ id, role: 'assistant', content: [], ts, modelInfo: { id: 'gpt-4o-mini', provider: 'openai-compatible' }, metrics });

  it('one call per assistant message with metrics, input net of the cache (Cline counts it in), a cost of 0 is no price', () => {
    const file = '/x/sessions/root_1/root_1.messages.json';
    const calls = clineSessionCalls(doc([{ id: 'u', role: 'user', content: [] }, msg('m1', { inputTokens: 1500, outputTokens: 40, cacheReadTokens: 300, cacheWriteTokens: 0 }, 1), msg('m2', { inputTokens: 100, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 50, cost: 0.5 }, 2), { id: 'm3', role: 'assistant', content: [] }]), 'conv_1', file);
    assert.deepEqual(calls.map((c) => [c.key, c.sessionId, c.tokens.input, c.tokens.output, c.tokens.cacheRead, c.tokens.cacheWrite, c.agentCostUsd]), [
      ['cline:root_1:m1', 'conv_1', 1200, 40, 300, 0, undefined],
      ['cline:root_1:m2', 'conv_1', 50, 2, 0, 50, 0.5],
    ]);
    assert.deepEqual(clineSessionCalls('not json', 'conv_1', file), []);
    assert.deepEqual(clineSessionCalls('{"messages": 3}', 'conv_1', file), []);
  });

  it('only a `<id>/<id>.messages.json` path is read', () => {
    assert.equal(isClineSessionFile('/a/sessions/r_1/r_1.messages.json'), true);
    assert.equal(isClineSessionFile('/a/sessions/r_1/other.messages.json'), false);
    assert.equal(isClineSessionFile('/etc/passwd'), false);
  });

  it('the store reads it at each hook and again when it grows: each message one row, never twice', () => {
    const sessions = join(dir, 'cline', 'sessions', 'root_2');
    mkdirSync(sessions, { recursive: true });
    const file = join(sessions, 'root_2.messages.json');
    const m1 = msg('m1', { inputTokens: 1500, outputTokens: 40, cacheReadTokens: 300, cacheWriteTokens: 0 }, Date.parse('2026-12-04T10:00:00Z'));
    writeFileSync(file, doc([m1]));
    assert.equal(usage.syncFromDisk('cline', 'conv_2', new Date(), file), 1);
    assert.equal(usage.syncFromDisk('cline', 'conv_2', new Date(), file), 0, 'unchanged: not read again');
    writeFileSync(file, doc([m1, msg('m2', { inputTokens: 2500, outputTokens: 60 }, Date.parse('2026-12-04T10:00:05Z'))]));
    assert.equal(usage.syncFromDisk('cline', 'conv_2', new Date(), file), 2);
    const rows = rowsOf('cline', 'conv_2');
    assert.deepEqual(rows.map(tokensOf), [[1200, 40, 300, 0], [2500, 60, 0, 0]]);
    assert.ok(rows.every((r) => r.cost_source === 'genai-prices' && r.source === 'transcript'));
    // A path that is not a session document is never opened.
    assert.equal(usage.syncFromDisk('cline', 'conv_2', new Date(), join(dir, 'ledger.sqlite')), 0);
    assert.equal(usage.syncFromDisk('cline', 'conv_2', new Date(), 'root_2/root_2.messages.json'), 0);
  });

  it('the hook payload names the document: CLINE_SESSION_DATA_DIR, CLINE_DATA_DIR, else ~/.cline/data', () => {
    const payload = { hookName: 'agent_end', taskId: 'conv_9', sessionContext: { rootSessionId: 'r_9' }, turn: { status: 'completed' } };
    assert.equal(clineSessionFile(payload, { HOME: '/h' }), '/h/.cline/data/sessions/r_9/r_9.messages.json');
    assert.equal(clineSessionFile(payload, { HOME: '/h', CLINE_DATA_DIR: '/d' }), '/d/sessions/r_9/r_9.messages.json');
    assert.equal(clineSessionFile(payload, { HOME: '/h', CLINE_DATA_DIR: '/d', CLINE_SESSION_DATA_DIR: '/s' }), '/s/r_9/r_9.messages.json');
    assert.equal(clineSessionFile({ ...payload, sessionContext: { rootSessionId: '../x' } }, { HOME: '/h' }), undefined);
    assert.equal(clineSessionFile({ taskId: 'x' }, { HOME: '/h' }), undefined);
    const end = sessionEndOf('cline', JSON.stringify(payload), { HOME: '/h' });
    assert.deepEqual(end, { sessionId: 'conv_9', reason: "the agent's session ended (agent_end: completed)", transcriptPath: '/h/.cline/data/sessions/r_9/r_9.messages.json' });
    assert.equal(sessionEndOf('cline', JSON.stringify({ ...payload, hookName: 'tool_call' }), { HOME: '/h' }), undefined);
  });
});
