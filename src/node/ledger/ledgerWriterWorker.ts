/**
 * The ledger's writer thread (a worker_threads entry; dist/ledgerWriter.js in a build). It owns one
 * connection to the ledger file and runs each batch of prepared steps (stepWrite.ts: masked,
 * serialised, id given, hash parts written) in one immediate transaction: the chain head and run
 * sequences are read as committed, each row hashed and inserted, then the commit. It answers a batch
 * only after its commit, with what the transaction added (seq, place, hashes: stepWrite.WrittenBatch) or the error; a
 * failed batch wrote nothing. The thread that masks (ledgerWriter.ts) never waits on SQLite.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './sqlite';
import { prepareWriteStatements, writePrepared, writerPragmas } from './stepWrite';
import type { WriterConfig, WriterReply, WriterRequest } from './ledgerWriter';

const port = parentPort;
if (!port) throw new Error('ledgerWriterWorker runs as a worker thread only');
const config = workerData as WriterConfig;
let db: ReturnType<typeof openSqlite> | undefined;
try {
  db = openSqlite(config.path, { fileMustExist: true });
  writerPragmas(db, config.durability);
  const st = prepareWriteStatements(db);
  const open = db;
  port.on('message', (m: WriterRequest) => {
    if (m.type === 'close') {
      open.close();
      port.postMessage({ type: 'closed' } satisfies WriterReply);
      // Every batch sent before the close has its answer: the thread ends itself (in a worker,
      // process.exit ends this thread only).
      process.exit(0);
      return;
    }
    try {
      const written = open.transaction(() => writePrepared(st, m.steps)).immediate();
      // Three typed arrays, their buffers transferred: no per-row objects or hex strings to copy.
      port.postMessage({ type: 'written', id: m.id, written } satisfies WriterReply, [written.seq.buffer as ArrayBuffer, written.at.buffer as ArrayBuffer, written.hashes.buffer as ArrayBuffer]);
    } catch (e) {
      port.postMessage({ type: 'failed', id: m.id, error: (e as Error).message } satisfies WriterReply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies WriterReply);
} catch (e) {
  db?.close();
  port.postMessage({ type: 'unavailable', error: (e as Error).message } satisfies WriterReply);
}
