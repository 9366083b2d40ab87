/**
 * `airlock hook <agent>`: the shim an agent runs before (and after) each tool call. It runs once per
 * tool call, so it imports only what the online path needs; the offline judge is loaded on demand.
 */
import { read } from 'node:fs';
import { writeOut } from './writeOut';
import { UsageError } from './usageError';
import { parseHookArgs } from './gateArgs';
import type { OfflineLoader } from '../node/agents/shim';

export async function runHook(argv: string[], loadOffline: OfflineLoader, onAskGate?: () => void): Promise<number> {
  // The hard timer starts when the agent started this process (Node's time origin), not when this
  // code first runs: the agent's own timeout counts Node's start-up and module loading too, which
  // take seconds on a loaded machine. Whatever happens, a deny is printed in time.
  // (process.uptime() counts from the same start; reading performance.timeOrigin loads perf_hooks.)
  const now = Date.now();
  const started = Math.min(now, Math.floor(now - process.uptime() * 1000));
  const a = parseHookArgs(argv);
  const { dialectOf, runShim, openGateEarly, MAX_STDIN } = await import('../node/agents/shim');
  const { fail } = await import('../node/agents/dialects/dialect');
  const d = dialectOf(a.agent);
  if (!d) throw new UsageError(`hook: unknown agent ${a.agent} (claude, copilot, cursor, codex, gemini, cline, qwen, opencode, kilo)`);
  const budget = Math.floor((a.timeoutMs ?? d.defaultTimeoutMs) * 0.8);
  const deadlineAt = started + budget;
  let answered = false;
  const print = (ans: { stdout: string; stderr: string; exitCode: number }): void => {
    if (answered) return;
    answered = true;
    if (ans.stdout) writeOut(1, ans.stdout);
    if (ans.stderr) writeOut(2, ans.stderr);
    process.exitCode = ans.exitCode;
  };
  const hard = setTimeout(() => {
    print(fail(d, `Airlock: no decision within ${budget} ms (${a.agent} hook timeout budget): denied`));
    process.exit(2);
  }, Math.max(1, budget - 50));
  try {
    // The payload is read on libuv's thread pool while this thread finds the gate, loads the bridge
    // client and connects (shim.ts, openGateEarly): the request goes out as soon as it is ready.
    const reading = readStdin(MAX_STDIN);
    const early = await openGateEarly(process.env, onAskGate);
    const stdin = await reading;
    const end = stdin.size <= MAX_STDIN ? (await import('../node/agents/sessionEnd')).sessionEndOf(d.agent, stdin.text, process.env) : undefined;
    if (end) {
      // The session ended: the gate ends the run. Nothing to decide, so the agent gets exit 0.
      const r = await (await import('../node/agents/sessionEnd')).reportSessionEnd(d.agent, end, process.env, Math.max(1, Math.min(3000, deadlineAt - Date.now())));
      if (!r.sent) writeOut(2, `Airlock: session end not recorded (${r.why ?? 'unknown'})\n`);
      print({ stdout: '', stderr: '', exitCode: 0 });
    } else if (stdin.size > MAX_STDIN) print(fail(d, `Airlock: hook payload of ${stdin.size} bytes is over the ${MAX_STDIN}-byte limit`));
    else print(await runShim(d, stdin.text, { deadlineAt, env: process.env, cwd: process.cwd(), loadOffline, agentPid: process.ppid, ...(onAskGate ? { onAskGate } : {}), ...(early ? { early } : {}) }));
  } catch (e) {
    print(fail(d, `Airlock hook internal error: ${(e as Error)?.message ?? String(e)}`));
  } finally {
    clearTimeout(hard);
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 2;
}

/**
 * Read stdin, keeping at most `cap` bytes; `size` is the full length (the shim refuses oversize).
 * Straight from file descriptor 0 (libuv's thread pool, so the deadline timer still fires while it
 * waits): process.stdin would load net or the fs streams for one small payload. A descriptor that
 * cannot be read that way (non-blocking, EAGAIN) is read through process.stdin, from where it stopped.
 */
function readStdin(cap: number): Promise<{ text: string; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const take = (c: Buffer): void => {
      if (size <= cap) chunks.push(c);
      size += c.length;
    };
    const done = (): void => resolve({ text: Buffer.concat(chunks).toString('utf8'), size });
    const viaStream = (): void => {
      process.stdin.on('data', take);
      process.stdin.on('end', done);
      process.stdin.on('error', reject);
    };
    const next = (): void => {
      const buf = Buffer.allocUnsafe(64 * 1024);
      read(0, buf, 0, buf.length, null, (err, n) => {
        if (err) return size === 0 || err.code === 'EAGAIN' ? viaStream() : reject(err);
        if (n === 0) return done();
        take(buf.subarray(0, n));
        next();
      });
    };
    next();
  });
}
