/**
 * Crash safety and "cannot record, so do not act" through a real `airlock serve`:
 * - a burst of hook requests from a second process, the gate killed with SIGKILL mid-burst: every
 *   step whose answer was received is in the ledger afterwards, and the chain and anchor verify;
 * - the ledger's file system full (RLIMIT_FSIZE on the gate process, so SQLite gets EFBIG exactly as
 *   on a full disk): mutating actions are denied with the reason, reads still pass.
 * Builds dist/ first.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { anchorPathFor, Ledger } from '../../src/node/ledger/ledger';
import { CLI, raw, ROOT, startServe, tempDir } from '../support/gateway';

const dir = tempDir('airlock-crash-');
const ws = join(dir, 'ws');
mkdirSync(ws, { recursive: true });
const envFor = (home: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, AIRLOCK_HOME: home, HOME: join(dir, "userhome") };
  delete env.AIRLOCK_DISCOVERY;
  return env;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (p: string): Array<{ i: number; stepId: string; runId: string; decision: string; rules: string[] }> =>
  existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)) : [];

describe('ledger crash safety (real serve, real SIGKILL)', () => {
  before(() => execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: ROOT, stdio: 'ignore' }));

  it('kill -9 mid-burst loses no answered step; the chain and the anchor verify on reopen', async () => {
    const home = join(dir, 'home-crash');
    const ledgerPath = join(dir, 'crash.sqlite');
    const out = join(dir, 'burst.jsonl');
    const s = await startServe(['--ci', '--ledger', ledgerPath, '--workspace', ws], envFor(home));
    const burst = spawn(process.execPath, [join(ROOT, 'test', 'support', 'burst.mjs'), s.ready.discovery, out, '5000', '8', ws], { stdio: ['ignore', 'ignore', 'pipe'] });
    let burstErr = '';
    burst.stderr!.on('data', (c: Buffer) => (burstErr += c.toString()));
    const burstDone = new Promise<number | null>((r) => burst.on('exit', (c) => r(c)));
    // Wait until a good part of the burst has been answered, then kill the gate without warning.
    const t0 = Date.now();
    while (lines(out).length < 300 && Date.now() - t0 < 60_000) await sleep(20);
    s.child.kill('SIGKILL');
    await s.exited;
    assert.equal(await burstDone, 0, burstErr);
    const answered = lines(out);
    assert.ok(answered.length >= 300, `only ${answered.length} answers before the kill`);
    assert.ok(answered.length < 5000, 'the kill landed mid-burst');
    assert.ok(existsSync(`${ledgerPath}-wal`) && statSync(`${ledgerPath}-wal`).size > 0, 'the gate died with a WAL to recover');

    // Reopen as the next start would: with the anchor.
    const l = Ledger.open(ledgerPath, { anchor: anchorPathFor(home, ledgerPath) });
    try {
      assert.equal(l.integrity.ok, true, JSON.stringify(l.integrity.problems));
      assert.ok(['matched', 'ahead'].includes(l.integrity.anchor.status));
      const ids = new Set(l.allSteps().map((r) => r.id));
      const lost = answered.filter((a) => !ids.has(a.stepId));
      assert.deepEqual(lost, [], `${lost.length} answered step(s) missing after the crash`);
      assert.ok(ids.size >= answered.length);
      // The secret in the written content was masked before storage.
      assert.ok(!l.allSteps().some((r) => /token=secret\d/.test(r.action_json ?? '')));
    } finally {
      l.close();
    }
  });

  it('ledger file system full: mutating actions are denied ("cannot record, so do not act"), reads pass', async () => {
    const home = join(dir, 'home-full');
    const ledgerPath = join(dir, 'full', 'ledger.sqlite');
    mkdirSync(join(dir, 'full'), { recursive: true });
    // RLIMIT_FSIZE = 256 KiB for the gate process (bash's ulimit -f counts KiB): once the WAL would
    // grow past it, write(2) fails with EFBIG, which SQLite reports as a full disk. SIGXFSZ is
    // ignored so the process lives on, as it does on a real full disk.
    const child = spawn('bash', ['-c', `trap '' XFSZ; ulimit -f 256; exec "${process.execPath}" "${CLI}" serve --ci --ledger "${ledgerPath}" --workspace "${ws}"`], { env: envFor(home), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise((r) => child.on('exit', r));
    const ready = await new Promise<{ bridge: string; discovery: string }>((resolve, reject) => {
      let o = '';
      child.stdout.on('data', (c: Buffer) => {
        o += c.toString();
        if (o.includes('\n')) resolve(JSON.parse(o.slice(0, o.indexOf('\n'))));
      });
      void exited.then(() => reject(new Error(`serve exited: ${stderr}`)));
    });
    const token = (JSON.parse(readFileSync(ready.discovery, 'utf8')) as { token: string }).token;
    const hook = async (i: number, action: Record<string, unknown>, tool: string) => {
      const r = await raw(ready.bridge, { path: '/v1/hook', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ agent: 'claude', event: 'pre', sessionId: 'full', toolName: tool, toolUseId: `tu-${i}`, action, deadlineMs: 10000, description: 'x'.repeat(3000) }) });
      assert.equal(r.status, 200, r.body);
      return JSON.parse(r.body) as { decision: string; rules: string[]; reasons: string[]; stepId: string };
    };
    let denied: { decision: string; rules: string[]; reasons: string[] } | undefined;
    let recorded = 0;
    for (let i = 0; i < 400 && !denied; i++) {
      const r = await hook(i, { kind: 'file', op: 'create', path: join(ws, `n${i}.txt`), cwd: ws, workspaceRoots: [ws], content: 'y'.repeat(2000) }, 'Write');
      if (r.rules.includes('ledger.unavailable')) denied = r;
      else {
        assert.equal(r.decision, 'allow', JSON.stringify(r));
        recorded++;
      }
    }
    assert.ok(denied, `the ledger never filled up: ${stderr.slice(-500)}`);
    assert.ok(recorded > 0, 'some steps were recorded before the disk filled');
    assert.equal(denied.decision, 'deny');
    assert.match(denied.reasons[0]!, /cannot record, so do not act/);
    assert.match(denied.reasons[0]!, /full|EFBIG|disk|I\/O/i);
    assert.match(stderr, /cannot record, so do not act/);
    const read = await hook(10_000, { kind: 'file', op: 'read', path: join(ws, 'n0.txt'), cwd: ws, workspaceRoots: [ws] }, 'Read');
    assert.equal(read.decision, 'allow', 'reads still pass while nothing can be recorded');
    child.kill('SIGKILL');
    await exited;
    // What was recorded before the disk filled is intact.
    const l = Ledger.open(ledgerPath, { readonly: true });
    try {
      assert.deepEqual(l.integrity.problems, []);
      assert.equal(l.integrity.steps, recorded);
    } finally {
      l.close();
    }
  });
});
