/**
 * Section 2 alone: classify + judge time per command (`us`, measured inside `airlock check --jsonl`
 * around classify + judge) on the three public corpora, cold (first sight in a fresh process), at
 * the third sight, and warm (the last of N passes, 10 by default: the steady state of a gate that
 * has judged thousands of commands, V8's optimising compiler done); the slowest warm commands listed.
 * `node --import tsx bench/judgeTiming.ts [N]` (after `npm run build`). Set AIRLOCK_SHARED for the corpora,
 * BENCH_JUDGE_CLI=<an earlier dist/cli.js> to time an earlier build the same way.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const shared = process.env.AIRLOCK_SHARED ?? join(root, '..', 'shared');
const WS = '/home/user/project';
const env = { ...process.env, HOME: '/home/user', TMPDIR: '/tmp', AIRLOCK_HOME: '/tmp/airlock-bench-home' };

export interface JudgeTiming {
  cold: number[];
  /** The third sight of each command (what this section reported until 2026-12-05). */
  third: number[];
  /** The last pass: the steady state of a long-running gate, every function the judge uses optimised. */
  warm: number[];
  slowest: Array<{ us: number; command: string }>;
}

export function judgeTiming(passes = 2): JudgeTiming {
  const cold: number[] = [];
  const third: number[] = [];
  const warm: number[] = [];
  const warmBy = new Map<string, number>();
  for (const name of ['shell-dcg.jsonl', 'shell-ccsn.jsonl', 'shell-dcg-packs.jsonl']) {
    const rows = readFileSync(join(shared, 'bench', name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; command: string });
    const line = (r: { id: string; command: string }, p: number): string => JSON.stringify({ id: `${p}:${r.id}`, kind: 'shell', command: r.command, cwd: WS, workspaceRoots: [WS] });
    const input = Array.from({ length: passes }, (_, p) => rows.map((r) => line(r, p)).join('\n')).join('\n');
    const r = spawnSync(process.execPath, [process.env.BENCH_JUDGE_CLI ?? join(root, 'dist', 'cli.js'), 'check', '--jsonl'], { input, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`check --jsonl failed: ${r.stderr}`);
    const byId = new Map(rows.map((x) => [x.id, x.command]));
    for (const l of r.stdout.split('\n').filter(Boolean)) {
      const o = JSON.parse(l) as { id: string; us: number };
      const [p, ...rest] = o.id.split(':');
      if (p === '0') cold.push(o.us);
      if (p === '2' && passes > 3) third.push(o.us);
      if (p === String(passes - 1)) {
        warm.push(o.us);
        const id = rest.join(':');
        warmBy.set(`${name}:${id}`, o.us);
        warmBy.set(`cmd:${name}:${id}`, 0);
        (warmBy as unknown as Map<string, unknown>).set(`text:${name}:${id}`, byId.get(id));
      }
    }
  }
  const slowest = [...warmBy.entries()].filter(([k]) => !k.startsWith('cmd:') && !k.startsWith('text:')).sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, us]) => ({ us, command: String((warmBy as unknown as Map<string, unknown>).get(`text:${k}`)).slice(0, 100) }));
  return { cold, third, warm, slowest };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

if (require.main === module) {
  const passes = Number(process.argv[2] ?? 10);
  const t = judgeTiming(passes);
  console.log('| pass | commands | median µs | p99 µs | max µs |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const rows: Array<[string, number[]]> = [['cold (first sight)', t.cold], ...(t.third.length ? [['third sight', t.third] as [string, number[]]] : []), [`warm (pass ${passes} of ${passes})`, t.warm]];
  for (const [n, xs] of rows) console.log(`| ${n} | ${xs.length} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 99).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`);
  for (const s of t.slowest) console.log(`${s.us.toFixed(0)} µs  ${s.command}`);
}
