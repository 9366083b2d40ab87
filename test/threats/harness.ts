/**
 * A real gate for the THREATS suite: `serveGate` in process on a loopback port, a real SQLite
 * ledger in a temp folder, a temp AIRLOCK_HOME, and the editor's approval queue (PendingApprovals)
 * standing in for the person, so races between an approval and what runs can be staged exactly.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AllowForRun } from '../../src/core/run/allowRules';
import type { ApprovalRequest } from '../../src/core/run/approver';
import { PendingApprovals } from '../../src/node/gate/approvals';
import { Ledger, type StepRow } from '../../src/node/ledger/ledger';
import { serveGate, type Served } from '../../src/node/gate/serve';
import { raw, tempDir } from '../support/gateway';

export interface TestGate {
  s: Served;
  dir: string;
  home: string;
  ws: string;
  ledgerPath: string;
  approvals: PendingApprovals;
  auth: Record<string, string>;
  /** POST /v1/hook with a shell command or an action; resolves with the parsed response. */
  hook(action: string | Record<string, unknown>, over?: Record<string, unknown>): Promise<{ decision: string; reasons: string[]; rules: string[]; actionHash: string; stepId: string; runId: string }>;
  /** Resolves with the next request that waits for a person. */
  nextPending(): Promise<ApprovalRequest>;
  steps(): StepRow[];
  stop(): Promise<void>;
}

export async function startGate(mode: 'interactive' | 'ci' = 'interactive', prefix = 'airlock-threats-'): Promise<TestGate> {
  const dir = tempDir(prefix);
  const home = join(dir, 'home');
  const ws = join(dir, 'ws');
  mkdirSync(join(ws, 'build'), { recursive: true });
  const ledgerPath = join(dir, 'ledger.sqlite');
  const approvals = new PendingApprovals({ grants: new AllowForRun() });
  // Checkpoints off: these probes are about what waits for a person (approvals, binding, replay), and
  // `rm -rf build` is their irreversible ask; with a checkpoint it would run (test/node/checkpoints*).
  const s = await serveGate({ home, ledgerPath, discovery: join(home, 'bridge.json'), mode, workspaceRoots: [ws], log: () => undefined, signals: false, approver: approvals, checkpoints: false });
  const auth = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
  const waiters: Array<(r: ApprovalRequest) => void> = [];
  approvals.subscribe({ pending: (r) => waiters.shift()?.(r) });
  let stopped = false;
  let n = 0;
  return {
    s,
    dir,
    home,
    ws,
    ledgerPath,
    approvals,
    auth,
    async hook(action, over = {}) {
      const a = typeof action === 'string' ? { kind: 'shell', command: action, cwd: ws, workspaceRoots: [ws] } : action;
      const r = await raw(s.url, { path: '/v1/hook', headers: auth, body: JSON.stringify({ agent: 'claude', event: 'pre', sessionId: `threats-${++n}`, toolName: 'Bash', action: a, deadlineMs: 10_000, ...over }) });
      return JSON.parse(r.body);
    },
    nextPending() {
      return new Promise((resolve) => waiters.push(resolve));
    },
    steps() {
      const l = Ledger.open(ledgerPath);
      try {
        return l.allSteps();
      } finally {
        l.close();
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await s.stop('test over');
    },
  };
}
