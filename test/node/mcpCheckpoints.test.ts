/**
 * Airlock's own MCP server (`airlock mcp`, the built dist/cli.js with its in-process gate) makes
 * workspace changes reversible before they run, like the hook path through the gate host: a file
 * overwrite, a delete and a shell delete in a real git workspace run without a prompt (headless:
 * a prompt would be a denial), each step carries its checkpoint id in the ledger, `airlock undo
 * <step>` brings back the exact bytes and modes, the person's `.git` is byte-identical, and where
 * no checkpoint can be taken (a nested repository, a file over the size cap) the call asks, which
 * headless means it is not carried out. Driven by the official MCP SDK client.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempDir } from '../support/gateway';
import { cleanEnv, connectAirlock, envelopeOf, openDb, type McpSession } from '../support/mcp';

const dir = tempDir('airlock-mcpcp-');
const home = join(dir, 'home');
const airlockHome = join(dir, 'airlock');
const ws = join(dir, 'ws');
const ledger = join(airlockHome, 'ledger.sqlite');
const env = cleanEnv(home, airlockHome);
const sha = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

/** Every file under the person's .git with its bytes' hash and mode (byte-identical before and after). */
function treeHash(d: string): string {
  const out: string[] = [];
  const walk = (p: string): void => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const f = join(p, e.name);
      if (e.isDirectory()) walk(f);
      else out.push(`${relative(d, f)} ${statSync(f).mode.toString(8)} ${sha(readFileSync(f))}`);
    }
  };
  walk(d);
  return sha(out.sort().join('\n'));
}

interface Row {
  id: string;
  tool: string;
  event: string;
  decision: string;
  checkpoint: string | null;
  rules_json: string;
  action_json: string | null;
}
function rows(): Row[] {
  const db = openDb(ledger);
  try {
    return db.prepare('SELECT id, tool, event, decision, checkpoint, rules_json, action_json FROM steps ORDER BY rowid').all() as Row[];
  } finally {
    db.close();
  }
}

let s: McpSession;
let gitBefore = '';
before(async () => {
  mkdirSync(join(ws, 'src'), { recursive: true });
  mkdirSync(join(ws, 'docs'), { recursive: true });
  writeFileSync(join(ws, 'src', 'app.ts'), 'export const answer = 41;\n');
  writeFileSync(join(ws, 'src', 'util.ts'), 'export const twice = (n: number) => n * 2;\n');
  writeFileSync(join(ws, 'docs', 'guide.md'), '# Guide\n\nRead me.\n');
  writeFileSync(join(ws, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(ws, 'run.sh'), 0o755);
  writeFileSync(join(ws, 'secret.env'), 'TOKEN=abc\n');
  chmodSync(join(ws, 'secret.env'), 0o600);
  const git = (...a: string[]): void => void execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: ws, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  writeFileSync(join(ws, 'docs', 'untracked.md'), 'not committed yet\n');
  gitBefore = treeHash(join(ws, '.git'));
  s = await connectAirlock(['--workspace', ws, '--gate', 'local', '--ask-timeout-ms', '20000'], env);
});
after(async () => {
  await s?.close();
});

const undo = async (step: string, ...more: string[]): Promise<Record<string, unknown>> => {
  const r = await runCli(['undo', step, '--ask-timeout-ms', '20000', ...more], { ...env }, '', ws);
  assert.ok(r.stdout.trim(), `airlock undo printed nothing: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

describe('airlock mcp takes a checkpoint before a workspace change (official MCP client, real git workspace)', () => {
  it('an overwrite runs without a prompt, its step carries the checkpoint, airlock undo brings the bytes back', async () => {
    const path = join(ws, 'src', 'app.ts');
    const old = readFileSync(path);
    const e = envelopeOf(await s.client.callTool({ name: 'write_file', arguments: { path, content: 'export const answer = 42;\n', expectedSha256: sha(old) } }));
    assert.equal(e.ok, true, JSON.stringify(e));
    assert.equal(e.decision?.decision, 'allow');
    assert.ok(e.decision?.rules.includes('checkpoint.taken'), JSON.stringify(e.decision));
    assert.equal(readFileSync(path, 'utf8'), 'export const answer = 42;\n');
    const pre = rows().find((r) => r.id === e.decision!.stepId)!;
    assert.equal(pre.tool, 'write_file');
    assert.match(pre.checkpoint ?? '', /^[0-9a-f]{12}-[0-9a-z]+-[0-9a-f]{8}$/, 'the ledger step carries the checkpoint id');
    const u = await undo(e.decision!.stepId);
    assert.equal(u.ok, true, JSON.stringify(u));
    assert.deepEqual(readFileSync(path), old);
    const undoRow = rows().find((r) => r.id === u.undoStepId);
    assert.equal(undoRow?.tool, 'checkpoint_undo', 'the undo is a step of its own');
    assert.equal(undoRow?.decision, 'allow');
  });

  it('a delete and a shell delete of a folder run without a prompt; undo restores exact bytes and modes, untracked files included', async () => {
    const secret = join(ws, 'secret.env');
    const d = envelopeOf(await s.client.callTool({ name: 'delete_file', arguments: { path: secret } }));
    assert.equal(d.ok, true, JSON.stringify(d));
    assert.ok(d.decision?.rules.includes('checkpoint.taken'));
    assert.equal(existsSync(secret), false);

    const guide = readFileSync(join(ws, 'docs', 'guide.md'));
    const r = envelopeOf(await s.client.callTool({ name: 'run_shell', arguments: { command: 'rm -rf docs run.sh' } }));
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.decision?.decision, 'allow');
    assert.ok(r.decision?.rules.includes('checkpoint.taken'), JSON.stringify(r.decision));
    assert.equal(existsSync(join(ws, 'docs')), false);
    assert.equal(existsSync(join(ws, 'run.sh')), false);
    assert.ok(rows().find((x) => x.id === r.decision!.stepId)?.checkpoint);

    const u1 = await undo(r.decision!.stepId);
    assert.equal(u1.ok, true, JSON.stringify(u1));
    assert.deepEqual(readFileSync(join(ws, 'docs', 'guide.md')), guide);
    assert.equal(readFileSync(join(ws, 'docs', 'untracked.md'), 'utf8'), 'not committed yet\n', 'untracked files come back too');
    assert.equal(statSync(join(ws, 'run.sh')).mode & 0o777, 0o755);
    const u2 = await undo(d.decision!.stepId);
    assert.equal(u2.ok, true, JSON.stringify(u2));
    assert.equal(readFileSync(secret, 'utf8'), 'TOKEN=abc\n');
    assert.equal(statSync(secret).mode & 0o777, 0o600, 'exact permission bits');
  });

  it('fails closed: where no checkpoint can be taken (a nested repository), the call asks and, headless, nothing runs', async () => {
    const vendor = join(ws, 'vendor', 'lib');
    mkdirSync(vendor, { recursive: true });
    writeFileSync(join(vendor, 'x.c'), 'int x;\n');
    execFileSync('git', ['init', '-q'], { cwd: vendor });
    const r = envelopeOf(await s.client.callTool({ name: 'run_shell', arguments: { command: 'rm -rf vendor' } }));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.code, 'denied');
    // Asked, and nobody approved (headless): denied at the deadline.
    assert.equal(r.decision?.decision, 'deny');
    assert.ok(r.decision?.rules.includes('approval.none'), JSON.stringify(r.decision));
    assert.ok(r.decision?.rules.some((x) => x.startsWith('checkpoint.failed.not_snapshotable')), JSON.stringify(r.decision));
    assert.match(r.error.message, /could not take a checkpoint.*nested repository/);
    assert.equal(readFileSync(join(vendor, 'x.c'), 'utf8'), 'int x;\n');
    assert.equal(rows().find((x) => x.id === r.decision!.stepId)?.checkpoint, null);
  });

  it("the person's .git is byte-identical after checkpoints and undos", () => {
    assert.equal(treeHash(join(ws, '.git')), gitBefore);
  });
});

describe('airlock mcp with a checkpoint size cap', () => {
  it('a file over the cap is not snapshotable: the delete asks (headless: not carried out)', async () => {
    const big = join(ws, 'big.bin');
    writeFileSync(big, Buffer.alloc(4096, 7));
    const capped = await connectAirlock(['--workspace', ws, '--gate', 'local', '--ask-timeout-ms', '20000'], { ...env, AIRLOCK_CHECKPOINT_MAX_FILE_MB: '0.001' });
    try {
      const r = envelopeOf(await capped.client.callTool({ name: 'delete_file', arguments: { path: big } }));
      assert.equal(r.ok, false, JSON.stringify(r));
      assert.equal(r.decision?.decision, 'deny');
      assert.ok(r.decision?.rules.includes('approval.none') && r.decision.rules.includes('checkpoint.failed.not_snapshotable'), JSON.stringify(r.decision));
      assert.match(r.ok ? '' : r.error.message, /larger than the checkpoint size cap/);
      assert.equal(statSync(big).size, 4096);
    } finally {
      await capped.close();
    }
  });
});

describe("the editor's language model tools preview as the gate judges (checkpoints on)", () => {
  it('a workspace delete is previewed as allowed without a confirmation, then runs with its checkpoint; outside the workspace it is not made reversible', async () => {
    const prevHome = process.env.HOME;
    process.env.HOME = tempDir('airlock-mcpcp-lmhome-');
    const root = tempDir('airlock-mcpcp-lm-');
    const lmWs = join(root, 'ws');
    mkdirSync(lmWs, { recursive: true });
    writeFileSync(join(lmWs, 'keep.txt'), 'keep me\n');
    const { GateHost } = await import('../../src/node/gate/gateHost');
    const { EditorTools } = await import('../../src/node/mcp/lmTools');
    const host = new GateHost({ home: join(root, 'home'), workspaceRoots: [lmWs], log: () => undefined, watchIntervalMs: 100 });
    await host.start();
    const tools = new EditorTools({ home: join(root, 'home'), workspaceRoots: [lmWs], gate: () => host.currentGate(), log: () => undefined, askTimeoutMs: 20_000 });
    try {
      const v = await tools.prepare('airlock_delete_file', { path: 'keep.txt' });
      assert.equal(v.preview.kind === 'judged' && v.preview.decision, 'allow', JSON.stringify(v.preview));
      assert.ok(v.preview.kind === 'judged' && v.preview.rules.includes('checkpoint.would-take'));
      assert.equal(v.confirmation, undefined, 'no inline confirmation for a change the gate makes reversible');
      assert.equal(readFileSync(join(lmWs, 'keep.txt'), 'utf8'), 'keep me\n', 'the preview changes nothing');
      const e = await tools.invoke('airlock_delete_file', { path: 'keep.txt' });
      assert.equal(e.ok, true, JSON.stringify(e));
      assert.ok(e.decision?.rules.includes('checkpoint.taken'));
      assert.equal(existsSync(join(lmWs, 'keep.txt')), false);
      mkdirSync(join(process.env.HOME!, 'notes'));
      const outside = join(process.env.HOME!, 'notes', 'mine.txt');
      writeFileSync(outside, 'mine\n');
      const o = await tools.prepare('airlock_delete_file', { path: outside });
      assert.ok(o.preview.kind === 'judged' && o.preview.decision !== 'allow' && !o.preview.rules.some((r) => r.startsWith('checkpoint.')), `outside the workspace nothing is checkpointed: ${JSON.stringify(o.preview)}`);
    } finally {
      tools.close();
      await host.dispose();
      process.env.HOME = prevHome;
    }
  });
});

describe('airlock mcp prunes old checkpoints when it starts, at most once an hour (agents start one per session)', () => {
  it('checkpoints past the age limit are gone shortly after a server starts; a start within the hour prunes nothing', async () => {
    const { CheckpointStore } = await import('../../src/node/checkpoints/store');
    const { utimesSync } = await import('node:fs');
    const store = new CheckpointStore(airlockHome, {});
    const stamp = join(store.dir, 'last-prune');
    const before = await store.list();
    assert.ok(before.length >= 2, `the tests above left checkpoints (${before.length})`);
    const tiny = { ...env, AIRLOCK_CHECKPOINT_MAX_AGE_DAYS: String(1 / 86_400) }; // ~1 s
    const young = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    // A prune ran a minute ago: a new server leaves everything, even past a ~1 s age limit.
    utimesSync(stamp, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const early = await connectAirlock(['--workspace', ws, '--gate', 'local'], tiny);
    await new Promise((r) => setTimeout(r, 1500));
    await early.close();
    assert.equal((await store.list()).length, before.length, 'no prune within the hour');
    // The last prune two hours ago: the next server prunes everything older than the limit.
    utimesSync(stamp, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
    const pruning = await connectAirlock(['--workspace', ws, '--gate', 'local'], tiny);
    try {
      let left = before.length;
      for (let i = 0; i < 100 && left > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        left = (await store.list()).filter((c) => Date.parse(c.createdAt) < young).length;
      }
      assert.equal(left, 0, 'every checkpoint older than the limit was pruned');
      assert.ok(Date.now() - statSync(stamp).mtimeMs < 60_000, 'the prune was stamped');
    } finally {
      await pruning.close();
    }
  });
});
