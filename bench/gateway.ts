/**
 * Gateway figures for `npm run bench`:
 *   - hook round trip: an agent spawns the shim (dist/hook.js) with a PreToolUse payload -> decision
 *     printed; online (a real `airlock serve --ci`) and offline (no gate), interleaved with a bare
 *     `node -e 0` in the same run;
 *   - bridge throughput: 100 concurrent hook requests, none lost, none answered after its deadline.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = join(__dirname, '..');
const CLI = join(root, 'dist', 'cli.js');
const HOOK = join(root, 'dist', 'hook.js');

export interface GatewayFigures {
  node: number[];
  online: number[];
  offline: number[];
  burst: { sent: number; answered: number; late: number; ms: number; deadlineMs: number };
}

const payload = (cwd: string, i: number): string =>
  JSON.stringify({ session_id: 'bench', transcript_path: '/dev/null', cwd, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: i % 2 ? 'ls -la' : 'rm -rf build' }, tool_use_id: `t${i}` });

function timeRun(args: string[], env: NodeJS.ProcessEnv, input?: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, input: input ?? '', encoding: 'utf8' });
  if (args[0] === HOOK && r.status !== 0 && r.status !== 2) throw new Error(`hook failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function startServe(env: NodeJS.ProcessEnv, ws: string): Promise<{ stop: () => Promise<void>; ready: { bridge: string; discovery: string } }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--ci', '--workspace', ws], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (c) => reject(new Error(`serve exited ${c}`)));
  });
  const ready = JSON.parse(line) as { bridge: string; discovery: string };
  return {
    ready,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function post(url: string, token: string, body: string): Promise<{ status: number; ms: number }> {
  const u = new URL(url);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: Number(u.port), method: 'POST', path: '/v1/hook', agent: false, headers: { host: `127.0.0.1:${u.port}`, authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - t0 }));
    });
    req.on('error', () => resolve({ status: -1, ms: Date.now() - t0 }));
    req.end(body);
  });
}

export async function gatewayFigures(runs: number): Promise<GatewayFigures> {
  const home = mkdtempSync(join(tmpdir(), 'airlock-bench-gw-'));
  const ws = join(home, 'ws');
  spawnSync('mkdir', ['-p', ws]);
  const env = { ...process.env, AIRLOCK_HOME: join(home, 'airlock') };
  const figures: GatewayFigures = { node: [], online: [], offline: [], burst: { sent: 0, answered: 0, late: 0, ms: 0, deadlineMs: 5000 } };
  try {
    const gate = await startServe(env, ws);
    for (let i = 0; i < runs; i++) {
      figures.node.push(timeRun(['-e', '0'], env));
      figures.online.push(timeRun([HOOK, 'hook', 'claude'], env, payload(ws, i)));
    }
    const disc = JSON.parse(readFileSync(gate.ready.discovery, 'utf8')) as { url: string; token: string };
    const deadlineMs = figures.burst.deadlineMs;
    const t0 = Date.now();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post(disc.url, disc.token, JSON.stringify({ agent: 'claude', event: 'pre', sessionId: `burst-${i % 10}`, toolName: 'Bash', action: { kind: 'shell', command: i % 2 ? 'ls' : 'rm -rf build', cwd: ws, workspaceRoots: [ws] }, deadlineMs })),
      ),
    );
    figures.burst = { sent: 100, answered: results.filter((r) => r.status === 200).length, late: results.filter((r) => r.ms > deadlineMs).length, ms: Date.now() - t0, deadlineMs };
    await gate.stop();
    for (let i = 0; i < runs; i++) {
      figures.node.push(timeRun(['-e', '0'], env));
      figures.offline.push(timeRun([HOOK, 'hook', 'claude'], env, payload(ws, i)));
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return figures;
}
