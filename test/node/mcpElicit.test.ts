/**
 * Asks with no person connected, through the built `airlock mcp` (in-process gate) and the official
 * MCP SDK client:
 * - a client without elicitation gets an answer at once ("needs a person's approval", queued); the
 *   step waits in the queue, a person answers it in the editor (the queue's decide, as GateHost
 *   does), and the same call made again then runs, once;
 * - a client that declared elicitation is asked through it: accept + approve runs the call, bound to
 *   the action's hash and recorded as approved by "person via MCP client elicitation"; decline denies.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { ApprovalQueueStore, approvalQueuePath } from '../../src/node/gate/approvalQueue';
import { runCli, tempDir } from '../support/gateway';
import { cleanEnv, connectAirlock, envelopeOf, openDb, type McpSession } from '../support/mcp';

const dir = tempDir('airlock-mcp-elicit-');
const home = join(dir, 'home');
const airlockHome = join(dir, 'airlock');
const ws = join(dir, 'ws');
mkdirSync(home, { recursive: true });
mkdirSync(ws, { recursive: true });
// Checkpoints off: with them a workspace delete is made reversible and runs without an ask (mcpCheckpoints.test.ts).
const env = { ...cleanEnv(home, airlockHome), AIRLOCK_CHECKPOINTS: 'off' };
const sessions: McpSession[] = [];
after(async () => {
  for (const s of sessions) await s.close().catch(() => undefined);
});

function lastPre(tool: string): { decision: string; reasons: string[]; rules: string[]; action_hash: string } {
  const db = openDb(join(airlockHome, 'ledger.sqlite'));
  try {
    const r = db.prepare("SELECT decision, reasons_json, rules_json, action_hash FROM steps WHERE tool = ? AND event = 'pre' ORDER BY rowid DESC LIMIT 1").get(tool) as { decision: string; reasons_json: string; rules_json: string; action_hash: string };
    return { decision: r.decision, reasons: JSON.parse(r.reasons_json) as string[], rules: JSON.parse(r.rules_json) as string[], action_hash: r.action_hash };
  } finally {
    db.close();
  }
}

describe('airlock mcp with no person connected (official MCP client)', () => {
  it('no elicitation: answered within 2 s, queued; approved in the queue, the same call then runs once', async () => {
    const s = await connectAirlock(['--workspace', ws, '--gate', 'local', '--ask-timeout-ms', '60000'], env);
    sessions.push(s);
    const file = join(ws, 'a.txt');
    writeFileSync(file, 'a\n');
    const t0 = Date.now();
    const e = envelopeOf(await s.client.callTool({ name: 'delete_file', arguments: { path: file } }));
    const ms = Date.now() - t0;
    assert.ok(ms < 2000, `answered in ${ms} ms although the ask timeout is 60 s`);
    assert.equal(e.ok, false);
    if (e.ok) return;
    assert.equal(e.error.code, 'denied');
    assert.equal(e.error.retryable, true);
    assert.match(e.error.message, /Airlock needs a person's approval for this.*queued as approval #1.*open VS Code with Airlock.*Do not retry in a loop/s);
    assert.ok(existsSync(file));

    const listed = await runCli(['approvals', '--json'], env);
    const queued = (JSON.parse(listed.stdout) as { approvals: { id: number; status: string; actionHash: string; tool: string; summary: string }[] }).approvals;
    assert.equal(queued.length, 1);
    assert.equal(queued[0]!.status, 'queued');
    assert.equal(queued[0]!.tool, 'delete_file');
    assert.match(queued[0]!.summary, /delete .*a\.txt/);

    // A person answers in the editor. An approval for another action's hash is refused.
    const q = ApprovalQueueStore.open(approvalQueuePath(airlockHome));
    try {
      assert.equal(q.decide(1, { decision: 'allow', by: 'person in VS Code', actionHash: 'f'.repeat(64) }), 'changed');
      assert.equal(q.decide(1, { decision: 'allow', by: 'person in VS Code', actionHash: queued[0]!.actionHash }), 'decided');
      assert.equal(q.decide(1, { decision: 'deny', by: 'person in VS Code' }), 'gone');
    } finally {
      q.close();
    }
    const ok = envelopeOf(await s.client.callTool({ name: 'delete_file', arguments: { path: file } }));
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(existsSync(file), false);
    const row = lastPre('delete_file');
    assert.equal(row.decision, 'allow');
    assert.ok(row.reasons.some((r) => /approved by person in VS Code \(queued approval #1\)/.test(r)), row.reasons.join(' | '));
    // Used up: it answers one call only.
    const q2 = ApprovalQueueStore.open(approvalQueuePath(airlockHome));
    try {
      assert.equal(q2.list({ all: true })[0]!.status, 'used');
      assert.equal(q2.take(queued[0]!.actionHash, 'airlock-mcp'), undefined);
    } finally {
      q2.close();
    }
  });

  it('elicitation: the person accepts in the MCP client; the approval is bound to the hash and recorded', async () => {
    const asked: string[] = [];
    let answer: 'approve' | 'decline' | 'accept-no' = 'approve';
    const s = await connectAirlock(['--workspace', ws, '--gate', 'local', '--ask-timeout-ms', '60000'], env, {
      capabilities: { elicitation: {} },
      configure: (c) =>
        c.setRequestHandler(ElicitRequestSchema, (req) => {
          asked.push(String((req.params as { message?: string }).message));
          if (answer === 'decline') return { action: 'decline' };
          return { action: 'accept', content: { approve: answer === 'approve' } };
        }),
    });
    sessions.push(s);
    const file = join(ws, 'b.txt');
    writeFileSync(file, 'b\n');
    const e = envelopeOf(await s.client.callTool({ name: 'delete_file', arguments: { path: file } }));
    assert.equal(e.ok, true, JSON.stringify(e));
    assert.equal(existsSync(file), false);
    assert.equal(asked.length, 1);
    assert.match(asked[0]!, /delete .*b\.txt/);
    assert.match(asked[0]!, /Reversibility: (irreversible|recoverable)/);
    const row = lastPre('delete_file');
    assert.equal(row.decision, 'allow');
    assert.ok(row.rules.includes('approval.person'));
    assert.ok(row.reasons.includes('approved by person via MCP client elicitation'), row.reasons.join(' | '));
    assert.match(asked[0]!, new RegExp(`hash ${row.action_hash.slice(0, 12)}`));

    for (const a of ['decline', 'accept-no'] as const) {
      answer = a;
      // Another file each time (the same call again would be answered from the effect store).
      const other = join(ws, `${a}.txt`);
      writeFileSync(other, 'keep\n');
      const d = envelopeOf(await s.client.callTool({ name: 'delete_file', arguments: { path: other } }));
      assert.equal(d.ok, false);
      if (d.ok) return;
      assert.equal(d.error.code, 'denied');
      assert.match(d.error.message, a === 'decline' ? /the person declined it in the MCP client/ : /did not approve it in the MCP client/);
      assert.ok(existsSync(other));
      assert.equal(lastPre('delete_file').decision, 'deny');
    }
  });
});
