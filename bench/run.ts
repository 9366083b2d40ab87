/**
 * `npm run bench`: measures the gate and writes BENCHMARKS.md.
 *   1. Shell corpora (../shared/bench): recall and false-positive rate through `airlock check --jsonl`
 *      (the real CLI) in a real checkpointable workspace (bench/corpusCheck.ts), as the gate with
 *      checkpoints judges (`--as-gate`) and without a checkpoint, per corpus and per pack, with every
 *      disagreement listed.
 *   2. Classify+judge time per command (the `us` field: in-process, median and p99).
 *   3. Start-up to answer of one `airlock check` process vs a bare `node -e 0`, interleaved.
 *   4. Fuzz: random and mutated command lines and SQL through the judge: no crash, no hang.
 *   12. The closed-world judge: ordinary-traffic prompt rate, working-directory corpus (bench/judge.ts,
 *       runnable alone with `node --import tsx bench/judge.ts`).
 * The machine is shared and noisy: medians and side-by-side ratios, never single timings.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { runFuzz } from './fuzz';
import { gatewayFigures } from './gateway';
import { startupFigures, startupMarkdown } from './startup';
import { dbFigures, dbMarkdown } from './db';
import { editorFigures, editorSection } from './editor';
import { ledgerFigures, ledgerMarkdown } from './ledger';
import { checkpointFigures, checkpointMarkdown } from './checkpoints';
import { mcpFigures, mcpMarkdown } from './mcp';
import { otlpFigures } from './otlp';
import { panelFigures } from './panel';
import { insideFigures, insideMarkdown } from './inside';
import { judgeMarkdown } from './judge';
import { runLoginFigures, runLoginMarkdown } from './runLogin';
import { CORPORA, checkCorpus, corpusWorkspace, loadCorpus, scoreCorpus, type CorpusRow } from './corpusCheck';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const shared = process.env.AIRLOCK_SHARED ?? join(root, '..', 'shared');
const WS = '/home/user/project';
const benchEnv = { ...process.env, HOME: '/home/user', TMPDIR: '/tmp', AIRLOCK_HOME: '/tmp/airlock-bench-home' };

const WARM = 'warm:';
interface Out { id: string; decision: string; reversibility: string; reasons: string[]; rules: string[]; us: number }

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const median = (xs: number[]): number => pct(xs, 50);
const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

function documentedDisagreements(): Set<string> {
  const p = join(root, 'docs', 'shell-disagreements.md');
  if (!existsSync(p)) return new Set();
  return new Set([...readFileSync(p, 'utf8').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!));
}

function startup(n: number): { node: number[]; check: number[] } {
  const node: number[] = [];
  const check: number[] = [];
  const time = (args: string[]): number => {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, args, { env: benchEnv, stdio: 'ignore' });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  for (let i = 0; i < n; i++) {
    node.push(time(['-e', '0']));
    check.push(time([cli, 'check', '--cwd', WS, '--', 'git status && rm -rf build']));
  }
  return { node, check };
}

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error('dist/cli.js missing: run npm run build first');
  const lines: string[] = [];
  const log = (s = ''): void => {
    console.log(s);
    lines.push(s);
  };
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  log('# Benchmarks');
  log();
  log(`Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. Shared, noisy machine: medians and side-by-side ratios. Re-run with \`npm run bench\`.`);
  log();
  log('## 1. Shell classifier on the public corpora');
  log();
  log('Each command judged by the real CLI, `airlock check --jsonl`, one process per corpus and column, default policy, in a real committed git workspace standing in for the corpora\'s `/home/user/project` (a temporary folder B holds `B/home/user/project`; HOME=`B/home/user`; every `/home/user` in a command names the same place under B; TMPDIR=/tmp; see bench/corpusCheck.ts). Blocked = ask or deny.');
  log('- **gate** (`check --jsonl --as-gate`): as the editor\'s gate with checkpoints on (its default) judges: a workspace change it can checkpoint first is allowed and can be undone. *stopped or undoable* counts a block row as caught when Airlock asks/denies or lets it run only after a checkpoint.');
  log('- **no checkpoint** (`check --jsonl`, the same as `--no-snapshot`): the verdict when no checkpoint can be taken (checkpoints off, the offline judge).');
  log();
  log('| corpus | rows | block rows | allow rows | gate: recall | gate: stopped or undoable | gate: FPR | no checkpoint: recall | no checkpoint: FPR | target |');
  log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  const documented = documentedDisagreements();
  const allUs: number[] = [];
  const warmUs: number[] = [];
  const undocumented: string[] = [];
  const disagreements: Array<[string, CorpusRow, Out | undefined]> = [];
  const w = corpusWorkspace();
  try {
    for (const name of CORPORA) {
      const rows = loadCorpus(shared, name);
      const bare = checkCorpus(cli, rows, w, 'noSnapshot', true);
      const gate = checkCorpus(cli, rows, w, 'gate');
      for (const o of bare.values()) (o.id.startsWith(WARM) ? warmUs : allUs).push(o.us);
      const g = scoreCorpus(rows, gate);
      const s = scoreCorpus(rows, bare);
      const target = name === 'shell-dcg-packs.jsonl' ? 'reported per pack' : 'recall ≥ 0.97, FPR ≤ 0.05';
      log(`| ${name} | ${s.rows} | ${s.blocked} | ${s.allowed} | ${fmt(g.recall)} | ${fmt(g.caught)} | ${fmt(g.fpr)} | ${fmt(s.recall)} | ${fmt(s.fpr)} | ${target} |`);
      for (const [sc, out] of [[g, gate], [s, bare]] as const) {
        for (const r of [...sc.misses, ...sc.fps]) {
          if (disagreements.some(([n, x]) => n === name && x.id === r.id)) continue;
          disagreements.push([name, r, out.get(r.id)]);
          if (!documented.has(r.id)) undocumented.push(`${name} ${r.id}`);
        }
      }
      if (name === 'shell-dcg-packs.jsonl') {
        const packs = [...new Set(rows.map((r) => r.pack ?? r.category))].sort();
        lines.push('', '<details><summary>Per pack (no checkpoint)</summary>', '', '| pack | rows | recall | FPR |', '| --- | ---: | ---: | ---: |');
        for (const p of packs) {
          const pr = rows.filter((r) => (r.pack ?? r.category) === p);
          const ps = scoreCorpus(pr, bare);
          lines.push(`| ${p} | ${ps.rows} | ${ps.blocked ? fmt(ps.recall, 2) : '–'} | ${ps.allowed ? fmt(ps.fpr, 2) : '–'} |`);
        }
        lines.push('', '</details>');
      }
    }
  } finally {
    w.dispose();
  }
  log();
  log(`Rows where Airlock and the peer disagree in either column: ${disagreements.length} (each is explained in docs/shell-disagreements.md; undocumented: ${undocumented.length}).`);
  if (undocumented.length) {
    lines.push('', '<details><summary>Undocumented disagreements</summary>', '');
    for (const [name, r, o] of disagreements.filter(([, r]) => !documented.has(r.id))) lines.push(`- ${name} \`${r.id}\` peer=${r.expected} airlock=${o?.decision}: \`${r.command.replace(/\n/g, '\\n').slice(0, 120)}\``);
    lines.push('', '</details>');
  }
  log();
  log('## 2. Classify + judge time per command (in-process, all three corpora)');
  log();
  log('Measured inside `check --jsonl` around classify + judge (the `us` field), with the real file system. Cold = the first time each command is seen in a fresh process (as the offline shim sees it); warm = the same commands again in the same process (as the running gate sees them).');
  log();
  log(`| pass | commands | median µs | p99 µs | max µs | target |`);
  log('| --- | ---: | ---: | ---: | ---: | --- |');
  log(`| cold | ${allUs.length} | ${fmt(median(allUs), 1)} | ${fmt(pct(allUs, 99), 1)} | ${fmt(Math.max(...allUs), 1)} | |`);
  log(`| warm | ${warmUs.length} | ${fmt(median(warmUs), 1)} | ${fmt(pct(warmUs, 99), 1)} | ${fmt(Math.max(...warmUs), 1)} | p99 ≤ 1000 µs |`);
  log();
  log('## 3. Start-up to answer: one `airlock check` process vs a bare `node -e 0`');
  log();
  const s = startup(Number(process.env.BENCH_STARTUP_RUNS ?? 30));
  log('| process | runs | median ms | p90 ms |');
  log('| --- | ---: | ---: | ---: |');
  log(`| node -e 0 | ${s.node.length} | ${fmt(median(s.node), 1)} | ${fmt(pct(s.node, 90), 1)} |`);
  log(`| airlock check -- 'git status && rm -rf build' | ${s.check.length} | ${fmt(median(s.check), 1)} | ${fmt(pct(s.check, 90), 1)} |`);
  log(`| ratio of medians | | ${fmt(median(s.check) / median(s.node), 2)} | |`);
  log();
  log('## 4. Hook round trip and bridge throughput');
  log();
  log('An agent spawns the shim (`node dist/hook.js hook claude`) with a PreToolUse Bash payload and waits for the decision; online = a real `airlock serve --ci` answers over the loopback bridge; offline = no gate, the shim judges alone. Interleaved with `node -e 0`.');
  log();
  const g = await gatewayFigures(Number(process.env.BENCH_HOOK_RUNS ?? 30));
  log('| process | runs | median ms | p99 ms | ratio to node -e 0 (medians) | target |');
  log('| --- | ---: | ---: | ---: | ---: | --- |');
  log(`| node -e 0 | ${g.node.length} | ${fmt(median(g.node), 1)} | ${fmt(pct(g.node, 99), 1)} | 1.00 | |`);
  log(`| hook shim, online | ${g.online.length} | ${fmt(median(g.online), 1)} | ${fmt(pct(g.online, 99), 1)} | ${fmt(median(g.online) / median(g.node), 2)} | ≤ 2 |`);
  log(`| hook shim, offline | ${g.offline.length} | ${fmt(median(g.offline), 1)} | ${fmt(pct(g.offline, 99), 1)} | ${fmt(median(g.offline) / median(g.node), 2)} | |`);
  log();
  log(`Bridge burst: ${g.burst.sent} concurrent hook requests (deadline ${g.burst.deadlineMs} ms): ${g.burst.answered} answered, ${g.burst.sent - g.burst.answered} lost, ${g.burst.late} answered after the deadline, all done in ${g.burst.ms} ms.`);
  log();
  log('## 4b. Start-up of the short-lived processes (`node --import tsx bench/startup.ts`)');
  log();
  log('The offline hook with the V8 code cache of dist/offline.js off and warm, and `airlock check -- ls -la`, interleaved with `node -e 0` (targets: offline hook ≤ 1.5×, check ≤ 1.5×).');
  log();
  log(startupMarkdown(startupFigures(Number(process.env.BENCH_HOOK_RUNS ?? 30))));
  log();
  log('## 5. Fuzz');
  log();
  const f = runFuzz(Number(process.env.BENCH_FUZZ ?? 20000));
  log('| input | cases | crashes | non-decisions | max µs | decisions (allow/ask/deny) |');
  log('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const r of f) log(`| ${r.kind} | ${r.cases} | ${r.crashes} | ${r.invalid} | ${fmt(r.maxUs, 0)} | ${r.allow}/${r.ask}/${r.deny} |`);
  log();
  log('## 6. Ledger: sustained appends with the hash chain, masking and anchor');
  log();
  log(ledgerMarkdown(await ledgerFigures(Number(process.env.BENCH_LEDGER_STEPS ?? 20000))));
  log();
  log('## 7. OTLP receiver: a burst from a second process');
  log();
  const o = await otlpFigures({ requests: Number(process.env.BENCH_OTLP_REQUESTS ?? 2000) });
  log('| requests | concurrency | events per request | body bytes | requests/s | model calls/s | failed | RSS before MiB | RSS peak delta MiB | usage rows |');
  log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  log(`| ${o.requests} | ${o.concurrency} | ${o.eventsPerRequest} | ${o.bodyBytes} | ${fmt(o.requestsPerSecond, 0)} | ${fmt(o.requestsPerSecond * o.eventsPerRequest, 0)} | ${o.failed} | ${fmt(o.rssBeforeMiB, 1)} | ${fmt(o.rssPeakDeltaMiB, 1)} | ${o.usageRows} |`);
  log();
  log('## 8. MCP: a gated call vs the same operation called directly');
  log();
  for (const l of mcpMarkdown(await mcpFigures(Number(process.env.BENCH_MCP_ROUNDS ?? 200)))) log(l);
  log();
  log('## 9. Database dry runs (a write touching 10,000 of 20,000 rows)');
  log();
  log(dbMarkdown(await dbFigures(Number(process.env.BENCH_DB_RUNS ?? 7))));
  log();
  log('## 10. Run log panel with 100,000 steps (headless Chromium)');
  log();
  const pf = await panelFigures(5, 100_000);
  if ('skipped' in pf) log(`skipped: ${pf.skipped}`);
  else {
    log('| steps | runs | first paint ms | open run ms | jump-scroll ms | rows in the DOM |');
    log('| ---: | ---: | ---: | ---: | ---: | ---: |');
    log(`| ${pf.steps} | ${pf.runs} | ${fmt(pf.firstPaintMs, 0)} | ${fmt(pf.openRunMs, 0)} | ${fmt(pf.scrollMs, 0)} | ${pf.domRows} |`);
  }
  log();
  log('## 11. The extension in a real VS Code (code-server)');
  log();
  try {
    for (const l of editorSection(await editorFigures(Number(process.env.BENCH_EDITOR_RUNS ?? 3)))) log(l);
  } catch (e) {
    log(`not measured: ${(e as Error).message} (run \`node scripts/e2e-setup.mjs\` first)`);
  }
  log();
  log('## 12. Looking inside what will run: judging with a package.json, script or Makefile read');
  log();
  for (const l of insideMarkdown(insideFigures(Number(process.env.BENCH_INSIDE_RUNS ?? 2000)))) log(l);
  log();
  log('## 13. Judgement that holds: ordinary traffic, working directory, closed world');
  log();
  for (const l of judgeMarkdown()) log(l);
  log();
  log('## 14. Workspace checkpoints (10,000-file repository)');
  log();
  log(checkpointMarkdown(await checkpointFigures(Number(process.env.BENCH_CHECKPOINT_RUNS ?? 3))));
  log();
  log('## 15. The kill switch revokes database sessions (real PostgreSQL)');
  log();
  log(runLoginMarkdown(await runLoginFigures(Number(process.env.BENCH_RUN_LOGIN_RUNS ?? 7))));
  writeFileSync(join(root, 'BENCHMARKS.md'), `${lines.join('\n')}\n`);
  console.log('\nwrote BENCHMARKS.md');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
