/**
 * Group commit for the ledger: many appends, one transaction.
 *
 * `append(step)` queues the step and returns a promise that resolves with the written row once the
 * transaction holding it has COMMITTED, i.e. once the step is durable in the ledger's durability
 * mode (LedgerOpenOptions.durability: 'process' survives SIGKILL, 'power' survives a power loss).
 * A caller must not act on (acknowledge, answer, report) a step before its promise resolves.
 *
 * - The queue is flushed once per event-loop turn (setImmediate after the first queued step), never
 *   inside append(): committing there would resolve producers whose next appends commit again, and
 *   the event loop would never turn. One immediate transaction holds up to `maxBatch` steps, with
 *   the same masking and hash chain as Ledger.appendSteps.
 * - The queue is bounded and first in, first out. At most `maxQueue` steps are committed per turn
 *   (then the event loop turns again); steps beyond it wait their turn, `accepting` is false and
 *   `stats.waits` counts them (backpressure: a producer that awaits its appends cannot run ahead
 *   of the disk; one that does not should hold back while `accepting` is false). Past `maxWaiting`
 *   steps append() rejects at once ("ledger queue full"), so memory stays bounded and the gate
 *   fails closed instead of piling up work.
 * - A transaction that fails writes nothing (all or none). Its steps are then retried one per
 *   transaction, so one bad step (an unknown run) rejects alone; a failure that persists (a full
 *   disk) rejects each step with its error.
 * - close() flushes what is queued, then stops: later appends reject.
 * - With a writer thread (useWriter, ledgerWriter.ts) each batch is masked and prepared here and
 *   written and committed by the thread, up to MAX_IN_FLIGHT batches at a time (this thread prepares
 *   the next batch while the thread commits one). Same rules: a step resolves only after the commit
 *   holding it, a failed batch is retried one step per transaction, and if the thread dies what it
 *   had not answered is retried here, on this thread's own connection: a step it had committed
 *   before it died (its answer lost) is found under its id and taken as committed, in commit order;
 *   the others are written here with the same ids (never twice: the primary key refuses a second).
 * - A lone step with a writer thread: when the thread has nothing in flight and at most LONE_STEPS
 *   steps are queued (one tool call at a time, the usual case), the turn's flush commits them here,
 *   on this thread's connection, as without a thread: the two thread hops cost more than the
 *   transaction. Nothing being in flight, this commit is the next in commit order (noteAppended
 *   stays in order); the chain head is read inside each transaction, so commits of the two
 *   connections interleave into one chain. Bursts (more queued, or a batch in flight) go to the
 *   thread. The flush still waits for its turn (setImmediate): the first rule holds for lone steps
 *   too, and for a lone request the turn is short (nothing else is waiting in it).
 */
import type { Ledger, StepInput, StepRow } from './ledger';
import type { BatchWriter } from './ledgerWriter';
import { inCommitOrder, prepareStep, rowOf, type PreparedStep } from './stepWrite';

/** Batches sent to a writer thread and not yet answered. */
const MAX_IN_FLIGHT = 2;

/**
 * Most steps committed on this thread while a writer thread is idle. One to four steps commit here
 * in ~0.6-1 ms against ~0.9-1.5 ms through the thread (the two hops); past that the transaction
 * blocks this thread longer than preparing and posting the batch does, and a burst gains more from
 * the thread committing one batch while this one prepares the next.
 */
export const LONE_STEPS = 4;

export interface GroupCommitOptions {
  /** Most steps in one transaction (default 512). */
  maxBatch?: number;
  /** Most steps committed per event-loop turn; beyond it steps wait a turn (default 8192). */
  maxQueue?: number;
  /** Most steps waiting at all; append() rejects beyond it (default 8 × maxQueue). */
  maxWaiting?: number;
}

export interface GroupCommitStats {
  /** Steps committed. */
  steps: number;
  /** Transactions committed (steps / transactions = mean batch). */
  transactions: number;
  /** Largest batch committed. */
  largestBatch: number;
  /** Transactions committed by the writer thread (the rest on this thread). */
  byThread: number;
  /** Steps that arrived while the queue was full (they waited an extra turn). */
  waits: number;
  /** Steps rejected (write failed). */
  failed: number;
  /** Steps refused because maxWaiting steps were already waiting. */
  refused: number;
}

interface Pending {
  step: StepInput;
  resolve: (row: StepRow) => void;
  reject: (e: Error) => void;
}

type AppendTarget = Pick<Ledger, 'appendSteps'> & Partial<Pick<Ledger, 'noteAppended' | 'appendPrepared' | 'committedStep'>>;

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private closed = false;
  private writer: BatchWriter | undefined;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  readonly maxBatch: number;
  readonly maxQueue: number;
  readonly maxWaiting: number;
  readonly stats: GroupCommitStats = { steps: 0, transactions: 0, largestBatch: 0, byThread: 0, waits: 0, failed: 0, refused: 0 };

  constructor(
    private readonly ledger: AppendTarget,
    o: GroupCommitOptions = {},
  ) {
    this.maxBatch = positive(o.maxBatch ?? 512, 'maxBatch');
    this.maxQueue = positive(o.maxQueue ?? 8192, 'maxQueue');
    this.maxWaiting = positive(o.maxWaiting ?? this.maxQueue * 8, 'maxWaiting');
    if (this.maxQueue < this.maxBatch) throw new Error(`group commit: maxQueue (${this.maxQueue}) must be at least maxBatch (${this.maxBatch})`);
    if (this.maxWaiting < this.maxQueue) throw new Error(`group commit: maxWaiting (${this.maxWaiting}) must be at least maxQueue (${this.maxQueue})`);
  }

  /** Steps queued (waiting ones included) and not yet committed. */
  get pending(): number {
    return this.queue.length;
  }

  /** False while the queue is full: a step appended now waits at least one more turn. */
  get accepting(): boolean {
    return !this.closed && this.queue.length < this.maxQueue;
  }

  /** Queue a step; resolves with its row once committed (durable), rejects if it cannot be written. */
  append(step: StepInput): Promise<StepRow> {
    if (this.closed) return Promise.reject(new Error('ledger group commit is closed'));
    if (this.queue.length >= this.maxWaiting) {
      this.stats.refused++;
      return Promise.reject(new Error(`ledger queue full (${this.queue.length} steps waiting to be recorded)`));
    }
    if (this.queue.length >= this.maxQueue) this.stats.waits++;
    return new Promise<StepRow>((resolve, reject) => {
      this.queue.push({ step, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Write batches on a writer thread from now on (the ledger must be able to note rows committed by
   * another connection). Without one, or once it has stopped, batches are written on this thread.
   */
  useWriter(writer: BatchWriter): void {
    if (!this.ledger.noteAppended || !this.ledger.appendPrepared || !this.ledger.committedStep) throw new Error('group commit: a writer thread needs a ledger that notes rows appended by another connection');
    this.writer = writer;
  }

  /** Batches go to a live writer thread. */
  get threaded(): boolean {
    return this.writer?.alive === true;
  }

  /** Commit everything queued now (synchronously; with a writer thread: send it, see close()). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.threaded) {
      while (this.queue.length) this.sendSome();
      return;
    }
    while (this.queue.length) this.flushSome();
  }

  /**
   * Commit what is queued and stop accepting steps. Without a writer thread everything is committed
   * before it returns; with one, await it: it resolves once every step has its answer and the
   * thread has closed its connection.
   */
  close(): Promise<void> {
    this.closed = true;
    this.flush();
    if (!this.writer) return Promise.resolve();
    const writer = this.writer;
    return this.idle().then(() => writer.close());
  }

  /** Resolves when nothing is queued or in flight. */
  private idle(): Promise<void> {
    if (!this.queue.length && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private settle(): void {
    if (this.queue.length || this.inFlight) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      if (this.threaded) {
        // A lone step (or a few) with the thread idle: committed here, on this thread's connection.
        // Two thread hops (~0.6 ms) cost more than the transaction itself; nothing is in flight, so
        // this commit is the next in order and noteAppended stays in commit order.
        if (this.inFlight === 0 && this.queue.length <= LONE_STEPS) {
          this.flushSome();
          this.settle();
          return;
        }
        // The thread commits one batch while this one prepares the next; more wait for an answer.
        while (this.queue.length && this.inFlight < MAX_IN_FLIGHT) this.sendSome();
        return;
      }
      // At most maxQueue steps this turn; the rest on the next, so the event loop keeps turning.
      let budget = this.maxQueue;
      while (this.queue.length && budget > 0) budget -= this.flushSome();
      if (this.queue.length) this.schedule();
      this.settle();
    });
  }

  /** Prepare one batch here and send it to the writer thread; its steps resolve after its commit. */
  private sendSome(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    if (!batch.length) return;
    const sent: Pending[] = [];
    const prepared: PreparedStep[] = [];
    for (const p of batch) {
      try {
        prepared.push(prepareStep(p.step));
        sent.push(p);
      } catch (e) {
        this.stats.failed++;
        p.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }
    if (!prepared.length) return;
    this.inFlight++;
    this.writer!.write(prepared)
      .then(
        (written) => {
          const rows = prepared.map((p, i) => rowOf(p, written[i]!));
          this.ledger.noteAppended!(inCommitOrder(rows, written));
          this.stats.steps += rows.length;
          this.stats.transactions++;
          this.stats.byThread++;
          this.stats.largestBatch = Math.max(this.stats.largestBatch, rows.length);
          sent.forEach((p, i) => p.resolve(rows[i]!));
        },
        () => this.retryAlone(sent, prepared),
      )
      .finally(() => {
        this.inFlight--;
        if (this.queue.length) this.schedule();
        this.settle();
      });
  }

  /** A batch the thread did not write: each step alone (on the thread while it lives, else here). */
  private async retryAlone(sent: Pending[], prepared: PreparedStep[]): Promise<void> {
    await Promise.all(
      sent.map(async (p, i) => {
        const v = prepared[i]!;
        try {
          if (this.writer?.alive) {
            try {
              const [w] = await this.writer.write([v]);
              const row = rowOf(v, w!);
              this.ledger.noteAppended!([row]);
              this.stats.steps++;
              this.stats.transactions++;
              this.stats.byThread++;
              p.resolve(row);
              return;
            } catch (e) {
              // Refused by a live thread: this step cannot be written. Else the thread stopped: here.
              if (this.writer.alive) throw e;
            }
          }
          p.resolve(this.afterThreadStopped(v));
        } catch (e) {
          this.stats.failed++;
          p.reject(e instanceof Error ? e : new Error(String(e)));
        }
      }),
    );
  }

  /**
   * A step sent to a thread that stopped before answering. The thread may have committed it and
   * died before its answer came back: then it is in the ledger under its id, and it is taken as
   * committed (and noted, so the anchor counts it). Else it is written here, with the same id. The
   * batches the thread did not answer are retried in the order they were sent, which is the order
   * it committed them in, so rows are noted in commit order; nothing is written twice (the primary
   * key would refuse it).
   */
  private afterThreadStopped(v: PreparedStep): StepRow {
    const stored = this.ledger.committedStep!(v[0] as string);
    if (stored) {
      this.ledger.noteAppended!([stored]);
      this.stats.steps++;
      return stored;
    }
    const [row] = this.ledger.appendPrepared!([v]) as [StepRow];
    this.stats.steps++;
    this.stats.transactions++;
    return row;
  }

  /** One transaction of up to maxBatch steps; returns how many steps it took from the queue. */
  private flushSome(): number {
    const batch = this.queue.splice(0, this.maxBatch);
    if (!batch.length) return 0;
    let rows: StepRow[] | undefined;
    try {
      rows = this.ledger.appendSteps(batch.map((p) => p.step));
    } catch {
      rows = undefined;
    }
    if (rows) {
      this.stats.steps += rows.length;
      this.stats.transactions++;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, rows.length);
      batch.forEach((p, i) => p.resolve(rows![i]!));
    } else {
      // Nothing of the batch was written: each step alone, so only the ones that cannot be written fail.
      for (const p of batch) {
        try {
          const [row] = this.ledger.appendSteps([p.step]);
          this.stats.steps++;
          this.stats.transactions++;
          p.resolve(row!);
        } catch (e) {
          this.stats.failed++;
          p.reject(e instanceof Error ? e : new Error(String(e)));
        }
      }
    }
    return batch.length;
  }
}

function positive(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`group commit: ${name} must be a positive integer (got ${n})`);
  return n;
}
