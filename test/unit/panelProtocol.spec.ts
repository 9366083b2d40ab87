import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostToWebview, MAX_PAGE, WebviewToHost } from '../../src/core/protocol/panel';

const ok = (schema: typeof WebviewToHost | typeof HostToWebview, m: unknown): boolean => schema.safeParse(m).success;

describe('panel protocol: webview -> host', () => {
  it('accepts each well-formed request', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'listRuns', requestId: '1', offset: 0, limit: 50 },
      { type: 'listRuns', requestId: '1', offset: 0, limit: 50, agent: 'claude' },
      { type: 'openRun', requestId: '2', runId: 'r' },
      { type: 'pageSteps', requestId: '3', runId: 'r', offset: 99_800, limit: 200, filters: { decisions: ['deny', 'asked'], reversibilities: ['irreversible'], agent: 'sub', q: 'rm -rf' } },
      { type: 'stepDetail', requestId: '4', stepId: 's' },
      { type: 'exportRun', requestId: '5', runId: 'r' },
      { type: 'decide', requestId: '6', stepId: 's', decision: 'allow', actionHash: 'h', gesture: 'typed', scope: 'once' },
    ]) assert.ok(ok(WebviewToHost, m), JSON.stringify(m));
  });

  it('rejects unknown types, extra fields, oversize pages, bad enums and missing request ids', () => {
    for (const m of [
      null,
      'ready',
      { type: 'approveAll' },
      { type: 'ready', extra: 1 },
      { type: 'listRuns', offset: 0, limit: 50 },
      { type: 'pageSteps', requestId: '3', runId: 'r', offset: 0, limit: MAX_PAGE + 1, filters: {} },
      { type: 'pageSteps', requestId: '3', runId: 'r', offset: -1, limit: 10, filters: {} },
      { type: 'pageSteps', requestId: '3', runId: 'r', offset: 0, limit: 10, filters: { decisions: ['maybe'] } },
      { type: 'pageSteps', requestId: '3', runId: 'r', offset: 0, limit: 10, filters: { sql: 'DROP' } },
      { type: 'decide', requestId: '6', stepId: 's', decision: 'always', actionHash: 'h', gesture: 'click', scope: 'once' },
      { type: 'decide', requestId: '6', stepId: 's', decision: 'allow', actionHash: 'h', gesture: 'enter', scope: 'once' },
      { type: 'decide', requestId: '6', stepId: 's', decision: 'allow', gesture: 'click', scope: 'once' },
      { type: 'decide', requestId: '', stepId: 's', decision: 'allow', actionHash: 'h', gesture: 'click', scope: 'once' },
    ]) assert.ok(!ok(WebviewToHost, m), JSON.stringify(m));
  });
});

describe('panel protocol: host -> webview', () => {
  const run = { id: 'r', agent: 'claude', sessionId: 's', startedAt: 't', lastAt: null, status: 'active', statusReason: null, steps: 1, denials: 0, asked: 0, tokens: null, costUsd: null, costPartial: false, costSource: 'unknown' as const, costEstimate: false };
  const row = { id: 's', seq: 1, startedAt: 't', agent: 'claude', subagentId: null, tool: 'Bash', kind: 'shell', summary: 'ls', summaryTruncated: false, decision: 'allow', reversibility: 'read', rules: [], approvedBy: null, outcome: null, durationUs: 3, tokens: null, costUsd: null, checkpoint: null, dbUndo: false };

  it('accepts replies and pushes', () => {
    for (const m of [
      { type: 'runs', requestId: '1', offset: 0, total: 1, rows: [run], agents: ['claude'] },
      { type: 'steps', requestId: '2', runId: 'r', offset: 0, total: 1, rows: [row] },
      { type: 'state', state: { gate: 'killed', reason: 'pulled', pending: 0 } },
      { type: 'pendingApprovals', cards: [] },
      { type: 'decided', requestId: '3', stepId: 's', ok: false, message: 'no longer pending' },
      { type: 'error', message: 'x' },
      { type: 'runChanged', runId: 'r', lastSeq: 5 },
    ]) assert.ok(ok(HostToWebview, m), JSON.stringify(m));
  });

  it('rejects a page larger than MAX_PAGE, a negative cost and an unknown gate state', () => {
    assert.ok(!ok(HostToWebview, { type: 'steps', requestId: '2', runId: 'r', offset: 0, total: 1, rows: Array.from({ length: MAX_PAGE + 1 }, () => row) }));
    assert.ok(!ok(HostToWebview, { type: 'runs', requestId: '1', offset: 0, total: 1, rows: [{ ...run, costUsd: -1 }], agents: [] }));
    assert.ok(!ok(HostToWebview, { type: 'state', state: { gate: 'asleep', pending: 0 } }));
    assert.ok(!ok(HostToWebview, { type: 'steps', requestId: '2', runId: 'r', offset: 0, total: 1, rows: [{ ...row, summary: 'x'.repeat(1000) }] }));
  });
});
