/**
 * A process that takes one checkpoint of a whole workspace and reports on stdout ("start", then
 * "done <id>"), so a test can SIGKILL it mid-way (test/node/checkpointsKill.test.ts).
 * Usage: node --import tsx checkpointChild.ts <airlockHome> <workspace>
 */
import { CheckpointStore } from '../../src/node/checkpoints/store';

const [home, ws] = process.argv.slice(2);
void (async () => {
  const store = new CheckpointStore(home!, { timeoutMs: 120_000 });
  process.stdout.write('start\n');
  const r = await store.take([ws!], [ws!]);
  process.stdout.write(r.ok ? `done ${r.id}\n` : `failed ${r.reason}\n`);
})();
