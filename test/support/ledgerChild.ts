/**
 * Runs the real Ledger in a child process (the tests spawn it under Node 22 from the e2e cache, where
 * the repo's Node 20 better-sqlite3 cannot load) and prints what happened as one JSON line.
 *   node --import tsx test/support/ledgerChild.ts <ledger path> <steps to append>
 */
import { Ledger, firstBreak } from '../../src/node/ledger/ledger';

const [path, n] = process.argv.slice(2);
const out: Record<string, unknown> = { node: process.versions.node };
try {
  const ledger = Ledger.open(path!);
  out.driver = ledger.driver;
  const run = ledger.runFor('claude-code', 'session-1', new Date().toISOString());
  for (let i = 0; i < Number(n ?? 3); i++) {
    ledger.appendStep({
      runId: run.id, event: 'pre', agent: 'claude-code', sessionId: 'session-1', tool: 'Bash', kind: 'shell',
      action: { kind: 'shell', command: `echo ${i}` }, decision: 'allow', reversibility: 'reversible',
      reasons: ['test'], rules: [], effects: [], policyHash: 'p', startedAt: new Date().toISOString(), decidedAt: new Date().toISOString(), durationUs: 1,
    });
  }
  // A step for a run that does not exist throws inside the transaction: nothing may be written.
  try {
    ledger.appendStep({ runId: 'no-such-run', event: 'pre', agent: 'a', sessionId: 's', tool: 'Bash', decision: 'allow', reversibility: 'read', reasons: [], rules: [], effects: [], policyHash: 'p', startedAt: '', decidedAt: '', durationUs: 0 });
    out.badRun = 'written';
  } catch (e) {
    out.badRun = (e as Error).message;
  }
  const steps = ledger.allSteps();
  out.steps = steps.length;
  out.seqs = steps.map((s) => s.seq);
  out.chainBreak = firstBreak(steps) ?? null;
  out.journal = (ledger as unknown as { db: { pragma(s: string, o: { simple: boolean }): unknown } }).db.pragma('journal_mode', { simple: true });
  ledger.close();
} catch (e) {
  out.error = (e as Error).message;
}
process.stdout.write(JSON.stringify(out) + '\n');
