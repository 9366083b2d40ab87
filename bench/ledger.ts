/**
 * Ledger figures for `npm run bench`:
 *   - sustained appends per second with the hash chain, masking and the anchor on (one immediate
 *     transaction per step, WAL, synchronous=NORMAL: what the gate does per hook request), and the
 *     same without the anchor, to show what the anchor costs;
 *   - masking alone per step (the realistic payloads below, some with secrets);
 *   - size per step: database file size / steps after a checkpoint (the WAL folded in);
 *   - the integrity check at open (full chain walk + sequences + anchor) for that many steps;
 *   - group commit (src/node/ledger/groupCommit.ts): 1024 concurrent producers, each awaiting its own
 *     step's commit before the next (as concurrent hook requests do), sustained for `steps` steps,
 *     in both durability modes; the chain verified afterwards.
 * Call: `const l = await ledgerFigures(Number(process.env.BENCH_LEDGER_STEPS ?? 20000))`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashOf, sha256Bytes } from '../src/core/hash';
import { maskDeep, maskedCanonicalJson, maskSecrets } from '../src/core/mask';
import { hashInput, prepareStep, timeOrderedId } from '../src/node/ledger/stepWrite';
import { GroupCommit } from '../src/node/ledger/groupCommit';
import { LedgerWriterThread } from '../src/node/ledger/ledgerWriter';

let gcRuns = 0;
import { INDEXES } from '../src/node/ledger/queryRows';
import { anchorPathFor, Ledger, type LedgerDurability, type StepInput } from '../src/node/ledger/ledger';

export interface LedgerFigures {
  steps: number;
  stepsPerSecond: number;
  /** CPU time per step (user+sys), per-step transactions with the anchor; 1e6 / this = steps/s on one free core. */
  cpuUsPerStep: number;
  cpuUsPerStepBatched: number;
  loadAverage: number;
  stepsPerSecondNoAnchor: number;
  /** Group commit: BATCH steps per transaction (Ledger.appendSteps), anchor on. */
  stepsPerSecondBatched: number;
  batch: number;
  maskUsPerStep: number;
  /** CPU per step of the ledger's own masking and JSON (action, outcome, reasons, effects, description), as appendSteps does it. */
  maskJsonCpuUs: number;
  /** CPU per step of the row id, the row JSON of the chain and its SHA-256. */
  hashCpuUs: number;
  bytesPerStep: number;
  openCheckMs: number;
  intact: boolean;
  groupCommit: GroupCommitFigure[];
}

export interface GroupCommitFigure {
  durability: LedgerDurability;
  /** The run log panel's indexes exist (they do once the panel has opened the ledger): every append writes them too. */
  panelIndexes: boolean;
  /** Where batches are written: the ledger's writer thread (what the gate does) or the producers' thread. */
  writer: 'thread' | 'main';
  producers: number;
  maxBatch: number;
  steps: number;
  stepsPerSecond: number;
  cpuUsPerStep: number;
  meanBatch: number;
  /** Median and p99 time from append() to its acknowledgement (committed), ms. */
  ackP50Ms: number;
  ackP99Ms: number;
  intact: boolean;
}

const WS = '/home/user/project';
const BATCH = 32;
const COMMANDS = [
  'npm test -- --watch=false',
  'git status --porcelain',
  'rm -rf build dist',
  'PGPASSWORD=s3cret-pw psql -h db.internal -U app -c "select count(*) from orders"',
  'curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib3QifQ.c2lnbmF0dXJlc2lnbmF0dXJl" https://api.example.com/v1/items',
  'grep -rn "TODO" src | head -50',
  'docker compose up -d --build',
  'git push origin feature/ledger',
];
const CONTENT = `export function handler(req, res) {\n  const token = getToken(req);\n  if (!token) return res.status(401).end();\n  return res.json({ ok: true });\n}\n`.repeat(4);

export function stepFor(runId: string, i: number): StepInput {
  const post = i % 2 === 1;
  const action = i % 5 === 4 ? { kind: 'file', op: 'write', path: `${WS}/src/f${i % 50}.ts`, cwd: WS, workspaceRoots: [WS], content: CONTENT } : { kind: 'shell', command: COMMANDS[i % COMMANDS.length]!, cwd: WS, workspaceRoots: [WS] };
  const now = new Date().toISOString();
  return {
    runId, event: post ? 'post' : 'pre', ...(post ? { refSeq: i } : {}), agent: 'claude', sessionId: 'bench', tool: action.kind === 'file' ? 'Write' : 'Bash', toolUseId: `toolu_${i.toString(36).padStart(8, '0')}`, kind: action.kind,
    action, actionHash: hashOf(action), decision: post ? 'outcome' : 'allow', reversibility: post ? 'n/a' : 'reversible', reasons: post ? [] : ['reversible and within policy'], rules: post ? [] : ['builtin.reversible'],
    effects: post ? [] : [{ kind: 'write', reversibility: 'reversible', detail: `writes ${WS}/src/f${i % 50}.ts`, target: `${WS}/src/f${i % 50}.ts` }], policyHash: 'a'.repeat(64),
    description: 'bench step', startedAt: now, decidedAt: now, durationUs: 250, ...(post ? { outcome: { exitCode: 0, durationMs: 12 } } : {}),
  };
}

/** Wall-clock steps/s, and CPU time (user+sys) of this process per step: the second is far less disturbed by other processes on a shared machine. */
function appendRate(path: string, steps: number, anchor: string | undefined, batch = 1): { perSecond: number; cpuUs: number } {
  const l = Ledger.open(path, anchor ? { anchor } : {});
  const runs = Array.from({ length: 8 }, (_, k) => l.runFor('claude', `bench-${k}`, new Date().toISOString()).id);
  const inputs = Array.from({ length: steps }, (_, i) => stepFor(runs[i % runs.length]!, i));
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  if (batch === 1) for (const s of inputs) l.appendStep(s);
  else for (let i = 0; i < inputs.length; i += batch) l.appendSteps(inputs.slice(i, i + batch));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  l.close(); // the last connection closing checkpoints the WAL into the database file
  return { perSecond: steps / secs, cpuUs: (c.user + c.system) / steps };
}

/** Sustained group commit: `producers` concurrent producers, each awaiting its step's commit before the next. */
export async function groupCommitRate(dir: string, steps: number, durability: LedgerDurability, producers = 1024, maxBatch = 512, panelIndexes = false, writer: 'thread' | 'main' = 'thread'): Promise<GroupCommitFigure> {
  const path = join(dir, `gc-${durability}${panelIndexes ? '-panel' : ''}-${writer}-${++gcRuns}.sqlite`);
  const home = join(dir, 'home-gc');
  const l = Ledger.open(path, { anchor: anchorPathFor(home, path), durability });
  if (panelIndexes) l.database().exec(INDEXES);
  const runs = Array.from({ length: 8 }, (_, k) => l.runFor('claude', `gc-${k}`, new Date().toISOString()).id);
  const inputs = Array.from({ length: steps }, (_, i) => stepFor(runs[i % runs.length]!, i));
  const gc = new GroupCommit(l, { maxBatch, maxQueue: Math.max(maxBatch, 4096) });
  // The gate writes on the ledger's own thread (src/node/ledger/ledgerWriter.ts); 'main' is the same group commit without it.
  if (writer === 'thread') gc.useWriter(await LedgerWriterThread.start(l.writeTarget()));
  const lat: number[] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: producers }, async () => {
      while (next < inputs.length) {
        const s = inputs[next++]!;
        const a = process.hrtime.bigint();
        await gc.append(s);
        lat.push(Number(process.hrtime.bigint() - a) / 1e6);
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  await gc.close();
  l.close();
  const r = Ledger.open(path, { anchor: anchorPathFor(home, path), readonly: true });
  const intact = r.integrity.ok && r.integrity.steps === steps;
  r.close();
  lat.sort((x, y) => x - y);
  return {
    durability, panelIndexes, writer, producers, maxBatch, steps, stepsPerSecond: steps / secs, cpuUsPerStep: (c.user + c.system) / steps, meanBatch: gc.stats.steps / gc.stats.transactions,
    ackP50Ms: lat[Math.floor(lat.length * 0.5)]!, ackP99Ms: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))]!, intact,
  };
}

export async function ledgerFigures(steps = 20_000): Promise<LedgerFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-ledger-'));
  try {
    const home = join(dir, 'home');
    const path = join(dir, 'ledger.sqlite');
    // Warm-up (JIT, page cache), then the measured runs.
    appendRate(join(dir, 'warm.sqlite'), 2000, undefined);
    const loadAverage = loadavg()[0]!;
    const stepsPerSecondNoAnchor = appendRate(join(dir, 'noanchor.sqlite'), steps, undefined).perSecond;
    const one = appendRate(path, steps, anchorPathFor(home, path));
    const stepsPerSecond = one.perSecond;
    const bytesPerStep = statSync(path).size / steps;
    const batched = appendRate(join(dir, 'batched.sqlite'), steps, anchorPathFor(home, join(dir, 'batched.sqlite')), BATCH);
    const stepsPerSecondBatched = batched.perSecond;

    const sample = Array.from({ length: 5000 }, (_, i) => stepFor('r', i));
    const m0 = process.hrtime.bigint();
    for (const s of sample) {
      maskDeep(s.action);
      maskDeep(s.effects);
      s.reasons.map((r) => maskDeep(r));
      if (s.description) maskDeep(s.description);
    }
    const maskUsPerStep = Number(process.hrtime.bigint() - m0) / 1000 / sample.length;
    // The ledger's own stages, in CPU time (less disturbed by other processes than the wall clock), on the same steps.
    const staged = (f: (s: StepInput) => unknown): number => {
      for (const s of sample.slice(0, 1000)) f(s);
      const c = process.cpuUsage();
      for (let k = 0; k < 4; k++) for (const s of sample) f(s);
      const u = process.cpuUsage(c);
      return (u.user + u.system) / (4 * sample.length);
    };
    const masks = (s: StepInput) => ({
      action_json: s.action === undefined ? null : maskedCanonicalJson(s.action),
      reasons_json: JSON.stringify(s.reasons.map(maskSecrets)),
      effects_json: s.effects.length ? JSON.stringify(maskDeep(s.effects)) : '[]',
      description: s.description === undefined ? null : maskSecrets(s.description),
      outcome_json: s.outcome === undefined ? null : maskedCanonicalJson(s.outcome),
    });
    const maskJsonCpuUs = staged(masks);
    // Format 3 (ledger schema 3): the stored values length-prefixed after the previous hash, one SHA-256 to 32 bytes.
    const prepared = sample.map((s) => prepareStep(s));
    let at = 0;
    const prevHex = 'f'.repeat(64);
    const hashCpuUs = staged(() => {
      const p = prepared[at++ % prepared.length]!;
      timeOrderedId();
      return sha256Bytes(hashInput(p, prevHex, at));
    });

    const c0 = process.hrtime.bigint();
    const l = Ledger.open(path, { anchor: anchorPathFor(home, path), readonly: true });
    const openCheckMs = Number(process.hrtime.bigint() - c0) / 1e6;
    const intact = l.integrity.ok && l.integrity.steps === steps;
    l.close();
    // The writer thread and the producers' own thread, alternated three times side by side (medians in the markdown),
    // after one group-commit run that is not counted: the first one also pays for compiling group commit's own code.
    await groupCommitRate(dir, Math.min(steps, 5000), 'process', 1024, 512, false, 'thread');
    const pairs: GroupCommitFigure[] = [];
    for (let k = 0; k < 3; k++) pairs.push(await groupCommitRate(dir, steps, 'process', 1024, 512, false, 'thread'), await groupCommitRate(dir, steps, 'process', 1024, 512, false, 'main'));
    const groupCommit = [...pairs, await groupCommitRate(dir, steps, 'process', 1024, 512, true), await groupCommitRate(dir, steps, 'power'), await groupCommitRate(dir, steps, 'power', 1024, 512, false, 'main')];
    return { groupCommit, steps, stepsPerSecond, cpuUsPerStep: one.cpuUs, cpuUsPerStepBatched: batched.cpuUs, loadAverage, stepsPerSecondNoAnchor, stepsPerSecondBatched, batch: BATCH, maskUsPerStep, maskJsonCpuUs, hashCpuUs, bytesPerStep, openCheckMs, intact };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Markdown for BENCHMARKS.md. */
export function ledgerMarkdown(f: LedgerFigures): string {
  return [
    '## Ledger',
    '',
    `Appending ${f.steps} steps (8 runs, half of them post outcomes, realistic commands and file contents, some with secrets), WAL, synchronous=NORMAL, hash chain and masking on; first rows: one immediate transaction per step (\`Ledger.appendStep\`, a lone request); the gate writes through group commit (second table):`,
    '',
    '| figure | value |',
    '| --- | --- |',
    `| sustained appends, chain + masking + anchor (wall clock) | ${Math.round(f.stepsPerSecond).toLocaleString('en-US')} steps/s |`,
    `| CPU time per step (user+sys) and what one free core sustains | ${f.cpuUsPerStep.toFixed(0)} µs → ${Math.round(1e6 / f.cpuUsPerStep).toLocaleString('en-US')} steps/s |`,
    `| same without the anchor file | ${Math.round(f.stepsPerSecondNoAnchor).toLocaleString('en-US')} steps/s |`,
    `| group commit, ${f.batch} steps per transaction (Ledger.appendSteps), anchor on | ${Math.round(f.stepsPerSecondBatched).toLocaleString('en-US')} steps/s (CPU ${f.cpuUsPerStepBatched.toFixed(0)} µs/step → ${Math.round(1e6 / f.cpuUsPerStepBatched).toLocaleString('en-US')} steps/s on one free core) |`,
    `| masking alone (maskDeep of action, effects, reasons, description; wall clock) | ${f.maskUsPerStep.toFixed(1)} µs/step |`,
    `| the ledger's masking + JSON of the masked fields, CPU | ${f.maskJsonCpuUs.toFixed(1)} µs/step |`,
    `| step id + the chain's hash input (format 3) + SHA-256, CPU | ${f.hashCpuUs.toFixed(1)} µs/step |`,
    `| size per step (after checkpoint) | ${Math.round(f.bytesPerStep)} bytes |`,
    `| integrity check at open (chain walk, sequences, anchor) | ${f.openCheckMs.toFixed(0)} ms for ${f.steps} steps |`,
    `| chain verifies afterwards | ${f.intact ? 'yes' : 'NO'} |`,
    '',
    `Load average at the start of the measurement: ${f.loadAverage.toFixed(1)} on ${cpus().length} cores (wall-clock rates drop when other processes share the machine; CPU time per step much less).`,
    '',
    'Group commit (`GroupCommit`, src/node/ledger/groupCommit.ts): concurrent producers each await their own step (acknowledged only once its transaction committed) before appending the next; one transaction per event-loop turn of up to `maxBatch` steps. Target: ≥ 50,000 steps/s sustained.',
    '',
    '| durability | written on | run log indexes | producers | max batch | steps | sustained steps/s (wall) | CPU µs/step (both threads) | mean batch | ack p50 / p99 ms | chain verifies |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...f.groupCommit.map((g) => `| ${g.durability === 'process' ? 'process (synchronous=NORMAL: survives SIGKILL)' : 'power (synchronous=FULL: fsync per commit)'} | ${g.writer === 'thread' ? 'writer thread' : 'producers\' thread'} | ${g.panelIndexes ? 'yes' : 'no'} | ${g.producers} | ${g.maxBatch} | ${g.steps} | ${Math.round(g.stepsPerSecond).toLocaleString('en-US')} | ${g.cpuUsPerStep.toFixed(1)} | ${g.meanBatch.toFixed(0)} | ${g.ackP50Ms.toFixed(1)} / ${g.ackP99Ms.toFixed(1)} | ${g.intact ? 'yes' : 'NO'} |`),
    '',
    ...sideBySide(f.groupCommit),
  ].join('\n');
}

/** Medians of the alternated thread / main pairs (process durability, no run log indexes). */
function sideBySide(g: GroupCommitFigure[]): string[] {
  const pick = (w: 'thread' | 'main'): number[] => g.filter((x) => x.writer === w && x.durability === 'process' && !x.panelIndexes).map((x) => x.stepsPerSecond).sort((a, b) => a - b);
  const t = pick('thread');
  const m = pick('main');
  if (!t.length || !m.length) return [];
  const med = (xs: number[]): number => xs[Math.floor(xs.length / 2)]!;
  return [`Side by side (process durability, ${t.length} alternated runs each, medians): writer thread ${Math.round(med(t)).toLocaleString('en-US')} steps/s, producers' thread ${Math.round(med(m)).toLocaleString('en-US')} steps/s, ratio ${(med(t) / med(m)).toFixed(2)}.`, ''];
}

if (require.main === module) {
  void ledgerFigures(Number(process.env.BENCH_LEDGER_STEPS ?? 20_000)).then((f) => process.stdout.write(`${ledgerMarkdown(f)}\n${JSON.stringify(f)}\n`));
}
