/**
 * A real ledger produced by real gate requests (in-process Gate, real judge, real SQLite), with a
 * programmatic person answering approvals: escalation, an approval, a refusal, a probable retry,
 * outcomes, a sub-agent, a secret in a command. Used by the `airlock log` and export tests.
 */
import { hashOf } from '../../src/core/hash';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HookRequest, HookResponse } from '../../src/core/protocol/bridge';
import { PendingApprovals } from '../../src/node/gate/approvals';
import { Gate } from '../../src/node/gate/gate';
import { Ledger } from '../../src/node/ledger/ledger';

export interface Fixture {
  ledgerPath: string;
  home: string;
  ws: string;
  runA: string;
  runB: string;
  answers: HookResponse[];
}

export async function buildLedgerFixture(dir: string): Promise<Fixture> {
  const home = join(dir, 'home');
  const ws = join(dir, 'ws');
  mkdirSync(join(ws, 'build'), { recursive: true });
  writeFileSync(join(ws, 'README.md'), '# demo\n');
  const ledgerPath = join(dir, 'ledger.sqlite');
  const ledger = Ledger.open(ledgerPath);
  const approver = new PendingApprovals();
  // The "person": approves cleaning the build output with find, refuses everything else.
  approver.onPending = (req) =>
    setImmediate(() => {
      const cmd = req.action?.kind === 'shell' ? req.action.command : '';
      approver.decide(req.stepId, cmd.startsWith('find build') ? { decision: 'allow', by: 'dana@example.com', actionHash: req.action ? hashOf(req.action) : '' } : { decision: 'deny', reason: 'a person said no' });
    });
  const gate = new Gate({ ledger, approver, mode: 'interactive', home, workspaceRoots: [ws], workspacePolicy: join(dir, 'none.json'), log: () => undefined });
  const answers: HookResponse[] = [];
  const bash = (session: string, id: string, command: string, over: Partial<HookRequest> = {}): HookRequest => ({ agent: 'claude', event: 'pre', sessionId: session, toolName: 'Bash', toolUseId: id, action: { kind: 'shell', command, cwd: ws, workspaceRoots: [ws] }, deadlineMs: 5000, ...over });
  const post = (session: string, id: string, pre: HookRequest, exitCode: number, error?: string): HookRequest => ({ ...pre, event: 'post', toolUseId: id, outcome: { exitCode, ...(error ? { error } : {}), durationMs: 42 } });
  const send = async (r: HookRequest): Promise<HookResponse> => {
    const a = await gate.hook(r);
    answers.push(a);
    return a;
  };
  const read: HookRequest = { agent: 'claude', event: 'pre', sessionId: 'sA', toolName: 'Read', toolUseId: 'tu-1', action: { kind: 'file', op: 'read', path: join(ws, 'README.md'), cwd: ws, workspaceRoots: [ws] }, deadlineMs: 5000 };
  const a1 = await send(read);
  await send(post('sA', 'tu-1', read, 0));
  await send(bash('sA', 'tu-2', 'rm -rf build', { description: 'clean the build output' }));
  const find = bash('sA', 'tu-3', 'find build -delete');
  await send(find);
  await send(post('sA', 'tu-3', find, 0));
  const psql = bash('sA', 'tu-4', 'PGPASSWORD=hunter2 psql -h db -c "select 1"');
  await send(psql);
  await send(post('sA', 'tu-4', psql, 2, 'psql: error: connection to server at "db" failed'));
  const touch = bash('sA', 'tu-5', 'touch new.txt');
  await send(touch);
  await send(post('sA', 'tu-5', touch, 0));
  await send(bash('sA', 'tu-6', 'touch new.txt'));
  await send({ ...read, toolUseId: 'tu-7', subagentId: 'sub-1' });
  const b = await send({ ...bash('sB', 'x-1', 'ls -la'), agent: 'codex' });
  await gate.close();
  ledger.close();
  return { ledgerPath, home, ws, runA: a1.runId, runB: b.runId, answers };
}
