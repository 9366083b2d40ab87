/**
 * The scripted agent run `npm start` shows (scripts/start.mjs runs this once the editor is up):
 * the real Claude Code CLI, driven by a scripted model on loopback (no internet, no API key), works
 * on the demo workspace under the Airlock gate of the VS Code window that `npm start` opened:
 *
 *   1. `ls` and a Read of src/app.ts: allowed, no prompt;
 *   2. an Edit of src/app.ts (price 10 -> 12) and `rm -rf build`: the gate takes a checkpoint
 *      first, so they run without a prompt; the run log shows them with Undo;
 *   3. `terraform destroy -auto-approve`: denied by the workspace policy, no prompt (only what
 *      Airlock cannot undo ever asks).
 *
 * Environment (from start.mjs): AIRLOCK_HOME (the window's gate is found through its discovery
 * file there; AIRLOCK_DEMO_WAIT_MS: how long to wait for it, 10 minutes by default), AIRLOCK_DEMO_WORKSPACE. With AIRLOCK_DEMO_CHECK=1 (`npm start -- --check`, where the
 * page approves) the outcome is verified and the exit code says whether it was right.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDiscovery } from '../src/node/bridge/discovery';
import { isAlive } from '../src/node/gate/processTree';
import { CLI_JS, runClaude } from '../test/support/claudeRun';
import { ScriptedModel } from '../test/support/scriptedModel';

export const DEMO_APP_TS = 'export const price = 10;\n\nexport function total(qty: number): number {\n  return qty * price;\n}\n';

function fail(msg: string): never {
  console.error(`demo run: ${msg}`);
  process.exit(1);
}

/**
 * The window's own discovery file (newest), else the shared bridge.json it claims; only a file whose
 * gate process is alive (one left by an editor that was stopped names a port nobody listens on).
 */
function discovery(home: string): string | undefined {
  const dir = join(home, 'editors');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^\d+\.json$/.test(f)).map((f) => join(dir, f)) : [];
  files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return [...files, join(home, 'bridge.json')].find(gateAlive);
}

/** A valid discovery file whose gate process still runs. */
function gateAlive(file: string): boolean {
  const d = readDiscovery(file);
  return d.ok && isAlive(d.discovery.pid);
}

async function main(): Promise<void> {
  const home = process.env.AIRLOCK_HOME;
  const ws = process.env.AIRLOCK_DEMO_WORKSPACE;
  const check = process.env.AIRLOCK_DEMO_CHECK === '1';
  if (!home || !ws) fail('AIRLOCK_HOME and AIRLOCK_DEMO_WORKSPACE must be set (npm start sets them)');
  if (!existsSync(CLI_JS)) fail(`${CLI_JS} is missing: npm run build`);
  let disc: string | undefined;
  // The window's gate starts when the window opens (code-server starts an editor for a browser
  // that opens its address): wait for it, up to 10 minutes (AIRLOCK_DEMO_WAIT_MS), and say what is awaited.
  const waitMs = Number(process.env.AIRLOCK_DEMO_WAIT_MS ?? 10 * 60_000);
  const started = Date.now();
  let told = false;
  while (!(disc = discovery(home)) && Date.now() - started < waitMs) {
    if (!told && !check && Date.now() - started > 5000) {
      console.log('  (the scripted run waits for the VS Code window: open the address above in a browser)');
      told = true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!disc) fail(`no running Airlock gate found in ${home} after ${Math.round(waitMs / 1000)} s (is the VS Code window open and Airlock armed?)`);

  const app = join(ws, 'src', 'app.ts');
  writeFileSync(app, DEMO_APP_TS); // the demo edits it every time: start from the original
  const model = new ScriptedModel([
    { text: 'Let me look at the project first.', tools: [{ name: 'Bash', input: { command: 'ls', description: 'list the project' }, id: 'toolu_demo_ls' }] },
    { tools: [{ name: 'Read', input: { file_path: app }, id: 'toolu_demo_read' }] },
    { text: 'Raising the price to 12.', tools: [{ name: 'Edit', input: { file_path: app, old_string: 'export const price = 10;', new_string: 'export const price = 12;' }, id: 'toolu_demo_edit' }] },
    { text: 'Cleaning the build output.', tools: [{ name: 'Bash', input: { command: 'rm -rf build', description: 'clean the build output' }, id: 'toolu_demo_rm' }] },
    { text: 'Tearing down the staging stack.', tools: [{ name: 'Bash', input: { command: 'terraform destroy -auto-approve', description: 'clean up staging' }, id: 'toolu_demo_tf' }] },
    { text: 'Done: price raised and build cleaned (both can be undone from the run log); the terraform destroy was blocked by the workspace policy.' },
  ]);
  const agentHome = mkdtempSync(join(tmpdir(), 'airlock-demo-agent-'));
  // Connect Claude Code the way a user does (`airlock hooks install claude --scope project`): the
  // hook's timeout (120 s) outlasts the gate's approval deadline, so a person has time to answer.
  const inst = spawnSync(process.execPath, [CLI_JS, 'hooks', 'install', 'claude', '--scope', 'project', '--project', ws], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: agentHome, AIRLOCK_HOME: home } });
  if (inst.status !== 0) fail(`airlock hooks install claude failed: ${inst.stdout}${inst.stderr}`);
  const url = await model.start();
  console.log(`  scripted Claude Code run in ${ws} (model on ${url}, gate ${disc})`);
  if (!check) console.log('  → the edit and the clean-up run without a prompt (checkpointed): open the run log (Airlock: Open Run Log) for their Undo buttons.');
  try {
    const run = await runClaude({ cwd: ws, baseUrl: url, home: agentHome, airlockHome: home, hookCommand: null, env: { AIRLOCK_DISCOVERY: disc }, timeoutMs: 180_000, task: 'Raise the price to 12 and clean up staging.' });
    const tr = (id: string) => model.toolResult(id);
    const edited = readFileSync(app, 'utf8').includes('price = 12');
    const lines = [
      `ls: ${tr('toolu_demo_ls')?.is_error === false ? 'allowed' : 'NOT allowed'}`,
      `edit src/app.ts: ${edited ? 'applied without a prompt (checkpointed)' : `not applied (${(tr('toolu_demo_edit')?.text ?? 'no answer').slice(0, 160)})`}`,
      `rm -rf build: ${tr('toolu_demo_rm')?.is_error === false && !existsSync(join(ws, 'build')) ? 'ran without a prompt (checkpointed)' : 'NOT run'}`,
      `terraform destroy: ${tr('toolu_demo_tf')?.is_error ? `denied (${(tr('toolu_demo_tf')?.text ?? '').slice(0, 160)})` : 'NOT denied'}`,
    ];
    for (const l of lines) console.log(`  ${l}`);
    if (check) {
      if (run.timedOut) fail('Claude Code timed out');
      if (tr('toolu_demo_ls')?.is_error !== false) fail('ls was not allowed');
      if (!edited) fail('the checkpointed edit was not applied');
      if (tr('toolu_demo_rm')?.is_error !== false) fail('rm -rf build (checkpointed) did not run');
      if (!tr('toolu_demo_tf')?.is_error || !/pipeline/.test(tr('toolu_demo_tf')?.text ?? '')) fail('terraform destroy was not denied by the workspace policy');
      console.log('  ✓ demo run: allowed, checkpointed without a prompt, denied as expected');
    }
  } finally {
    await model.close();
    rmSync(agentHome, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => fail((e as Error).stack ?? String(e)));
