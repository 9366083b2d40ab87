/**
 * `airlock serve` (the headless gate), `airlock hook <agent>` (the shim), `airlock kill` and
 * `airlock unkill`. Wiring only: the behaviour lives in src/node.
 */
import { resolve } from 'node:path';
import { UsageError } from './args';
import { parseHookArgs, parseKillArgs, parseNoArgs, parseServeArgs } from './gateArgs';
import { airlockHome } from '../node/environment';
import { discoveryPath, latchKill, readDiscovery, unlatchKill } from '../node/bridge/discovery';
import { rmSync } from 'node:fs';

const log = (line: string): void => {
  process.stderr.write(`airlock: ${line}\n`);
};

export async function runServe(argv: string[]): Promise<number> {
  const a = parseServeArgs(argv);
  const [{ serveGate }] = await Promise.all([import('../node/gate/serve')]);
  const home = airlockHome();
  const ledger = resolve(a.ledger ?? `${home}/ledger.sqlite`);
  const served = await serveGate({
    home,
    ledgerPath: ledger,
    discovery: resolve(discoveryPath()),
    mode: a.ci ? 'ci' : 'interactive',
    // Without --workspace, the folder the gate was started in is its first root (its policy applies).
    workspaceRoots: (a.workspaces.length ? a.workspaces : [process.cwd()]).map((w) => resolve(w)),
    log,
    ...(a.policy ? { workspacePolicy: resolve(a.policy) } : {}),
    ...(a.port !== undefined ? { port: a.port } : {}),
  });
  process.stdout.write(`${JSON.stringify({ bridge: served.url, socket: served.socket ?? null, otlp: served.otlp, ledger, discovery: served.discovery })}\n`);
  const code = await served.stopped;
  return code;
}

export async function runHook(argv: string[]): Promise<number> {
  return (await import('./hookCommand')).runHook(argv, () => import('../node/gate/offlineJudge'));
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
    const { postJson } = await import('../node/bridge/client');
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
