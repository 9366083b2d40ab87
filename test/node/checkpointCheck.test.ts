/**
 * `airlock check` judges as the gate in that workspace would (the built CLI, a real workspace):
 * a workspace change the gate would checkpoint first is allowed with that said, and nothing is
 * written; `--no-snapshot` gives the verdict without a checkpoint; where the gate could not take
 * one (a nested repository, checkpoints off, git missing) the verdict is the one without, with the
 * reason; irreversible effects outside the workspace are stopped either way; `--jsonl` judges without,
 * and `--jsonl --as-gate` judges every line as plain `check` does.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fingerprint } from '../support/fingerprint';
import { runCli, tempDir } from '../support/gateway';

describe('airlock check and checkpoints', () => {
  const base = tempDir('airlock-cpcheck-');
  const ws = join(base, 'ws');
  const home = join(base, 'airlock');
  const env = { PATH: process.env.PATH, HOME: base, AIRLOCK_HOME: home };
  const check = (args: string[], e: NodeJS.ProcessEnv = env) => runCli(['check', '--cwd', ws, '--workspace', ws, '--json', ...args], e, '', ws);
  before(() => {
    mkdirSync(join(ws, 'src'), { recursive: true });
    writeFileSync(join(ws, 'src', 'a.ts'), 'a\n');
    mkdirSync(join(ws, 'vendor', 'dep'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: join(ws, 'vendor', 'dep') });
  });

  it('a workspace delete: allowed with the checkpoint the gate would take, nothing written; --no-snapshot asks', async () => {
    const print = fingerprint(ws);
    const r = await check(['--', 'rm', '-rf', 'src']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const d = JSON.parse(r.stdout) as { decision: string; rules: string[]; reasons: string[] };
    assert.ok(d.rules.includes('checkpoint.would-take'), r.stdout);
    assert.match(d.reasons.join('\n'), /checkpoint of 1 file/);
    assert.equal(existsSync(join(home, 'checkpoints')), false, 'check takes no checkpoint');
    assert.deepEqual(fingerprint(ws), print);
    const n = await check(['--no-snapshot', '--', 'rm', '-rf', 'src']);
    assert.equal(n.code, 3, n.stdout);
    assert.ok(!(JSON.parse(n.stdout) as { rules: string[] }).rules.some((x) => x.startsWith('checkpoint.')), n.stdout);
  });

  it('where the gate could not take one, the verdict is the one without, saying why', async () => {
    const nested = await check(['--', 'rm', '-rf', 'vendor']);
    assert.equal(nested.code, 3, nested.stdout);
    assert.match(nested.stdout, /nested repository or submodule/);
    assert.match(nested.stdout, /checkpoint\.failed\.not_snapshotable/);
    const off = await check(['--', 'rm', '-rf', 'src'], { ...env, AIRLOCK_CHECKPOINTS: 'off' });
    assert.equal(off.code, 3, off.stdout);
    assert.match(off.stdout, /checkpoint\.failed\.off/);
    const noGit = await check(['--', 'rm', '-rf', 'src'], { ...env, PATH: join(base, 'no-bin') });
    assert.equal(noGit.code, 3, noGit.stdout);
    assert.match(noGit.stdout, /checkpoint\.failed\.git_missing/);
  });

  it('irreversible effects outside the workspace are stopped with or without; --jsonl judges without a checkpoint', async () => {
    for (const flags of [[], ['--no-snapshot']]) {
      const r = await check([...flags, '--', 'rm', '-rf', join(base, 'elsewhere')]);
      assert.ok(r.code === 3 || r.code === 4, r.stdout);
      assert.ok(!r.stdout.includes('checkpoint.would-take'), r.stdout);
    }
    const j = await runCli(['check', '--jsonl', '--cwd', ws, '--workspace', ws], env, `${JSON.stringify({ id: 1, kind: 'shell', command: 'rm -rf src' })}\n`, ws);
    assert.equal(j.code, 0, j.stderr);
    assert.equal((JSON.parse(j.stdout) as { decision: string }).decision, 'ask');
  });

  it('--jsonl --as-gate judges each line as plain check does: with the checkpoint where one can be taken, without (and why) where not', async () => {
    const lines = ['rm -rf src', 'rm -rf vendor', `rm -rf ${join(base, 'elsewhere')}`, 'git status'].map((command, id) => JSON.stringify({ id, kind: 'shell', command })).join('\n');
    const print = fingerprint(ws);
    const j = await runCli(['check', '--jsonl', '--as-gate', '--cwd', ws, '--workspace', ws], env, `${lines}\n`, ws);
    assert.equal(j.code, 0, j.stderr);
    const out = j.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; decision: string; rules: string[] });
    assert.deepEqual(out.map((o) => o.decision), ['allow', 'ask', 'deny', 'allow']);
    assert.ok(out[0]!.rules.includes('checkpoint.would-take'));
    assert.ok(out[1]!.rules.includes('checkpoint.failed.not_snapshotable'));
    assert.deepEqual(fingerprint(ws), print, 'nothing written');
    assert.equal(existsSync(join(home, 'checkpoints')), false);
    const bad = await runCli(['check', '--as-gate', '--cwd', ws, '--', 'ls'], env, '', ws);
    assert.equal(bad.code, 2, bad.stdout);
    const both = await runCli(['check', '--jsonl', '--as-gate', '--no-snapshot'], env, '', ws);
    assert.equal(both.code, 2, both.stdout);
  });
});
