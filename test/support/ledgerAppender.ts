/**
 * A process that appends to a ledger as fast as it can through group commit, and acknowledges each
 * step only once its transaction has committed: the committed step ids go to stdout, one per line
 * (stdout to a pipe is written synchronously on Linux: a line the parent read was acknowledged).
 * It never stops by itself; the crash test kills it with SIGKILL.
 *   node --import tsx test/support/ledgerAppender.ts <ledger path> <airlock home> [producers] [durability] [thread]
 * With `thread`, batches are written by the ledger's writer thread (src/node/ledger/ledgerWriter.ts).
 */
import { hashOf } from '../../src/core/hash';
import { GroupCommit } from '../../src/node/ledger/groupCommit';
import { anchorPathFor, Ledger, type LedgerDurability, type StepInput } from '../../src/node/ledger/ledger';
import { LedgerWriterThread } from '../../src/node/ledger/ledgerWriter';

const [path, home, producersArg, durability, writer] = process.argv.slice(2);
const ledger = Ledger.open(path!, { anchor: anchorPathFor(home!, path!), durability: (durability ?? 'process') as LedgerDurability });
const runs = Array.from({ length: 4 }, (_, k) => ledger.runFor('claude', `crash-${k}`, new Date().toISOString()).id);
const gc = new GroupCommit(ledger, { maxBatch: 256, maxQueue: 2048 });
let n = 0;
const step = (): StepInput => {
  const i = n++;
  const action = { kind: 'shell', command: `echo ${i} && curl -H "Authorization: Bearer tok${i}secretsecret" https://x.invalid`, cwd: '/w' };
  const now = new Date().toISOString();
  return { runId: runs[i % runs.length]!, event: 'pre', agent: 'claude', sessionId: 'crash', tool: 'Bash', toolUseId: `tu-${i}`, kind: 'shell', action, actionHash: hashOf(action), decision: 'allow', reversibility: 'reversible', reasons: ['ok'], rules: ['builtin.reversible'], effects: [], policyHash: 'p', startedAt: now, decidedAt: now, durationUs: 10 };
};
// Acknowledgements are written once per turn of the event loop (one write per commit, not per step).
let acked: string[] = [];
let ackScheduled = false;
const ack = (id: string): void => {
  acked.push(id);
  if (ackScheduled) return;
  ackScheduled = true;
  setImmediate(() => {
    ackScheduled = false;
    const out = acked;
    acked = [];
    process.stdout.write(`${out.join('\n')}\n`);
  });
};
// Many concurrent producers, each waiting for its own step to be committed before the next (like
// concurrent hook requests); the bounded queue holds them back when the disk is slower.
const producers = Number(producersArg ?? 1024);
void (async () => {
  if (writer === 'thread') gc.useWriter(await LedgerWriterThread.start(ledger.writeTarget(), (reason) => process.stderr.write(`${reason}\n`)));
  for (let p = 0; p < producers; p++) {
    void (async () => {
      for (;;) ack((await gc.append(step())).id);
    })().catch((e: Error) => {
      process.stderr.write(`append failed: ${e.message}\n`);
      process.exit(1);
    });
  }
})();
