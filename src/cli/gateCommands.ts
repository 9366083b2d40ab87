/**
 * `airlock serve` (the headless gate), `airlock hook <agent>` (the shim), `airlock kill` and
 * `airlock unkill`. Wiring only: the behaviour lives in src/node.
 */
import { resolve } from 'node:path';
import { UsageError } from './args';
import { parseHookArgs, parseKillArgs, parseNoArgs, parseServeArgs } from './gateArgs';
import { airlockHome } from '../node/environment';
import { discoveryPath, latchKill, readDiscovery, unlatchKill } from '../node/discovery';
import { rmSync } from 'node:fs';

const log = (line: string): void => {
  process.stderr.write(`airlock: ${line}\n`);
};

export async function runServe(argv: string[]): Promise<number> {
  const a = parseServeArgs(argv);
  const [{ serveGate }] = await Promise.all([import('../node/serve')]);
  const home = airlockHome();
  const ledger = resolve(a.ledger ?? `${home}/ledger.sqlite`);
  const served = await serveGate({
    home,
    ledgerPath: ledger,
    discovery: resolve(discoveryPath()),
    mode: a.ci ? 'ci' : 'interactive',
    workspaceRoots: a.workspaces.map((w) => resolve(w)),
    log,
    ...(a.policy ? { workspacePolicy: resolve(a.policy) } : {}),
    ...(a.port !== undefined ? { port: a.port } : {}),
  });
  process.stdout.write(`${JSON.stringify({ bridge: served.url, otlp: null, ledger, discovery: served.discovery })}\n`);
  const code = await served.stopped;
  return code;
}

export async function runHook(argv: string[]): Promise<number> {
  // The hard timer starts before anything else: whatever happens, a deny is printed in time.
  const started = Date.now();
  const a = parseHookArgs(argv);
  const { dialectOf, runShim, MAX_STDIN } = await import('../node/hookShim');
  const { fail } = await import('../node/hooks/dialect');
  const d = dialectOf(a.agent);
  if (!d) throw new UsageError(`hook: unknown agent ${a.agent} (claude, copilot, cursor, codex, gemini, cline)`);
  const budget = Math.floor((a.timeoutMs ?? d.defaultTimeoutMs) * 0.8);
  const deadlineAt = started + budget;
  let answered = false;
  const print = (ans: { stdout: string; stderr: string; exitCode: number }): void => {
    if (answered) return;
    answered = true;
    if (ans.stdout) process.stdout.write(ans.stdout);
    if (ans.stderr) process.stderr.write(ans.stderr);
    process.exitCode = ans.exitCode;
  };
  const hard = setTimeout(() => {
    print(fail(d, `Airlock: no decision within ${budget} ms (${a.agent} hook timeout budget): denied`));
    process.exit(2);
  }, Math.max(1, budget - 50));
  try {
    const stdin = await readStdin(MAX_STDIN);
    if (stdin.size > MAX_STDIN) print(fail(d, `Airlock: hook payload of ${stdin.size} bytes is over the ${MAX_STDIN}-byte limit`));
    else print(await runShim(d, stdin.text, { deadlineAt, env: process.env, cwd: process.cwd() }));
  } catch (e) {
    print(fail(d, `Airlock hook internal error: ${(e as Error)?.message ?? String(e)}`));
  } finally {
    clearTimeout(hard);
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 2;
}

/** Read stdin, keeping at most `cap` bytes; `size` is the full length (the shim refuses oversize). */
function readStdin(cap: number): Promise<{ text: string; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    process.stdin.on('data', (c: Buffer) => {
      if (size <= cap) chunks.push(c);
      size += c.length;
    });
    process.stdin.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), size }));
    process.stdin.on('error', reject);
  });
}

export async function runKill(argv: string[]): Promise<number> {
  const { reason } = parseKillArgs(argv);
  const home = airlockHome();
  const at = new Date().toISOString();
  latchKill(reason, home, at);
  const path = discoveryPath();
  const d = readDiscovery(path);
  let gateStopped = false;
  if (d.ok) {
    const { postJson } = await import('../node/bridgeClient');
    const r = await postJson(d.discovery, '/v1/stop', { reason: `kill switch: ${reason}` }, 3000);
    gateStopped = !('error' in r) && r.status === 200;
    if (!gateStopped) log(`kill: could not ask the gate at ${d.discovery.url} to stop (${'error' in r ? r.reason : `HTTP ${r.status}`}); it denies everything anyway while the flag is latched`);
  }
  // The token is void from now on: remove the discovery file whatever the gate did.
  rmSync(path, { force: true });
  process.stdout.write(`${JSON.stringify({ killed: true, at, reason, gateStopped, flag: `${home}/killed` })}\n`);
  return 0;
}

export function runUnkill(argv: string[]): number {
  parseNoArgs('unkill', argv);
  const was = unlatchKill(airlockHome());
  process.stdout.write(`${JSON.stringify({ killed: false, wasLatched: was })}\n`);
  log('kill switch un-latched from the command line (the editor is the intended place to do this: it shows what was stopped first)');
  return 0;
}
