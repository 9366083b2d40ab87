/**
 * The checkpoint store (src/node/checkpoints/store.ts) on real git workspaces: the person's .git is
 * byte-identical afterwards, undo restores exact bytes and modes (and removes what the step
 * created), ignored files are left out unless targeted, nested repositories and symlinks leaving the
 * workspace are refused, a crash before the ref update leaves older checkpoints intact, a missing
 * git fails closed, and a ~10,000-file repository is checkpointed (first and later checkpoints).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CheckpointStore } from '../../src/node/checkpoints/store';
import { fingerprint } from '../support/fingerprint';
import { tempDir } from '../support/gateway';

const git = (cwd: string, ...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'gc.auto=0', '-c', 'maintenance.auto=false', ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });

function workspace(): { ws: string; home: string } {
  const base = tempDir('airlock-cp-');
  const ws = join(base, 'ws');
  mkdirSync(join(ws, 'src', 'lib'), { recursive: true });
  mkdirSync(join(ws, 'build'), { recursive: true });
  writeFileSync(join(ws, 'src', 'app.ts'), 'export const price = 10;\n');
  writeFileSync(join(ws, 'src', 'lib', 'util.ts'), 'export const x = 1;\n');
  writeFileSync(join(ws, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(ws, 'run.sh'), 0o755);
  writeFileSync(join(ws, 'secret.key'), 'k\n');
  chmodSync(join(ws, 'secret.key'), 0o600);
  writeFileSync(join(ws, 'build', 'out.js'), 'compiled\n');
  writeFileSync(join(ws, '.gitignore'), 'build/\n*.log\n');
  git(ws, 'init', '-q');
  git(ws, 'add', '-A');
  git(ws, 'commit', '-q', '-m', 'init');
  // Untracked and ignored files next to tracked ones.
  writeFileSync(join(ws, 'src', 'new.ts'), 'untracked\n');
  writeFileSync(join(ws, 'src', 'debug.log'), 'ignored\n');
  return { ws, home: join(base, 'home') };
}

describe('checkpoint store', () => {
  it('a folder deletion is checkpointed and undone with exact bytes and modes; the person’s .git is untouched', async () => {
    const { ws, home } = workspace();
    const before = fingerprint(join(ws, '.git'));
    const store = new CheckpointStore(home);
    const app = readFileSync(join(ws, 'src', 'app.ts'));
    const r = await store.take([join(ws, 'src'), join(ws, 'secret.key'), join(ws, 'run.sh')], [ws]);
    assert.ok(r.ok, JSON.stringify(r));
    // The step: delete src/, overwrite secret.key, chmod run.sh, create a file under src.
    rmSync(join(ws, 'src'), { recursive: true });
    mkdirSync(join(ws, 'src'));
    writeFileSync(join(ws, 'src', 'created.ts'), 'by the step\n');
    writeFileSync(join(ws, 'secret.key'), 'overwritten\n');
    chmodSync(join(ws, 'run.sh'), 0o644);
    assert.ok(await store.recordAfter(r.id));
    const plan = await store.plan(r.id);
    assert.ok(plan);
    assert.deepEqual(plan.conflicts, []);
    const byPath = Object.fromEntries(plan.changes.map((c) => [c.path, c.action]));
    assert.equal(byPath['src/app.ts'], 'recreate');
    assert.equal(byPath['src/new.ts'], 'recreate', 'untracked files are part of the checkpoint');
    assert.equal(byPath['src/debug.log'], undefined, 'ignored files inside a target are not');
    assert.equal(byPath['src/created.ts'], 'delete');
    assert.equal(byPath['secret.key'], 'restore');
    const u = await store.restore(r.id);
    assert.ok(u.ok, JSON.stringify(u));
    assert.equal(u.verified, true);
    assert.deepEqual(readFileSync(join(ws, 'src', 'app.ts')), app);
    assert.equal(readFileSync(join(ws, 'src', 'lib', 'util.ts'), 'utf8'), 'export const x = 1;\n');
    assert.equal(readFileSync(join(ws, 'src', 'new.ts'), 'utf8'), 'untracked\n');
    assert.equal(existsSync(join(ws, 'src', 'created.ts')), false);
    assert.equal(readFileSync(join(ws, 'secret.key'), 'utf8'), 'k\n');
    assert.equal(lstatSync(join(ws, 'secret.key')).mode & 0o7777, 0o600);
    assert.equal(lstatSync(join(ws, 'run.sh')).mode & 0o7777, 0o755);
    assert.deepEqual(fingerprint(join(ws, '.git')), before, 'the person’s .git is byte-identical');
    assert.equal(git(ws, 'status', '--porcelain'), '?? src/new.ts\n');
  });

  it('refuses to undo over changes made after the step (unless forced)', async () => {
    const { ws, home } = workspace();
    const store = new CheckpointStore(home);
    const r = await store.take([join(ws, 'src', 'app.ts')], [ws]);
    assert.ok(r.ok);
    writeFileSync(join(ws, 'src', 'app.ts'), 'step\n');
    await store.recordAfter(r.id);
    writeFileSync(join(ws, 'src', 'app.ts'), 'the person edited it\n');
    const u = await store.restore(r.id);
    assert.equal(u.ok, false);
    assert.equal(!u.ok && u.code, 'conflict');
    assert.match(!u.ok ? u.message : '', /src\/app\.ts/);
    assert.equal(readFileSync(join(ws, 'src', 'app.ts'), 'utf8'), 'the person edited it\n');
    const f = await store.restore(r.id, { force: true });
    assert.ok(f.ok);
    assert.equal(readFileSync(join(ws, 'src', 'app.ts'), 'utf8'), 'export const price = 10;\n');
  });

  it('an ignored target is taken when targeted directly; a file that did not exist is removed on undo', async () => {
    const { ws, home } = workspace();
    const store = new CheckpointStore(home);
    const r = await store.take([join(ws, 'build'), join(ws, 'src', 'later.ts')], [ws]);
    assert.ok(r.ok, JSON.stringify(r));
    rmSync(join(ws, 'build'), { recursive: true });
    writeFileSync(join(ws, 'src', 'later.ts'), 'new\n');
    await store.recordAfter(r.id);
    const u = await store.restore(r.id);
    assert.ok(u.ok, JSON.stringify(u));
    assert.equal(readFileSync(join(ws, 'build', 'out.js'), 'utf8'), 'compiled\n');
    assert.equal(existsSync(join(ws, 'src', 'later.ts')), false);
  });

  it('nested repositories, symlinks leaving the workspace, files over the cap and paths outside are not snapshotable', async () => {
    const { ws, home } = workspace();
    const store = new CheckpointStore(home, { maxFileBytes: 1000 });
    mkdirSync(join(ws, 'vendor', 'dep'), { recursive: true });
    git(join(ws, 'vendor', 'dep'), 'init', '-q');
    const nested = await store.take([join(ws, 'vendor')], [ws]);
    assert.equal(nested.ok, false);
    assert.match(!nested.ok ? nested.reason : '', /nested repository/);
    mkdirSync(join(ws, 'links'));
    symlinkSync('/etc/passwd', join(ws, 'links', 'pw'));
    const link = await store.take([join(ws, 'links')], [ws]);
    assert.match(!link.ok ? link.reason : '', /symlink pointing outside/);
    writeFileSync(join(ws, 'big.bin'), Buffer.alloc(2000));
    const big = await store.take([join(ws, 'big.bin')], [ws]);
    assert.match(!big.ok ? big.reason : '', /size cap/);
    const out = await store.take(['/etc/hosts'], [ws]);
    assert.match(!out.ok ? out.reason : '', /not inside a workspace root/);
    const dotgit = await store.take([join(ws, '.git', 'config')], [ws]);
    assert.match(!dotgit.ok ? dotgit.reason : '', /own \.git/);
  });

  it('what git leaves out (.gitignored, untracked) is not walked: a node_modules with a nested repository and a link out does not block the whole tree; targeted directly, it is walked and refused', async () => {
    const { ws, home } = workspace();
    writeFileSync(join(ws, '.gitignore'), 'build/\n*.log\nnode_modules/\n');
    git(ws, 'commit', '-q', '-am', 'ignore node_modules');
    mkdirSync(join(ws, 'node_modules', 'dep', 'lib'), { recursive: true });
    writeFileSync(join(ws, 'node_modules', 'dep', 'lib', 'index.js'), 'module.exports = 1;\n');
    git(join(ws, 'node_modules', 'dep'), 'init', '-q');
    symlinkSync('/etc/passwd', join(ws, 'node_modules', 'pw'));
    writeFileSync(join(ws, 'node_modules', 'huge.bin'), Buffer.alloc(5000));
    const { checkpointFeasible } = await import('../../src/node/checkpoints/feasible');
    const store = new CheckpointStore(home, { maxFileBytes: 1000 });
    const whole = await store.take([ws], [ws]);
    assert.ok(whole.ok, JSON.stringify(whole));
    const files = execFileSync('git', ['ls-tree', '-r', '--name-only', `refs/airlock/${whole.id}`], { env: { ...process.env, GIT_DIR: join(home, 'checkpoints', whole.id.slice(0, 12), 'git') }, encoding: 'utf8' }).split('\n').filter(Boolean);
    assert.ok(files.includes('src/app.ts') && files.includes('src/new.ts'));
    assert.equal(files.filter((f) => f.startsWith('node_modules/') || f.startsWith('build/') || f.endsWith('.log')).length, 0, 'ignored paths are not in the checkpoint');
    assert.equal(whole.files, files.length, 'the scan counted what git added');
    assert.equal(checkpointFeasible([ws], [ws], { maxFileBytes: 1000 }).ok, true, 'airlock check agrees');
    // The ignored folder targeted directly (rm -rf node_modules): all of it would be added, so all of it is checked.
    const direct = await store.take([join(ws, 'node_modules')], [ws]);
    assert.equal(direct.ok, false);
    assert.match(!direct.ok ? direct.reason : '', /nested repository|symlink pointing outside|size cap/);
    const inside = await store.take([join(ws, 'node_modules', 'dep')], [ws]);
    assert.match(!inside.ok ? inside.reason : '', /nested repository/, 'a folder inside an ignored one is added with force: checked too');
    const f = checkpointFeasible([join(ws, 'node_modules')], [ws], { maxFileBytes: 1000 });
    assert.equal(f.ok, false);
  });

  it('fails closed when git is missing', async () => {
    const { ws, home } = workspace();
    const store = new CheckpointStore(home, {}, '/nonexistent/git');
    const r = await store.take([join(ws, 'src', 'app.ts')], [ws]);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, 'git_missing');
  });

  it('a non-git workspace works; a kill -9 between objects and the ref leaves older checkpoints intact', async () => {
    const base = tempDir('airlock-cp-plain-');
    const ws = join(base, 'ws');
    mkdirSync(join(ws, 'docs'), { recursive: true });
    writeFileSync(join(ws, 'docs', 'a.md'), 'A\n');
    const store = new CheckpointStore(join(base, 'home'));
    const first = await store.take([join(ws, 'docs')], [ws]);
    assert.ok(first.ok, JSON.stringify(first));
    assert.equal(existsSync(join(ws, '.git')), false, 'no repository is created in the workspace');
    // A checkpoint process killed mid-way: objects written, no ref (simulated by a git that is killed after add).
    writeFileSync(join(ws, 'docs', 'a.md'), 'B\n');
    const slow = new CheckpointStore(join(base, 'home'), { timeoutMs: 1 });
    const killed = await slow.take([join(ws, 'docs')], [ws]);
    assert.equal(killed.ok, false);
    const list = await store.list();
    assert.deepEqual(list.map((c) => c.id), [first.id]);
    rmSync(join(ws, 'docs'), { recursive: true });
    const u = await store.restore(first.id, { force: true });
    assert.ok(u.ok, JSON.stringify(u));
    assert.equal(readFileSync(join(ws, 'docs', 'a.md'), 'utf8'), 'A\n');
    const s = await store.stats();
    assert.equal(s.checkpoints, 1);
    assert.ok(s.bytes > 0);
    assert.deepEqual(await store.clear(), { removed: 1 });
    assert.equal((await store.stats()).checkpoints, 0);
  });

  it('prunes by age and by total size', async () => {
    const { ws, home } = workspace();
    const store = new CheckpointStore(home, { maxAgeDays: 1 });
    const a = await store.take([join(ws, 'src', 'app.ts')], [ws]);
    const b = await store.take([join(ws, 'run.sh')], [ws]);
    assert.ok(a.ok && b.ok);
    assert.deepEqual(await store.prune(Date.now() + 2 * 86_400_000), { removed: 2 });
    const c = await store.take([join(ws, 'src')], [ws]);
    assert.ok(c.ok, JSON.stringify(c));
    const tiny = new CheckpointStore(home, { maxTotalBytes: 1 });
    const p = await tiny.prune();
    assert.equal(p.removed, 1);
    assert.equal((await store.list()).length, 0);
  });

  it('a ~10,000-file repository: the whole tree, then single files; .git unchanged', { timeout: 180_000 }, async () => {
    const base = tempDir('airlock-cp-big-');
    const ws = join(base, 'ws');
    for (let d = 0; d < 100; d++) {
      mkdirSync(join(ws, `pkg${d}`, 'src'), { recursive: true });
      for (let f = 0; f < 100; f++) writeFileSync(join(ws, `pkg${d}`, 'src', `f${f}.ts`), `export const v${d}_${f} = ${d * 100 + f};\n// ${'x'.repeat(f * 3)}\n`);
    }
    git(ws, 'init', '-q');
    git(ws, 'add', '-A');
    git(ws, 'commit', '-q', '-m', 'init');
    const dotgit = fingerprint(join(ws, '.git'));
    const store = new CheckpointStore(join(base, 'home'));
    const t0 = Date.now();
    const whole = await new CheckpointStore(join(base, 'home'), { timeoutMs: 170_000 }).take([ws], [ws]);
    const firstMs = Date.now() - t0;
    assert.ok(whole.ok, JSON.stringify(whole));
    assert.equal(whole.files, 10_000 + 0);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = Date.now();
      const r = await store.take([join(ws, `pkg${i}`, 'src', 'f1.ts')], [ws]);
      times.push(Date.now() - t);
      assert.ok(r.ok);
    }
    console.log(`# 10,000 files: first checkpoint (whole tree) ${firstMs} ms; later single-file checkpoints ${times.join(', ')} ms`);
    // A deletion of the whole tree and its undo.
    for (const d of readdirSync(ws)) if (d !== '.git') rmSync(join(ws, d), { recursive: true });
    const u = await store.restore(whole.id, { force: true });
    assert.ok(u.ok, JSON.stringify(u).slice(0, 500));
    assert.equal(u.restored.length, 10_000);
    assert.equal(u.verified, true);
    assert.equal(readFileSync(join(ws, 'pkg42', 'src', 'f7.ts'), 'utf8'), `export const v42_7 = ${4207};\n// ${'x'.repeat(21)}\n`);
    assert.deepEqual(fingerprint(join(ws, '.git')), dotgit);
    assert.equal(git(ws, 'status', '--porcelain'), '');
  });
});
