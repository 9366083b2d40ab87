#!/usr/bin/env node
// `npm start`: build, package, and open a real VS Code with Airlock installed on a demo workspace.
//
//   1. desktop VS Code when `code`, `code-insiders` or `codium` is on PATH: an isolated instance
//      (its own user-data and extensions folders under .cache/e2e/start, so your own setup is
//      untouched), with the freshly packaged .vsix installed;
//   2. otherwise (or when that fails) code-server 4.117 from npm, set up on first use by
//      scripts/e2e-setup.mjs (no root, no system package but a C/C++ toolchain), at a printed
//      http://127.0.0.1:PORT address; Ctrl-C stops it;
//   3. when neither can start, it says exactly why and runs the terminal demo (`npm run demo`).
//
// Options: --code-server (use code-server even when `code` exists), --port N (default: a free
// port), --check (code-server: open the workbench in headless Chromium (from npm, see
// scripts/tools.mjs), wait for "Airlock started (armed)", let the scripted run show its approval, approve
// it in the page, save test-artifacts/start*.png, stop; the exit code says whether it worked; a
// fallback to the terminal demo is a failure here).
//
// Airlock runs with its own home (.cache/e2e/start/airlock-home: ledger, discovery, kill flag),
// never your ~/.airlock. The CLI demo that was `npm start` before is `npm run demo`.
//
// The scripted agent run (scripts/demo-run.ts: real Claude Code, scripted model, no internet) starts
// once the editor is up, with AIRLOCK_HOME, AIRLOCK_DEMO_WORKSPACE and AIRLOCK_DEMO_URL in its
// environment: `ls` allowed, an Edit of src/app.ts and `rm -rf build` checkpointed and run without
// a prompt (Undo in the run log), a `terraform destroy` denied by the workspace policy.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { e2ePaths, readSetupStamp, repoRoot } from './e2e-paths.mjs';
import { packageTarget } from './package-target.mjs';
import { chooseChromium } from './tools.mjs';

const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const portArg = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : undefined;
const P = e2ePaths();
const startDir = join(P.root, 'start');
const demoWs = join(startDir, 'shop');
const airlockHome = join(startDir, 'airlock-home');

function fail(msg) {
  console.error(`\nnpm start: ${msg}`);
  process.exit(1);
}

/** A regular executable file named cmd on PATH (what a shell would run), or undefined. */
function which(cmd) {
  for (const d of (process.env.PATH ?? '').split(':')) {
    if (!d) continue;
    const p = join(d, cmd);
    try {
      if (statSync(p).isFile() && (statSync(p).mode & 0o111) !== 0) return p;
    } catch { /* not here */ }
  }
  return undefined;
}

/**
 * A screenshot for the person checking (test-artifacts/NAME). On a loaded machine the renderer can
 * take long to produce one: wait up to 2 minutes, and never let a missing picture stop the check
 * itself (the functional checks decide the exit code; the missing file is reported).
 */
async function shot(page, name) {
  const path = join(repoRoot, 'test-artifacts', name);
  try {
    await page.screenshot({ path, timeout: 120_000 });
  } catch (e) {
    console.error(`  (no screenshot ${name}: ${String(e.message ?? e).split('\n')[0]})`);
  }
}

/** Why an editor could not start; main() collects these and falls back to the terminal demo. */
class CannotStart extends Error {}

/** The demo workspace: a small shop with a workspace policy (created once, kept between starts). */
const DEMO_POLICY = {
  version: 1,
  rules: [
    { id: 'no-terraform-destroy', match: { commands: ['terraform'], reversibility: ['irreversible'] }, decision: 'deny', reason: 'infrastructure is changed through the pipeline only' },
    { id: 'review-src', match: { kind: ['file'], effects: ['create', 'write', 'overwrite', 'delete'], reversibility: ['recoverable', 'irreversible', 'unknown'], paths: ['src/**'] }, decision: 'ask', reason: 'changes to src/ that Airlock cannot undo are reviewed by a person' },
  ],
  protectedPaths: ['migrations/**'],
};

function demoWorkspace() {
  // The demo's policy is part of the demo: refreshed on every start (the rest of the workspace is kept).
  if (existsSync(join(demoWs, '.airlock'))) writeFileSync(join(demoWs, '.airlock', 'policy.json'), JSON.stringify(DEMO_POLICY, null, 2) + '\n');
  if (existsSync(join(demoWs, '.airlock', 'policy.json'))) return;
  for (const d of ['src', 'build', 'migrations', '.airlock']) mkdirSync(join(demoWs, d), { recursive: true });
  writeFileSync(join(demoWs, 'README.md'), '# shop\n\nA demo workspace for Airlock. Ask an agent to change `src/app.ts`, clean `build/`, or drop a table.\n');
  writeFileSync(join(demoWs, 'src', 'app.ts'), 'export const price = 10;\n\nexport function total(qty: number): number {\n  return qty * price;\n}\n');
  writeFileSync(join(demoWs, 'build', 'app.js'), 'compiled\n');
  writeFileSync(join(demoWs, 'migrations', '001_orders.sql'), 'CREATE TABLE orders (id integer primary key, total integer);\n');
  writeFileSync(join(demoWs, '.env'), 'STRIPE_KEY=sk_live_demo\n');
  writeFileSync(join(demoWs, 'package.json'), '{"name":"shop","private":true,"scripts":{"test":"node --test"}}\n');
  writeFileSync(join(demoWs, '.airlock', 'policy.json'), JSON.stringify(DEMO_POLICY, null, 2) + '\n');
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(a.port));
    });
  });
}

function findLog(dir, pattern) {
  let out = '';
  const walk = (d) => {
    let es = [];
    try { es = readdirSync(d); } catch { return; }
    for (const e of es) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (pattern.test(p)) out += readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** Starts scripts/demo-run.ts (the scripted Claude Code run); resolves with its exit code (0 when there is none). */
function demoRunHook(env) {
  const script = join(repoRoot, 'scripts', 'demo-run.ts');
  if (!existsSync(script)) {
    console.log('  (no scripted agent run yet: scripts/demo-run.ts is the hook for it)');
    return Promise.resolve(0);
  }
  console.log('→ scripted agent run (scripts/demo-run.ts): an allowed step, an approval, a denial');
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: 'inherit', env });
  return new Promise((res) => child.on('close', (code) => {
    if (code !== 0) console.error(`  the scripted run exited with ${code}`);
    res(code ?? 1);
  }));
}

const settings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  // Airlock's own loopback servers (bridge, OTLP receiver) are not apps to forward.
  'remote.autoForwardPorts': false,
};

async function desktop(code) {
  console.log(`→ desktop VS Code (${code})`);
  const vsix = await packageTarget({ out: join(startDir, 'airlock-desktop.vsix'), native: 'as-is', target: `${process.platform}-${process.arch}` });
  const userData = join(startDir, 'desktop-user-data');
  const extensions = join(startDir, 'desktop-extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  if (!existsSync(join(userData, 'User', 'settings.json'))) writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const env = { ...process.env, AIRLOCK_HOME: airlockHome };
  const base = ['--user-data-dir', userData, '--extensions-dir', extensions];
  const inst = spawnSync(code, [...base, '--install-extension', vsix, '--force'], { stdio: 'inherit', env });
  if (inst.status !== 0) throw new CannotStart(`${code} --install-extension failed (${inst.status ?? inst.error?.message})`);
  const open = spawnSync(code, [...base, '--new-window', demoWs], { stdio: 'inherit', env });
  if (open.status !== 0) throw new CannotStart(`${code} ${demoWs} failed (${open.status ?? open.error?.message})`);
  console.log(`\nAirlock is installed in an isolated VS Code window on ${demoWs}.\n  Airlock home: ${airlockHome}`);
  await demoRunHook({ ...env, AIRLOCK_DEMO_WORKSPACE: demoWs });
}

async function codeServer() {
  if (!readSetupStamp(P)) {
    console.log('→ first run: installing Node 22 and code-server from npm into the cache (scripts/e2e-setup.mjs, a few minutes, progress below)');
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'e2e-setup.mjs')], { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) {
      process.stderr.write(r.stderr ?? '');
      const why = /FAILED: (.*)/.exec(r.stderr ?? '')?.[1] ?? `exit ${r.status ?? r.error?.message}`;
      throw new CannotStart(`setting up code-server failed: ${why}`);
    }
  }
  const vsix = await packageTarget({ out: join(startDir, 'airlock-linux-x64.vsix') });
  const userData = join(startDir, 'code-server-user-data');
  const extensions = join(startDir, 'code-server-extensions');
  const home = join(startDir, 'home');
  for (const d of [join(userData, 'User'), extensions, home]) mkdirSync(d, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const env = {
    ...process.env,
    PATH: `${join(P.nodePkg, 'bin')}:${process.env.PATH}`,
    AIRLOCK_HOME: airlockHome,
    // code-server keeps its own config under XDG folders: keep them in the cache, not in your home.
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
  };
  const base = ['--user-data-dir', userData, '--extensions-dir', extensions];
  const inst = spawnSync(P.nodeBin, [P.codeServerEntry, ...base, '--install-extension', vsix, '--force'], { encoding: 'utf8', env });
  if (inst.status !== 0 || !/successfully installed/i.test(inst.stdout + inst.stderr)) throw new CannotStart(`installing the extension into code-server failed:\n${inst.stdout}${inst.stderr}`);
  console.log('✓ Airlock installed into code-server');
  const port = portArg ?? (await freePort());
  rmSync(join(userData, 'logs'), { recursive: true, force: true });
  const server = spawn(P.nodeBin, [P.codeServerEntry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', ...base, demoWs], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  server.stdout.on('data', (c) => (output += c));
  server.stderr.on('data', (c) => (output += c));
  let exited;
  server.on('exit', (c) => (exited = c ?? 1));
  const stop = () => {
    try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
  };
  // Whatever way this process ends (an error included), code-server (its own process group) goes with it.
  process.on('exit', stop);
  process.on('SIGINT', () => { stop(); process.exit(130); });
  process.on('SIGTERM', () => { stop(); process.exit(143); });
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(demoWs)}`;
  for (let i = 0; ; i++) {
    if (exited !== undefined) throw new CannotStart(`code-server exited (${exited}):\n${output}`);
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break; } catch { /* not yet */ }
    if (i > 300) { stop(); throw new CannotStart(`code-server did not listen on port ${port}:\n${output}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  const envForRun = { ...env, AIRLOCK_DEMO_WORKSPACE: demoWs, AIRLOCK_DEMO_URL: url };
  if (flag('--check')) {
    const { chromium } = await import('playwright-core');
    const profile = join(startDir, 'chromium-profile');
    rmSync(profile, { recursive: true, force: true });
    const browser = await chooseChromium();
    if (browser.missing) { stop(); fail(`--check needs a browser: ${browser.missing}`); }
    console.log(`→ --check: driving the workbench with ${browser.source}`);
    const ctx = await chromium.launchPersistentContext(profile, { executablePath: browser.path, env: { ...process.env, ...browser.env }, headless: true, viewport: { width: 1400, height: 850 }, args: browser.args });
    let ok = false;
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(url);
      await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
      for (let i = 0; i < 120 && !ok; i++) {
        // "Airlock activated" comes when activate() returns; the gate is armed by the full start right after.
        ok = /Airlock started \(armed\)/.test(findLog(join(userData, 'logs'), /airlock-dev\.airlock\/.*\.log$/));
        if (!ok) await new Promise((r) => setTimeout(r, 500));
      }
      if (ok) {
        // The status bar item renders the gate's state once the gate host has started (when the build has one).
        await page.waitForSelector('[id$="airlock.status"]', { timeout: 30_000 }).catch(() => console.log('  (no Airlock status bar item in this build)'));
      }
      mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true });
      if (ok) {
        // The scripted run: its reversible steps are checkpointed and run without a prompt.
        const code = await demoRunHook({ ...envForRun, AIRLOCK_DEMO_CHECK: '1' });
        ok = code === 0;
        // The run log with the run that just happened.
        await page.keyboard.press('F1');
        await page.locator('.quick-input-widget .quick-input-box input').fill('>Airlock: Open Run Log');
        await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Open Run Log' }).first().click();
        const wv = page.frameLocator('iframe.webview').first().frameLocator('iframe#active-frame');
        await wv.locator('li.run').first().click({ timeout: 30_000 }).catch(() => console.error('  ✗ the run log shows no run'));
        await wv.locator('[data-seq]').nth(3).waitFor({ timeout: 30_000 }).catch(() => console.error('  ✗ the run log shows no steps'));
        await wv.locator('[data-seq] button[data-action="undo"]').first().waitFor({ timeout: 30_000 }).catch(() => {
          ok = false;
          console.error('  ✗ the run log shows no Undo on the checkpointed steps');
        });
      }
      await shot(page, 'start.png');
    } finally {
      await ctx.close();
      stop();
    }
    console.log(ok ? `✓ npm start --check: the workbench opened at ${url}, Airlock activated and armed its gate, the scripted run's reversible steps ran without a prompt with Undo in the run log, and the denial (test-artifacts/start.png)` : '✗ npm start --check failed (see above; test-artifacts/start.png)');
    process.exit(ok ? 0 : 1);
  }
  console.log(`\nAirlock is running in VS Code (code-server) — open this address in your browser:\n\n    ${url}\n\n  demo workspace: ${demoWs}\n  Airlock home:   ${airlockHome}\n  Ctrl-C stops it.`);
  // The scripted run starts once the window's gate is armed (demo-run waits for its discovery file).
  void demoRunHook(envForRun);
  await new Promise((r) => server.on('exit', r));
  if (exited) fail(`code-server exited (${exited}):\n${output.split('\n').slice(-20).join('\n')}`);
}

/** Neither editor could start: say why, then show the terminal demo (not a failure, except for --check). */
function terminalDemo(reasons) {
  console.error(`\nnpm start: no editor could start:\n${reasons.map((r) => `  - ${r}`).join('\n')}`);
  if (flag('--check')) fail('--check: falling back to the terminal demo counts as a failure');
  console.error('→ showing the terminal demo instead (npm run demo): the same gate, decisions printed in the terminal\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', '--silent', 'demo'], { cwd: repoRoot, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

async function main() {
  demoWorkspace();
  const reasons = [];
  // --check drives the page in a browser, which only code-server offers.
  const desktopCode = flag('--code-server') || flag('--check') ? undefined : ['code', 'code-insiders', 'codium'].map(which).find(Boolean);
  if (desktopCode) {
    try {
      return await desktop(desktopCode);
    } catch (e) {
      if (!(e instanceof CannotStart)) throw e;
      reasons.push(`desktop VS Code: ${e.message}`);
      console.error(`npm start: ${e.message}; trying code-server instead`);
    }
  } else if (!flag('--code-server') && !flag('--check')) {
    reasons.push('desktop VS Code: none of `code`, `code-insiders`, `codium` is on PATH');
  }
  try {
    return await codeServer();
  } catch (e) {
    if (!(e instanceof CannotStart)) throw e;
    reasons.push(`code-server: ${e.message}`);
  }
  terminalDemo(reasons);
}

main().catch((e) => fail(e.stack ?? String(e)));
