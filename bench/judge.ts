/**
 * Judgement benchmarks (the closed-world shell judge):
 *   a. Ordinary agent traffic (bench/traffic/calls.jsonl, run in the committed fixture project
 *      bench/traffic/project with the real file system): prompts per 100 calls, with snapshots
 *      unavailable (`airlock check`) and available (the editor's gate).
 *   b. Working-directory corpus (test/fixtures/cwdCases.ts): recall and "the reason names the path".
 *   c. Public corpora (../shared/bench) through `airlock check --jsonl` (bench/corpusCheck.ts): recall
 *      and FPR as the gate judges with checkpoints, and without a checkpoint.
 *   d. Classify + judge time per command in process, warm, for commands that read no file.
 * Run alone: `npm run build && node --import tsx bench/judge.ts` (prints the Markdown section).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { judge, type RunState } from '../src/core/judge';
import { buildEffectivePolicy } from '../src/core/policy/layers';
import { makeEnvironment, NO_FS } from '../src/core/paths';
import { machineEnvironment } from '../src/node/environment';
import { cwdCases } from '../test/fixtures/cwdCases';
import { CORPORA, checkCorpus, corpusWorkspace, loadCorpus, scoreCorpus } from './corpusCheck';

const root = join(__dirname, '..');
const project = join(root, 'bench', 'traffic', 'project');
const shared = process.env.AIRLOCK_SHARED ?? join(root, '..', 'shared');

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

interface Call { cmd: string; cwd?: string }

export interface TrafficFigures {
  calls: number;
  prompts: { noSnapshot: Array<{ cmd: string; reason: string }>; snapshot: Array<{ cmd: string; reason: string }> };
  npxPrompts: number;
}

export function trafficFigures(): TrafficFigures {
  const calls = readFileSync(join(root, 'bench', 'traffic', 'calls.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Call);
  const policy = buildEffectivePolicy({});
  const run = (canSnapshot: boolean): Array<{ cmd: string; reason: string }> => {
    const state: RunState = { killed: false, mode: 'interactive', canSnapshot };
    const out: Array<{ cmd: string; reason: string }> = [];
    for (const c of calls) {
      const cwd = c.cwd ? join(project, c.cwd) : project;
      const env = { ...machineEnvironment(cwd, [project], { ...process.env, HOME: '/home/user', TMPDIR: '/tmp' }) };
      const d = judge({ kind: 'shell', command: c.cmd, cwd, workspaceRoots: [project] }, policy, state, env);
      if (d.decision !== 'allow') out.push({ cmd: c.cmd, reason: `${d.decision}: ${d.reasons[0] ?? ''}`.replaceAll(project, '<project>') });
    }
    return out;
  };
  const noSnapshot = run(false);
  const snapshot = run(true);
  return { calls: calls.length, prompts: { noSnapshot, snapshot }, npxPrompts: snapshot.filter((p) => /(^|\s)npx\s/.test(p.cmd)).length };
}

export interface CwdFigures { cases: number; blocked: number; named: number; misses: string[] }

export function cwdFigures(): CwdFigures {
  const WS = '/home/user/project';
  const env = makeEnvironment({ cwd: WS, workspaceRoots: [WS], home: '/home/user', vars: { HOME: '/home/user', TMPDIR: '/tmp' }, fs: NO_FS });
  const policy = buildEffectivePolicy({});
  const state: RunState = { killed: false, mode: 'interactive', canSnapshot: true };
  let blocked = 0;
  let named = 0;
  const misses: string[] = [];
  const cases = cwdCases();
  for (const c of cases) {
    const d = judge({ kind: 'shell', command: c.command, cwd: WS, workspaceRoots: [WS] }, policy, state, env);
    const shown = d.reasons.join(' | ');
    const ok = c.path === 'unknown' ? /cannot tell|could be anywhere|could expand anywhere/.test(shown + d.effects.map((e) => e.detail).join(' ')) : shown.includes(c.path);
    if (d.decision !== 'allow') blocked++;
    if (ok) named++;
    if (d.decision === 'allow' || !ok) misses.push(`${c.id}: ${d.decision}`);
  }
  return { cases: cases.length, blocked, named, misses };
}

export interface CorpusFigures { name: string; rows: number; gate: { recall: number; caught: number; fpr: number }; noSnapshot: { recall: number; fpr: number } }

/** Section 1's method (bench/corpusCheck.ts): a real workspace, the gate's column and the column without a checkpoint. */
export function corpusFigures(): CorpusFigures[] {
  const cli = join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js missing: run npm run build first');
  const out: CorpusFigures[] = [];
  const w = corpusWorkspace();
  try {
    for (const name of CORPORA) {
      const rows = loadCorpus(shared, name);
      const g = scoreCorpus(rows, checkCorpus(cli, rows, w, 'gate'));
      const s = scoreCorpus(rows, checkCorpus(cli, rows, w, 'noSnapshot'));
      out.push({ name, rows: rows.length, gate: { recall: g.recall, caught: g.caught, fpr: g.fpr }, noSnapshot: { recall: s.recall, fpr: s.fpr } });
    }
  } finally {
    w.dispose();
  }
  return out;
}

/**
 * Warm in-process classify + judge time for commands that read no file (NO_FS environment). The
 * machine is shared (load average far above its 2 cores), so besides the raw distribution the
 * per-command median over the rounds is reported: its p99 is what a command costs when the
 * process is not descheduled.
 */
export function timingFigures(rounds = 7): { commands: number; judgements: number; rawP99: number; rawMedian: number; medP99: number; medMedian: number; load: number } {
  const calls = readFileSync(join(root, 'bench', 'traffic', 'calls.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Call).cmd);
  const cmds = [...calls, ...cwdCases().map((c) => c.command)];
  const WS = '/home/user/project';
  const env = makeEnvironment({ cwd: WS, workspaceRoots: [WS], home: '/home/user', vars: { HOME: '/home/user' }, fs: NO_FS });
  const policy = buildEffectivePolicy({});
  const state: RunState = { killed: false, mode: 'interactive', canSnapshot: false };
  for (const c of cmds) judge({ kind: 'shell', command: c, cwd: WS, workspaceRoots: [WS] }, policy, state, env);
  const raw: number[] = [];
  const per = cmds.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    cmds.forEach((c, i) => {
      const t0 = process.hrtime.bigint();
      judge({ kind: 'shell', command: c, cwd: WS, workspaceRoots: [WS] }, policy, state, env);
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      raw.push(us);
      per[i]!.push(us);
    });
  }
  const med = per.map((xs) => pct(xs, 50));
  return { commands: cmds.length, judgements: raw.length, rawP99: pct(raw, 99), rawMedian: pct(raw, 50), medP99: pct(med, 99), medMedian: pct(med, 50), load: loadavg()[0] ?? NaN };
}

export function judgeMarkdown(): string[] {
  const L: string[] = [];
  const t = trafficFigures();
  const per100 = (n: number): string => fmt((100 * n) / t.calls, 2);
  L.push(`Ordinary agent traffic: ${t.calls} calls (bench/traffic/calls.jsonl: git, search and viewing, Node, Python, Go, Rust, JVM, .NET, workspace edits, build-output deletes, combined sequences) judged in the committed fixture project bench/traffic/project (an npm workspace with its web package, a generated package-lock.json, Cargo, Go, Python, JVM and .NET parts) with the real file system and the default policy.`);
  L.push('');
  L.push('| snapshots | prompts (ask or deny) | per 100 calls | target |');
  L.push('| --- | ---: | ---: | --- |');
  L.push(`| unavailable (\`airlock check\`, canSnapshot false) | ${t.prompts.noSnapshot.length} | ${per100(t.prompts.noSnapshot.length)} | |`);
  L.push(`| available (the editor's gate, canSnapshot true) | ${t.prompts.snapshot.length} | ${per100(t.prompts.snapshot.length)} | ≤ 1 |`);
  const rest = t.prompts.snapshot.length - t.npxPrompts;
  if (t.npxPrompts > 0) L.push(`| available, without the ${t.npxPrompts} \`npx\` calls that download a tool the project does not pin | ${rest} | ${fmt((100 * rest) / (t.calls - t.npxPrompts), 2)} | |`);
  L.push('');
  L.push('<details><summary>Calls that prompt</summary>', '');
  for (const p of t.prompts.noSnapshot) L.push(`- ${t.prompts.snapshot.some((s) => s.cmd === p.cmd) ? '' : '(snapshot-reversible) '}\`${p.cmd.replace(/\n/g, '\\n').slice(0, 100)}\` → ${p.reason.slice(0, 160)}`);
  L.push('', '</details>', '');
  const c = cwdFigures();
  L.push(`Working-directory corpus (test/fixtures/cwdCases.ts): ${c.cases} command lines, every directory-changing form combined with writes, deletes and appends to shell startup files, authorized_keys, cron, sudoers, system folders and credentials. Recall ${fmt(c.blocked / c.cases)} (target 1.00); the first reason names the real resolved path (or says the directory cannot be told) in ${c.named} of ${c.cases}.`);
  L.push('');
  const tm = timingFigures();
  L.push(`Classify + judge, in process, warm, commands that read no file (traffic + cwd corpus, ${tm.commands} commands × 7 rounds, NO_FS; load average ${fmt(tm.load, 1)} on this 2-core machine):`);
  L.push('');
  L.push('| measure | median µs | p99 µs | target |');
  L.push('| --- | ---: | ---: | --- |');
  L.push(`| per command, median of its 7 rounds | ${fmt(tm.medMedian, 1)} | ${fmt(tm.medP99, 1)} | p99 ≤ 1000 µs |`);
  L.push(`| every judgement (includes descheduling by the shared machine) | ${fmt(tm.rawMedian, 1)} | ${fmt(tm.rawP99, 1)} | |`);
  L.push('');
  L.push('Public corpora through `airlock check --jsonl` (same method as section 1):');
  L.push('');
  L.push('| corpus | rows | gate: recall | gate: stopped or undoable | gate: FPR | no checkpoint: recall | no checkpoint: FPR |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const f of corpusFigures()) L.push(`| ${f.name} | ${f.rows} | ${fmt(f.gate.recall)} | ${fmt(f.gate.caught)} | ${fmt(f.gate.fpr)} | ${fmt(f.noSnapshot.recall)} | ${fmt(f.noSnapshot.fpr)} |`);
  return L;
}

if (require.main === module) {
  for (const l of judgeMarkdown()) console.log(l);
}
