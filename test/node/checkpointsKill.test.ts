/**
 * A process taking a checkpoint is SIGKILLed mid-way (while git writes the objects, or at a
 * random moment), as a whole process group or only the Node process (its git then finishes as an
 * orphan). The store reopens consistent: the half checkpoint is not listed and cannot be undone to,
 * the older checkpoint restores exact bytes, the shadow repository passes `git fsck`, the dead
 * writer's temporary files are removed, and new checkpoints work.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CheckpointStore } from '../../src/node/checkpoints/store';
import { tempDir } from '../support/gateway';

const ROOT = join(__dirname, '..', '..');
const CHILD = join(ROOT, 'test', 'support', 'checkpointChild.ts');

function workspace(files: number): string {
  const ws = join(tempDir('airlock-cpkill-'), 'ws');
  for (let i = 0; i < files; i++) {
    const d = join(ws, `pkg${i % 40}`);
    if (i < 40) mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `f${i}.ts`), `export const v${i} = ${i};\n// ${'y'.repeat((i * 53) % 900)}\n`);
  }
  return ws;
}

const shadowOf = (home: string): string => {
  const key = readdirSync(join(home, 'checkpoints')).find((k) => /^[0-9a-f]{12}$/.test(k))!;
  return join(home, 'checkpoints', key);
};

function leftovers(shadow: string): string[] {
  const packDir = join(shadow, 'git', 'objects', 'pack');
  const tmp = join(shadow, 'tmp');
  return [...(existsSync(packDir) ? readdirSync(packDir).filter((f) => f.startsWith('tmp_')) : []), ...(existsSync(tmp) ? readdirSync(tmp) : [])];
}

/** Start the child; resolve once `ready` says the checkpoint is mid-way (or the child finished first). */
function startAndWait(home: string, ws: string, ready: (shadow: string, sinceStartMs: number) => boolean): Promise<{ child: ChildProcess; out: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', CHILD, home, ws], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let started = 0;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!started && out.includes('start')) started = Date.now();
    });
    child.on('error', reject);
    const timer = setInterval(() => {
      if (out.includes('done') || out.includes('failed')) {
        clearInterval(timer);
        resolve({ child, out: () => out });
        return;
      }
      if (!started) return;
      let shadow = '';
      try {
        shadow = shadowOf(home);
      } catch {
        /* not created yet */
      }
      if (shadow && ready(shadow, Date.now() - started)) {
        clearInterval(timer);
        resolve({ child, out: () => out });
      }
    }, 2);
  });
}

const exited = (c: ChildProcess): Promise<void> => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

describe('checkpoints survive a SIGKILL mid-way', () => {
  const cases: Array<{ name: string; group: boolean; ready: (shadow: string, ms: number) => boolean }> = [
    { name: 'the process group, while git streams the objects into the pack', group: true, ready: (s) => leftovers(s).some((f) => f.startsWith('tmp_pack')) },
    { name: 'only the Node process, while git streams the objects (git finishes as an orphan)', group: false, ready: (s) => leftovers(s).some((f) => f.startsWith('tmp_pack')) },
    { name: 'the process group, while the private index is being written', group: true, ready: (s) => leftovers(s).some((f) => f.endsWith('.lock')) },
    { name: 'the process group, 150 ms after the checkpoint started', group: true, ready: (_s, ms) => ms >= 150 },
  ];
  for (const c of cases) {
    it(c.name, { timeout: 240_000 }, async () => {
      const ws = workspace(3000);
      const home = join(ws, '..', 'home');
      // The checkpoint an undo may use later: one file, before it is changed.
      const store0 = new CheckpointStore(home);
      const before = await store0.take([join(ws, 'pkg1', 'f1.ts')], [ws]);
      assert.ok(before.ok, JSON.stringify(before));
      const original = readFileSync(join(ws, 'pkg1', 'f1.ts'));
      writeFileSync(join(ws, 'pkg1', 'f1.ts'), 'changed by the step\n');
      assert.ok(await store0.recordAfter(before.id));

      const { child, out } = await startAndWait(home, ws, c.ready);
      const finished = /done|failed/.test(out());
      if (!finished) process.kill(c.group ? -child.pid! : child.pid!, 'SIGKILL');
      await exited(child);
      assert.equal(finished, false, `the kill came after the checkpoint finished (${out().trim()}); the case did not test a kill mid-way`);
      assert.equal(child.signalCode, 'SIGKILL');
      if (!c.group) await new Promise((r) => setTimeout(r, 3000)); // the orphaned git finishes or dies on its own

      // Reopen in a new store (a new process would do the same): the half checkpoint is not there.
      const store = new CheckpointStore(home, { timeoutMs: 120_000 });
      const ids = (await store.list()).map((x) => x.id);
      assert.deepEqual(ids, [before.id], 'only the complete checkpoint is listed');
      // The dead writer's temporary files go at the repository's first use: its private index at
      // once (its process is gone), temporary packs once older than a git call may take (aged here).
      const shadow = shadowOf(home);
      const old = new Date(Date.now() - 600_000);
      for (const f of readdirSync(join(shadow, 'git', 'objects', 'pack')).filter((x) => x.startsWith('tmp_'))) utimesSync(join(shadow, 'git', 'objects', 'pack', f), old, old);
      const again = await store.take([ws], [ws]);
      assert.ok(again.ok, JSON.stringify(again));
      assert.deepEqual(leftovers(shadowOf(home)), [], 'no temporary files of the killed writer remain');
      const fsck = execFileSync('git', ['fsck', '--full', '--no-dangling', '--no-progress'], { env: { PATH: process.env.PATH, GIT_DIR: join(shadowOf(home), 'git'), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }, encoding: 'utf8' });
      assert.equal(fsck.trim(), '', 'the shadow repository is consistent');
      // The older checkpoint still undoes exactly, and the new one is complete.
      const u = await store.restore(before.id);
      assert.ok(u.ok && u.verified, JSON.stringify(u));
      assert.deepEqual(readFileSync(join(ws, 'pkg1', 'f1.ts')), original);
      const info = await store.get(again.id);
      assert.equal(info?.files, 3000);
    });
  }

  it('a prune while another live process is mid-checkpoint keeps its objects and removes nothing for size; once it is gone, prune collects', { timeout: 120_000 }, async () => {
    const ws = workspace(200);
    const home = join(ws, '..', 'home');
    const store = new CheckpointStore(home, { maxTotalBytes: 1 });
    const a = await store.take([join(ws, 'pkg1')], [ws]);
    assert.ok(a.ok, JSON.stringify(a));
    const shadow = shadowOf(home);
    // A live process between writing objects and its ref update: its busy marker, and an unreachable blob.
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    const marker = join(shadow, 'tmp', `busy-${other.pid}-00000000`);
    writeFileSync(marker, '');
    const env = { PATH: process.env.PATH, GIT_DIR: join(shadow, 'git'), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { env, input: 'objects of a checkpoint in progress\n', encoding: 'utf8' }).trim();
    try {
      const r = await store.prune();
      assert.equal(r.removed, 0, 'nothing is removed for size while the space cannot be freed');
      assert.deepEqual((await store.list()).map((c) => c.id), [a.id]);
      execFileSync('git', ['cat-file', '-e', blob], { env });
    } finally {
      other.kill('SIGKILL');
      await exited(other);
    }
    // The writer is gone (killed): its marker is a leftover; the next prune collects and then prunes for size.
    const again = new CheckpointStore(home, { maxTotalBytes: 1 });
    again.recover();
    assert.equal(existsSync(marker), false);
    const r2 = await again.prune();
    assert.equal(r2.removed, 1);
    assert.throws(() => execFileSync('git', ['cat-file', '-e', blob], { env, stdio: 'ignore' }));
  });
});
