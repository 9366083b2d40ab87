/**
 * The hook shim runs once per agent tool call, so what its bundle loads is a start-up cost on every
 * call (bench: hook round trip vs `node -e 0`, target ratio <= 2). zod alone cost about 40 ms, so
 * the online path is zod-free: bundle src/cli/hookMain.ts as esbuild.config.mjs does and check its
 * inputs. The offline judge stays a separate bundle (dist/offline.js), loaded on demand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from '../support/gateway';

describe('dist/shim.js (the shim, loaded by dist/hook.js)', () => {
  it('bundles no zod, no action schemas, no classifiers, no policy loader', async () => {
    const r = await build({
      entryPoints: [join(ROOT, 'src', 'cli', 'hookMain.ts')],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode', 'better-sqlite3'],
      write: false,
      metafile: true,
      outfile: 'hook.js',
      logLevel: 'silent',
    });
    const inputs = Object.keys(r.metafile.inputs);
    const heavy = inputs.filter((p) => /node_modules\/zod\/|src\/core\/(action|judge)\.ts|src\/core\/classify\/|src\/core\/policy\/|src\/node\/(policyStore|offlineJudge|ledger|gate)\.ts/.test(p));
    assert.deepEqual(heavy, [], `the shim's online path loads: ${heavy.slice(0, 6).join(', ')}${heavy.length > 6 ? ` and ${heavy.length - 6} more` : ''}`);
    assert.ok(inputs.some((p) => p.endsWith('src/node/agents/shim.ts')), 'sanity: the shim itself is in the bundle');
    const bytes = r.outputFiles.find((f) => f.path.endsWith('hook.js'))!.contents.length;
    assert.ok(bytes < 200 * 1024, `hook.js is ${bytes} bytes`);
  });
});

describe('dist/hook.js (the installed command) only loads the shim', () => {
  it('bundles its own entry and the code cache loader, nothing else: the shim itself is dist/shim.js', async () => {
    const r = await build({
      entryPoints: [join(ROOT, 'src', 'cli', 'hookEntry.ts')],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['vscode', 'better-sqlite3'],
      write: false,
      metafile: true,
      outfile: 'hook.js',
      logLevel: 'silent',
    });
    assert.deepEqual(Object.keys(r.metafile.inputs).sort(), ['src/cli/codeCache.ts', 'src/cli/hookEntry.ts']);
  });
});

describe('bundles compiled through the code cache (dist/check.js, commands.js, offline.js, shim.js)', () => {
  it('hold no import(): a vm.Script has no loader for it (the build turns it into require)', async () => {
    const { readFileSync } = await import('node:fs');
    for (const f of ['check.js', 'commands.js', 'offline.js', 'shim.js', 'hook.js', 'cli.js']) {
      const text = readFileSync(join(ROOT, 'dist', f), 'utf8');
      // (A data: URL import is text of a script run by a separate node process, not this bundle's code.)
      const at = text.search(/(?<![\w$.])import\(\s*["'`](?!data:)/);
      assert.equal(at, -1, `dist/${f} calls import() at ${at}: ${text.slice(Math.max(0, at - 60), at + 40)} (run npm run build; see esbuild.config.mjs "supported")`);
    }
  });
});

describe('bundles loaded through the code cache loader are pre-wrapped', () => {
  it('dist/check.js, commands.js, shim.js, offline.js and vendor/zod.js start and end with the loader\'s wrapper', async () => {
    const { readFileSync } = await import('node:fs');
    const { WRAP_HEAD, WRAP_TAIL } = await import('../../src/cli/codeCache');
    for (const f of ['check.js', 'commands.js', 'offline.js', 'shim.js', join('vendor', 'zod.js')]) {
      const text = readFileSync(join(ROOT, 'dist', f), 'utf8');
      assert.ok(text.startsWith(WRAP_HEAD), `dist/${f} starts with the wrapper (esbuild.config.mjs WRAPPED = codeCache.ts WRAP_HEAD)`);
      assert.ok(text.replace(/\n\/\/# sourceMappingURL=\S+\n?$/, '').replace(/\n$/, '').endsWith(WRAP_TAIL), `dist/${f} ends with the wrapper`);
    }
  });

  it('a pre-wrapped bundle that is not one is refused, and the hook denies when its shim cannot be loaded', async () => {
    const { mkdtempSync, writeFileSync, copyFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { spawnSync } = await import('node:child_process');
    const { loadBundle } = await import('../../src/cli/codeCache');
    const dir = mkdtempSync(join(tmpdir(), 'airlock-wrap-'));
    try {
      writeFileSync(join(dir, 'plain.js'), 'module.exports = { x: 1 };\n');
      assert.throws(() => loadBundle(join(dir, 'plain.js'), undefined), /not a bundle built for Airlock's loader/);
      copyFileSync(join(ROOT, 'dist', 'hook.js'), join(dir, 'hook.js'));
      writeFileSync(join(dir, 'shim.js'), 'module.exports = {};\n');
      const payload = JSON.stringify({ session_id: 's', cwd: dir, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } });
      const r = spawnSync(process.execPath, [join(dir, 'hook.js'), 'hook', 'claude'], { input: payload, encoding: 'utf8', env: { PATH: process.env.PATH, AIRLOCK_HOME: join(dir, 'home') } });
      assert.equal(r.status, 2, r.stdout);
      assert.match(r.stderr, /not a bundle built for Airlock's loader.*denied/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dist/offline.js and dist/check.js load zod only when a schema is built', () => {
  const probe = (home: string, command: string): { decision: string; reasons: string[]; zod: boolean } => {
    // A fresh process: zod marks its first evaluation in globalThis.__zod_globalConfig.
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    const script = `
      const { loadBundle } = require(${JSON.stringify(join(ROOT, 'src', 'cli', 'codeCache.ts'))});
      const o = loadBundle(${JSON.stringify(join(ROOT, 'dist', 'offline.js'))}, undefined);
      const ws = ${JSON.stringify(home)};
      const a = o.readAction({ kind: 'shell', command: ${JSON.stringify(command)}, cwd: ws, workspaceRoots: [ws] });
      const d = o.judgeOffline(a.action, ws, [ws], { AIRLOCK_HOME: ws });
      process.stdout.write(JSON.stringify({ decision: d.decision, reasons: d.reasons, zod: globalThis.__zod_globalConfig !== undefined }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', cwd: ROOT, env: { PATH: process.env.PATH, AIRLOCK_CODE_CACHE: '0' } });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { decision: string; reasons: string[]; zod: boolean };
  };

  it('judging ls offline with no policy file evaluates no zod', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const home = mkdtempSync(join(tmpdir(), 'airlock-lazyzod-'));
    try {
      const r = probe(home, 'ls -la');
      assert.equal(r.decision, 'allow');
      assert.equal(r.zod, false, 'zod was evaluated to judge ls');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('with a policy file, zod is loaded from dist/vendor/zod.js and the policy applies', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const home = mkdtempSync(join(tmpdir(), 'airlock-lazyzod-'));
    try {
      writeFileSync(join(home, 'policy.json'), JSON.stringify({ version: 1, rules: [{ id: 'no-cat', match: { commands: ['cat'] }, decision: 'deny', reason: 'no cat here' }] }));
      const r = probe(home, 'cat notes.txt');
      assert.equal(r.zod, true);
      assert.equal(r.decision, 'deny');
      assert.ok(r.reasons.some((x) => /no cat here/.test(x)), r.reasons.join('; '));
      assert.equal(probe(home, 'ls').decision, 'allow');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('airlock check -- ls -la evaluates no zod; an action over the schema\'s limits is still refused', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { spawnSync } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'airlock-lazyzod-'));
    try {
      writeFileSync(join(dir, 'report.js'), 'process.on("exit", () => process.stderr.write(`zod=${globalThis.__zod_globalConfig !== undefined}\\n`));\n');
      const env = { PATH: process.env.PATH, HOME: dir, AIRLOCK_HOME: join(dir, 'home') };
      const ok = spawnSync(process.execPath, ['-r', join(dir, 'report.js'), join(ROOT, 'dist', 'cli.js'), 'check', '--', 'ls', '-la'], { encoding: 'utf8', cwd: dir, env });
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stderr, /zod=false/);
      const bad = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'check', '--cwd', `/${'d'.repeat(5000)}`, '--', 'ls'], { encoding: 'utf8', cwd: dir, env });
      assert.equal(bad.status, 2, bad.stdout);
      assert.match(bad.stderr, /invalid action: cwd: too long: expected at most 4096 characters/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('neither bundle carries a copy of zod of its own (one zod, in dist/vendor/zod.js)', async () => {
    const { readFileSync } = await import('node:fs');
    for (const f of ['offline.js', 'check.js']) assert.ok(!readFileSync(join(ROOT, 'dist', f), 'utf8').includes('__zod_globalConfig'), `dist/${f} bundles zod`);
    assert.ok(readFileSync(join(ROOT, 'dist', 'vendor', 'zod.js'), 'utf8').includes('__zod_globalConfig'));
  });
});

describe('the hook ends once its answer is written', () => {
  it('still writes the code caches at exit, and answers the same from them', async () => {
    const { mkdtempSync, readdirSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { spawnSync } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'airlock-exit-'));
    try {
      const payload = JSON.stringify({ session_id: 's', cwd: dir, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls -la' } });
      const run = () => spawnSync(process.execPath, [join(ROOT, 'dist', 'hook.js'), 'hook', 'claude'], { input: payload, encoding: 'utf8', cwd: dir, env: { PATH: process.env.PATH, AIRLOCK_HOME: join(dir, 'home') } });
      const first = run();
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /"permissionDecision":"allow"/);
      const cached = readdirSync(join(dir, 'home', 'cache'));
      assert.ok(cached.some((f) => f.startsWith('shim.js-')) && cached.some((f) => f.startsWith('offline.js-')), cached.join(', '));
      const second = run();
      assert.equal(second.status, 0, second.stderr);
      assert.equal(second.stdout, first.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the shim's code cache covers the paths calls took", () => {
  it('an offline call writes it; the first call that asks a gate writes it again with both paths; later calls leave it', async () => {
    const { readFileSync, statSync, readdirSync, rmSync, mkdirSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const { startServe, tempDir } = await import('../support/gateway');
    const dir = tempDir('airlock-cover-');
    const ws = join(dir, 'ws');
    mkdirSync(ws, { recursive: true });
    const env = { PATH: process.env.PATH, HOME: join(dir, 'userhome'), AIRLOCK_HOME: join(dir, 'home') };
    const call = (session: string) => {
      const payload = JSON.stringify({ session_id: session, cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls -la' } });
      const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'hook.js'), 'hook', 'claude'], { input: payload, encoding: 'utf8', cwd: ws, env });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /"permissionDecision":"allow"/);
    };
    const shimCache = () => {
      const f = readdirSync(join(dir, 'home', 'cache')).find((x) => x.startsWith('shim.js-') && x.endsWith('.v8'))!;
      const p = join(dir, 'home', 'cache', f);
      return { paths: readFileSync(`${p}.paths`, 'utf8').trim().split('\n'), mtime: statSync(p).mtimeMs, size: statSync(p).size };
    };
    try {
      call('s1'); // no gate: offline
      const first = shimCache();
      assert.deepEqual(first.paths, ['offline']);
      const serve = await startServe(['--ci', '--workspace', ws], env);
      try {
        call('s2'); // asks the gate
        const second = shimCache();
        assert.deepEqual(second.paths, ['offline', 'gate']);
        assert.ok(second.size > first.size, `the rewritten cache holds more (${first.size} -> ${second.size} bytes)`);
        call('s3');
        assert.equal(shimCache().mtime, second.mtime, 'a call on a covered path does not write it again');
      } finally {
        await serve.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
