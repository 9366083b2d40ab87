/**
 * Start-up of the short-lived processes, side by side with a bare `node -e 0` in one interleaved run
 * (medians; the machine is shared): the offline hook (`node dist/hook.js hook claude`, the command
 * `airlock hooks install` writes, no gate) with the V8 code cache off (AIRLOCK_CODE_CACHE=0) and warm,
 * `airlock check -- ls`, and the hook with a gate up (a real `airlock serve --ci` answers it): as the
 * first call of a session (the gate opens a run for it) and as a later call in one session (the
 * ordinary case: an agent makes many calls per session; each a different command, as loop
 * detection pauses a run that repeats one call).
 * `node --import tsx bench/startup.ts [rounds]`; `npm run bench` runs it too (section 4b).
 * BENCH_STARTUP_BEFORE=<dist dir of an earlier build> adds that build's hook and check to the same
 * interleaved run, so before/after ratios are measured side by side.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const root = join(__dirname, '..');
const HOOK = join(root, 'dist', 'hook.js');
const CLI = join(root, 'dist', 'cli.js');

const TEAM_POLICY = {
  version: 1,
  rules: [
    { id: 'no-terraform-destroy', match: { commands: ['terraform'], reversibility: ['irreversible'] }, decision: 'deny', reason: 'infrastructure is changed through the pipeline only' },
    { id: 'review-src', match: { kind: ['file'], effects: ['create', 'write', 'overwrite', 'delete'], reversibility: ['recoverable', 'irreversible', 'unknown'], paths: ['src/**'] }, decision: 'ask', reason: 'changes to src/ that Airlock cannot undo are reviewed by a person' },
  ],
};

export interface StartupFigures {
  rows: { name: string; runs: number; median: number; ratio: number }[];
}

export function startupFigures(rounds = 15): StartupFigures {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-startup-'));
  const ws = join(dir, 'ws');
  mkdirSync(ws, { recursive: true });
  // A workspace with a team's policy file (.airlock/policy.json), as a repository that shares one has.
  const teamWs = join(dir, 'team-ws');
  mkdirSync(join(teamWs, '.airlock'), { recursive: true });
  writeFileSync(join(teamWs, '.airlock', 'policy.json'), JSON.stringify(TEAM_POLICY, null, 2));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, AIRLOCK_HOME: join(dir, 'airlock') };
  delete env.AIRLOCK_DISCOVERY;
  delete env.NODE_COMPILE_CACHE;
  const payload = JSON.stringify({ session_id: 'bench', transcript_path: '/dev/null', cwd: ws, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls -la' }, tool_use_id: 't' });
  const variants: [string, string[], NodeJS.ProcessEnv, string][] = [
    ['node -e 0', ['-e', '0'], env, ''],
    ['hook offline (Bash ls), no code cache', [HOOK, 'hook', 'claude'], { ...env, AIRLOCK_CODE_CACHE: '0' }, payload],
    ['hook offline (Bash ls), code cache warm', [HOOK, 'hook', 'claude'], env, payload],
    ['hook offline (Bash ls), a team policy in the workspace', [HOOK, 'hook', 'claude'], env, payload.replaceAll(JSON.stringify(ws).slice(1, -1), JSON.stringify(teamWs).slice(1, -1))],
    ['airlock check -- ls -la', [CLI, 'check', '--', 'ls', '-la'], env, ''],
    ['airlock check -- git status && rm -rf build', [CLI, 'check', '--', 'git status && rm -rf build'], env, ''],
  ];
  // The gate-up hook: a real `airlock serve --ci` in its own Airlock home answers over the bridge
  // (an earlier build's hook asks that build's own gate, in a home of its own).
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const gates: { home: string; env: NodeJS.ProcessEnv; proc: ReturnType<typeof spawn> }[] = [];
  const startGate = (cli: string, name: string): NodeJS.ProcessEnv => {
    const home = join(dir, name);
    const gateEnv: NodeJS.ProcessEnv = { ...env, AIRLOCK_HOME: home };
    const proc = spawn(process.execPath, [cli, 'serve', '--ci', '--workspace', ws], { env: gateEnv, stdio: 'ignore' });
    gates.push({ home, env: gateEnv, proc });
    for (let i = 0; i < 600 && !existsSync(join(home, 'bridge.json')); i++) Atomics.wait(sleeper, 0, 0, 50);
    if (!existsSync(join(home, 'bridge.json'))) throw new Error(`airlock serve (${cli}) did not start`);
    return gateEnv;
  };
  const times: number[][] = [];
  try {
    const gateEnv = startGate(CLI, 'airlock-gate');
    variants.push(['hook gate up (Bash ls), first call of a session', [HOOK, 'hook', 'claude'], gateEnv, payload]);
    variants.push(['hook gate up (Bash ls), later call in a session', [HOOK, 'hook', 'claude'], gateEnv, payload.replace('"session_id":"bench"', '"session_id":"bench-same"')]);
    const before = process.env.BENCH_STARTUP_BEFORE;
    if (before) {
      const beforeGate = startGate(join(before, 'cli.js'), 'airlock-gate-before');
      variants.push(['hook offline (Bash ls), code cache warm, BEFORE', [join(before, 'hook.js'), 'hook', 'claude'], env, payload]);
      variants.push(['hook offline (Bash ls), a team policy in the workspace, BEFORE', [join(before, 'hook.js'), 'hook', 'claude'], env, variants.find(([n]) => n.startsWith('hook offline (Bash ls), a team policy'))![3]]);
      variants.push(['airlock check -- ls -la, BEFORE', [join(before, 'cli.js'), 'check', '--', 'ls', '-la'], env, '']);
      variants.push(['hook gate up (Bash ls), first call of a session, BEFORE', [join(before, 'hook.js'), 'hook', 'claude'], beforeGate, payload]);
      variants.push(['hook gate up (Bash ls), later call in a session, BEFORE', [join(before, 'hook.js'), 'hook', 'claude'], beforeGate, payload.replace('"session_id":"bench"', '"session_id":"bench-same"')]);
    }
    for (let k = 0; k < variants.length; k++) times.push([]);
    // A session of its own per call (with a gate up, the same call three times in a row in one
    // session pauses the run: loop detection), except for the later-call row: one session, a
    // different command each call, and a new session every 50 calls (a run pauses after 100 calls
    // without a person). Its warm-up call opens the first session.
    const inputFor = (template: string, k: number, i: number): string =>
      template.includes('"session_id":"bench-same"')
        ? template.replace('"session_id":"bench-same"', `"session_id":"bench-same-${Math.floor(Math.max(0, i) / 50)}"`).replace('"command":"ls -la"', `"command":"ls -la d${i}"`)
        : template.replace('"session_id":"bench"', `"session_id":"bench-${k}-${i}"`);
    // Warm the code cache (the first call writes it) and the file system cache.
    variants.forEach(([, args, e, template], k) => spawnSync(process.execPath, args, { env: e, input: inputFor(template, k, -1), cwd: ws }));
    for (let i = 0; i < rounds; i++) {
      variants.forEach(([, args, e, template], k) => {
        const input = inputFor(template, k, i);
        const t0 = process.hrtime.bigint();
        const r = spawnSync(process.execPath, args, { env: e, input, cwd: ws, encoding: 'utf8' });
        if (args[0]?.endsWith('hook.js') && !r.stdout.includes('"allow"')) throw new Error(`hook did not allow ls: ${r.stdout} ${r.stderr}`);
        times[k]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
      });
    }
    for (const g of gates) {
      // The gate must have answered throughout (a dead gate would make the gate-up row an offline
      // one), and every gate-up call was answered by it, not judged offline by a shim that could not
      // reach it: each one is a step in the gate's ledger.
      process.kill(g.proc.pid!, 0);
      const gateCalls = variants.filter(([, , e]) => e === g.env).length * (rounds + 1);
      const db = new Database(join(g.home, 'ledger.sqlite'), { readonly: true });
      try {
        const steps = (db.prepare('SELECT count(*) AS n FROM steps').get() as { n: number }).n;
        if (steps < gateCalls) throw new Error(`the gate in ${g.home} recorded ${steps} steps for ${gateCalls} gate-up hook calls: some were judged offline`);
      } finally {
        db.close();
      }
    }
  } finally {
    for (const g of gates) g.proc.kill('SIGTERM');
    Atomics.wait(sleeper, 0, 0, 500);
  }
  rmSync(dir, { recursive: true, force: true });
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = med(times[0]!);
  return { rows: variants.map(([name], k) => ({ name, runs: rounds, median: med(times[k]!), ratio: med(times[k]!) / base })) };
}

export function startupMarkdown(f: StartupFigures): string {
  return ['| process | runs | median ms | ratio to node -e 0 |', '| --- | ---: | ---: | ---: |', ...f.rows.map((r) => `| ${r.name} | ${r.runs} | ${r.median.toFixed(1)} | ${r.ratio.toFixed(2)} |`)].join('\n');
}

if (require.main === module) {
  console.log(startupMarkdown(startupFigures(Number(process.argv[2] ?? 15))));
  // Node parses every certificate of NODE_EXTRA_CA_CERTS at start, before any script: with the system
  // bundle that is most of a bare start, so the ratios above are over an inflated baseline (BENCHMARKS.md §4b).
  if (process.env.NODE_EXTRA_CA_CERTS) console.log(`\nNODE_EXTRA_CA_CERTS is set (${process.env.NODE_EXTRA_CA_CERTS}): every process above parsed it at start; run with it unset for the ratios of a machine without it.`);
}
