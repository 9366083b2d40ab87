/**
 * The ledger's writer thread, seen from the gate's thread. Group commit (groupCommit.ts) masks and
 * prepares each batch here (stepWrite.prepareStep), sends it to the thread (ledgerWriterWorker.ts),
 * and resolves the batch's steps only once the thread reports its commit. While the thread writes
 * one batch, this thread prepares the next: masking and SQLite run on two cores.
 *
 * Failure is explicit: a batch the thread could not write rejects (nothing of it was written); a
 * thread that dies rejects every batch it had not answered ("the ledger's writer thread stopped"),
 * and group commit goes back to writing on its own thread. Nothing is acknowledged unless committed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { writtenOf, type PreparedStep, type Written, type WrittenBatch } from './stepWrite';

export interface WriterConfig {
  path: string;
  durability: 'process' | 'power';
}

export type WriterRequest = { type: 'write'; id: number; steps: PreparedStep[] } | { type: 'close' };
export type WriterReply =
  | { type: 'ready' }
  | { type: 'unavailable'; error: string }
  | { type: 'written'; id: number; written: WrittenBatch }
  | { type: 'failed'; id: number; error: string }
  | { type: 'closed' };

/** What group commit needs of a writer: write a batch, resolve after its commit. */
export interface BatchWriter {
  write(steps: PreparedStep[]): Promise<Written[]>;
  /** False once the thread stopped (or was closed): write() would reject. */
  readonly alive: boolean;
  close(): Promise<void>;
}

/**
 * The worker's entry: next to the bundle that runs this code (dist/ledgerWriter.js), or, run from
 * source (tests, benches), the TypeScript file next to this one, loaded through tsx's CommonJS hook.
 */
export function writerEntry(dir = __dirname): { file: string; eval: boolean } {
  const built = join(dir, 'ledgerWriter.js');
  if (existsSync(built)) return { file: built, eval: false };
  const source = join(dir, 'ledgerWriterWorker.ts');
  if (existsSync(source)) return { file: `require('tsx/cjs'); require(${JSON.stringify(source)});`, eval: true };
  throw new Error(`the ledger's writer thread is not installed (no ${built})`);
}

export class LedgerWriterThread implements BatchWriter {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (w: Written[]) => void; reject: (e: Error) => void }>();
  private stopped: string | undefined;
  private closing: Promise<void> | undefined;

  private constructor(private readonly worker: Worker, private readonly onStop: (reason: string) => void) {
    worker.on('message', (m: WriterReply) => {
      if (m.type === 'written' || m.type === 'failed') {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.type === 'written') p.resolve(writtenOf(m.written));
        else p.reject(new Error(m.error));
      }
    });
    worker.on('error', (e) => this.stop(`the ledger's writer thread failed: ${e.message}`));
    worker.on('exit', (code) => this.stop(`the ledger's writer thread stopped (exit ${code})`));
  }

  /**
   * Start a writer thread on the ledger file `config.path` (it must exist: the gate's Ledger opened
   * and migrated it). Resolves once the thread has opened it; rejects with the reason otherwise.
   * `onStop` is told once if the thread dies later.
   */
  static start(config: WriterConfig, onStop: (reason: string) => void = () => {}, entry = writerEntry()): Promise<LedgerWriterThread> {
    return new Promise((resolve, reject) => {
      let worker: Worker;
      try {
        worker = new Worker(entry.file, { workerData: config, eval: entry.eval, execArgv: [] });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      const first = (m: WriterReply): void => {
        worker.off('message', first);
        worker.off('error', failed);
        if (m.type === 'ready') {
          // The thread never keeps the process alive on its own: whoever awaits a write does.
          worker.unref();
          resolve(new LedgerWriterThread(worker, onStop));
        }
        else {
          void worker.terminate();
          reject(new Error(m.type === 'unavailable' ? `the ledger's writer thread could not open ${config.path}: ${m.error}` : `unexpected first message ${m.type}`));
        }
      };
      const failed = (e: Error): void => {
        worker.off('message', first);
        reject(new Error(`the ledger's writer thread did not start: ${e.message}`));
      };
      worker.on('message', first);
      worker.once('error', failed);
    });
  }

  get alive(): boolean {
    return this.stopped === undefined;
  }

  write(steps: PreparedStep[]): Promise<Written[]> {
    if (this.stopped !== undefined) return Promise.reject(new Error(this.stopped));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'write', id, steps } satisfies WriterRequest);
    });
  }

  /** Let the thread answer what it was sent, close its connection and end. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    if (this.stopped !== undefined) return Promise.resolve();
    this.closing = new Promise<void>((resolve) => {
      // The thread answers what it was sent, closes its connection and ends (its port closed, nothing
      // left to run); a thread that does not end within 5 s is stopped.
      const stop = setTimeout(() => void this.worker.terminate(), 5000);
      // Whoever awaits the close waits for the thread's end.
      this.worker.ref();
      this.worker.once('exit', () => {
        clearTimeout(stop);
        resolve();
      });
      this.worker.postMessage({ type: 'close' } satisfies WriterRequest);
    });
    return this.closing;
  }

  private stop(reason: string): void {
    if (this.stopped !== undefined) return;
    this.stopped = reason;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(new Error(reason));
    if (!this.closing) this.onStop(reason);
  }
}
