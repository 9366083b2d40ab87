/**
 * Editor figures for `npm run bench`:
 *   - bundle sizes: dist/*.js of a production build and the packaged linux-x64 .vsix;
 *   - extension activation time in a real VS Code (code-server 4.117, extension host on Node 22,
 *     headless Chromium), read from VS Code's own logs: from the extension host's line
 *     "ExtensionService#_doActivateExtension airlock-dev.airlock" (activation starts: before the
 *     bundle is required) to Airlock's "Airlock activated" log line (the end of activate(): the small
 *     entry dist/extension.js), and on to "Airlock started (armed)" (the full start, dist/extensionMain.js,
 *     has armed the gate: the time until agents are judged by this window's gate).
 *     Both are millisecond timestamps written by VS Code's loggers in the same process. Each run is
 *     a fresh code-server (fresh user-data, extensions dir, browser profile): cold activations.
 *     The span is split with the timestamps in Airlock's line (the bundle's first statement, the
 *     call of activate()) and set next to the same span of a do-nothing extension
 *     (bench/activationBaseline.ts) in its own fresh code-server each round: VS Code's own cost.
 *   - time from a hook request to the approval prompt being visible (approvalPromptFigures);
 *   - for context, workbench load: page navigation to `.monaco-workbench` in the browser.
 *
 * Usage: `editorFigures(runs)` returns the numbers; `editorSection(figures)` the BENCHMARKS.md lines.
 * Standalone: `node --import tsx bench/editor.ts [runs]` prints the section; `bench/editor.ts approval [n]`
 *   only the hook-request-to-approval-prompt figure (approvalPromptFigures); `bench/editor.ts activation [n]`
 *   only the activation rows (Airlock and the do-nothing baseline extension side by side).
 * Needs the e2e cache (node scripts/e2e-setup.mjs) and /usr/bin/chromium.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2ePaths, readSetupStamp } from '../scripts/e2e-paths.mjs';
import { BASELINE_ID, BASELINE_LINE, baselineVsix } from './activationBaseline';
import { packageTarget } from '../scripts/package-target.mjs';
import { approvalPromptOnce, EXT_ID, shopWorkspace, windowDiscovery } from '../test/support/airlockVsCode';
import { startVsCode, until } from '../test/support/vscode';

const root = join(__dirname, '..');

export interface EditorFigures {
  bundles: Array<{ file: string; bytes: number }>;
  vsix: { bytes: number };
  /** ms from VS Code starting the activation to activate() returning (the epoch in Airlock's "Airlock activated … at T" line), one per fresh code-server. */
  activationMs: number[];
  /** ms from VS Code starting the activation to the "Airlock activated" line being written (its log timestamp: the log channel's round trip), same runs. */
  loggedMs: number[];
  /** The same for the do-nothing baseline (its line written). */
  baselineLoggedMs: number[];
  /** ms inside activate() as the extension records it ("Airlock activated (…) in N ms"), same runs. */
  activateMs: number[];
  /** ms from VS Code starting the activation to the gate armed (the epoch in "Airlock started (armed) … at T"), same runs. */
  armedMs: number[];
  /** The full start's parts as the extension records them ("main bundle loaded in …, features registered in …, gate started in …"), same runs. */
  mainLoadMs: number[];
  registerMs: number[];
  gateStartMs: number[];
  /** ms from VS Code's activation line to the bundle's first statement (VS Code's work, reading and compiling dist/extension.js), same runs. */
  beforeEvalMs: number[];
  /** ms evaluating dist/extension.js (its first statement to activate() being called), same runs. */
  evalMs: number[];
  /** The same span for an extension that does nothing (bench/activationBaseline.ts), in the same code-server runs. */
  baselineMs: number[];
  /** ms from page navigation to the workbench DOM, same runs. */
  workbenchMs: number[];
  /** ms from spawning the hook shim with an ask-worthy request to its notification in the page, one VS Code, several requests. */
  approvalPromptMs: number[];
  codeServer: string;
  node: string;
}

/** "2026-11-21 02:23:25.554 [info] ..." -> ms since epoch (local clock, same process family). */
function stamp(line: string): number {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})/.exec(line);
  if (!m) throw new Error(`no timestamp in log line: ${line}`);
  return Date.parse(`${m[1]}T${m[2]}`);
}

/**
 * Epoch ms the line's work ended at, from the extension's own clock: "… at T" (Airlock's lines, the
 * baseline's), else for a build without it "in N ms (bundle evaluated in X ms from T0)" → T0 + X + N,
 * else the line's log timestamp (when it was written: later, once the log channel is ready).
 */
function returnedAt(line: string): number {
  const at = / at (\d{12,}(?:\.\d+)?)\s*$/.exec(line);
  if (at) return Number(at[1]);
  const parts = / in (\d+) ms \(bundle evaluated in (\d+) ms from ([\d.]+)\)/.exec(line);
  if (parts) return Number(parts[3]) + Number(parts[2]) + Number(parts[1]);
  return stamp(line);
}

/**
 * The activation figures only (no approval prompt). Each run is fresh code-servers one after the
 * other: the do-nothing baseline extension alone, then Airlock alone (same settings, same event),
 * and with compareVsix another build of Airlock alone (before them in even runs, after in odd).
 */
export async function activationFigures(runs: number, vsix: string, work: string, compareVsix?: string): Promise<Pick<EditorFigures, 'activationMs' | 'loggedMs' | 'baselineLoggedMs' | 'activateMs' | 'beforeEvalMs' | 'evalMs' | 'baselineMs' | 'workbenchMs' | 'armedMs' | 'mainLoadMs' | 'registerMs' | 'gateStartMs'> & { compareMs: number[]; compareLoggedMs: number[]; compareArmedMs: number[]; compareParts: Array<{ beforeEval: number; evaluate: number; activate: number }> }> {
  const paths = e2ePaths();
  const baseline = baselineVsix(work);
  const activationMs: number[] = [];
  const workbenchMs: number[] = [];
  const activateMs: number[] = [];
  const beforeEvalMs: number[] = [];
  const evalMs: number[] = [];
  const baselineMs: number[] = [];
  const loggedMs: number[] = [];
  const baselineLoggedMs: number[] = [];
  const compareLoggedMs: number[] = [];
  const armedMs: number[] = [];
  const mainLoadMs: number[] = [];
  const registerMs: number[] = [];
  const gateStartMs: number[] = [];
  const compareMs: number[] = [];
  const compareArmedMs: number[] = [];
  const compareParts: Array<{ beforeEval: number; evaluate: number; activate: number }> = [];
  // Another build of Airlock (e.g. before a change), in its own fresh code-server: before Airlock in
  // even rounds, after it in odd ones (the order inside a round is not a bias).
  const compareRun = async (): Promise<void> => {
    if (!compareVsix) return;
    const cvs = await startVsCode({ paths, vsix: compareVsix });
    try {
      const done = await until('"Airlock activated"', () => cvs.extensionLog(EXT_ID).split('\n').find((l) => /Airlock activated/.test(l)), 90_000);
      const begin = cvs.extHostLog().split('\n').find((l) => l.includes(`_doActivateExtension ${EXT_ID},`));
      if (!begin) throw new Error('no _doActivateExtension line for Airlock (compared build) in the extension host log');
      compareMs.push(Math.round(returnedAt(done) - stamp(begin)));
      compareLoggedMs.push(stamp(done) - stamp(begin));
      // A build from before the split armed the gate inside activate(): its "activated (armed)" line is both.
      const up = /Airlock activated \(armed\)/.test(done) ? done : await until('"Airlock started"', () => cvs.extensionLog(EXT_ID).split('\n').find((l) => /Airlock started \(/.test(l)), 90_000);
      compareArmedMs.push(Math.round(returnedAt(up) - stamp(begin)));
      const inside = / in (\d+) ms/.exec(done);
      const load = /bundle evaluated in (\d+) ms from ([\d.]+)/.exec(done);
      if (inside && load) compareParts.push({ beforeEval: Math.round(Number(load[2]) - stamp(begin)), evaluate: Number(load[1]), activate: Number(inside[1]) });
    } finally {
      await cvs.stop();
    }
  };
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) await compareRun();
    const t0 = Date.now();
    // The baseline first, in its own fresh code-server: installed next to Airlock, both activate on
    // onStartupFinished at the same moment and the baseline's span would hold Airlock's load.
    const bvs = await startVsCode({ paths, vsix: baseline });
    try {
      const baseDone = await until(`"${BASELINE_LINE}"`, () => bvs.extensionLog(BASELINE_ID).split('\n').find((l) => l.includes(BASELINE_LINE)), 90_000);
      const baseBegin = bvs.extHostLog().split('\n').find((l) => l.includes(`_doActivateExtension ${BASELINE_ID},`));
      if (!baseBegin) throw new Error('no _doActivateExtension line for the baseline in the extension host log');
      baselineMs.push(Math.round(returnedAt(baseDone) - stamp(baseBegin)));
      baselineLoggedMs.push(stamp(baseDone) - stamp(baseBegin));
    } finally {
      await bvs.stop();
    }
    const vs = await startVsCode({ paths, vsix });
    try {
      // startVsCode returns once the workbench and its status bar are there: an upper bound that
      // includes code-server start; the browser-side figure is the navigation timing below.
      const nav = await vs.page.evaluate(() => {
        const e = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
        return e ? e.domContentLoadedEventEnd : NaN;
      });
      const done = await until('"Airlock activated"', () => vs.extensionLog(EXT_ID).split('\n').find((l) => /Airlock activated/.test(l)), 90_000);
      const begin = vs.extHostLog().split('\n').find((l) => l.includes(`_doActivateExtension ${EXT_ID},`));
      if (!begin) throw new Error('no _doActivateExtension line for Airlock in the extension host log');
      activationMs.push(Math.round(returnedAt(done) - stamp(begin)));
      loggedMs.push(stamp(done) - stamp(begin));
      const up = await until('"Airlock started"', () => vs.extensionLog(EXT_ID).split('\n').find((l) => /Airlock started \(/.test(l)), 90_000);
      if (!/Airlock started \(armed\)/.test(up)) throw new Error(`the gate did not arm: ${up}`);
      armedMs.push(Math.round(returnedAt(up) - stamp(begin)));
      const parts = /main bundle loaded in (\d+) ms, features registered in (\d+) ms, gate started in (\d+) ms/.exec(up);
      if (parts) {
        mainLoadMs.push(Number(parts[1]));
        registerMs.push(Number(parts[2]));
        gateStartMs.push(Number(parts[3]));
      }
      const inside = / in (\d+) ms/.exec(done);
      if (inside) activateMs.push(Number(inside[1]));
      const load = /bundle evaluated in (\d+) ms from ([\d.]+)/.exec(done);
      if (load) {
        evalMs.push(Number(load[1]));
        beforeEvalMs.push(Math.round(Number(load[2]) - stamp(begin)));
      }
      workbenchMs.push(Number.isFinite(nav) ? nav : Date.now() - t0);
    } finally {
      await vs.stop();
    }
    if (i % 2 === 1) await compareRun();
  }
  return { activationMs, loggedMs, baselineLoggedMs, compareLoggedMs, activateMs, beforeEvalMs, evalMs, baselineMs, workbenchMs, armedMs, mainLoadMs, registerMs, gateStartMs, compareMs, compareArmedMs, compareParts };
}

export async function editorFigures(runs = 3): Promise<EditorFigures> {
  const paths = e2ePaths();
  const setup = readSetupStamp(paths);
  if (!setup) throw new Error(`the e2e cache is not set up (${paths.root}): run node scripts/e2e-setup.mjs`);
  const work = mkdtempSync(join(tmpdir(), 'airlock-bench-editor-'));
  try {
    const vsix = await packageTarget({ out: join(work, 'airlock-linux-x64.vsix'), quiet: true });
    const bundles = readdirSync(join(root, 'dist'))
      .filter((f) => f.endsWith('.js'))
      .sort()
      .map((f) => ({ file: `dist/${f}`, bytes: statSync(join(root, 'dist', f)).size }));
    const activation = await activationFigures(runs, vsix, work);
    const approvalPromptMs = await approvalPromptFigures(runs + 2, vsix);
    return { bundles, vsix: { bytes: statSync(vsix).size }, ...activation, approvalPromptMs, codeServer: setup.codeServerVersion, node: setup.nodeVersion };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Time from a hook request to the approval prompt being visible (test/support/airlockVsCode.ts
 * approvalPromptOnce): one code-server with the packaged extension on the demo workspace, `runs`
 * requests one after another (each rejected from the page before the next), the first one included.
 */
export async function approvalPromptFigures(runs = 5, vsixIn?: string): Promise<number[]> {
  const paths = e2ePaths();
  const work = mkdtempSync(join(tmpdir(), 'airlock-bench-approval-'));
  try {
    const vsix = vsixIn ?? (await packageTarget({ out: join(work, 'airlock-linux-x64.vsix'), quiet: true }));
    const ws = shopWorkspace(join(work, 'shop'));
    const vs = await startVsCode({ paths, vsix, workspace: ws });
    try {
      await until('"Airlock started (armed)"', () => /Airlock started \(armed\)/.test(vs.extensionLog(EXT_ID)), 90_000);
      const discovery = await windowDiscovery(vs.dirs.airlockHome);
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await approvalPromptOnce({ page: vs.page, extensionsDir: vs.dirs.extensions, workspace: ws, discovery, airlockHome: vs.dirs.airlockHome, tag: `b${i}` });
        if (!/"deny"/.test(r.shimStdout)) throw new Error(`the rejected prompt did not answer deny: ${r.shimStdout}`);
        out.push(r.ms);
      }
      return out;
    } finally {
      await vs.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const kib = (b: number): string => `${(b / 1024).toFixed(0)} KiB`;
const med = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

/** The activation rows of the table: the target row first, then its parts and the baseline, then the time until the gate is armed and its parts. */
export function activationRows(f: Pick<EditorFigures, 'activationMs' | 'loggedMs' | 'baselineLoggedMs' | 'activateMs' | 'beforeEvalMs' | 'evalMs' | 'baselineMs' | 'armedMs' | 'mainLoadMs' | 'registerMs' | 'gateStartMs'>): string[] {
  const row = (what: string, xs: number[]) => `| ${what} | ${xs.length} | ${med(xs).toFixed(0)} | ${xs.join(', ')} |`;
  const out = [row('**extension activation (VS Code\'s span: its activation line to activate() returning; target ≤ 100 ms)**', f.activationMs)];
  if (f.beforeEvalMs.length) out.push(row('· of which VS Code before the bundle runs (its activation work, read and compile dist/extension.js)', f.beforeEvalMs));
  if (f.evalMs.length) out.push(row('· of which evaluating dist/extension.js (first statement to activate())', f.evalMs));
  if (f.activateMs.length) out.push(row('· of which activate() (log channel, "starting" status bar item, command trampolines)', f.activateMs));
  if (f.baselineMs.length) out.push(row(`baseline: the same span for an extension that does nothing (${BASELINE_ID}, a fresh code-server just before each Airlock run)`, f.baselineMs));
  if (f.loggedMs.length) out.push(row('VS Code\'s activation line to the "Airlock activated" line written (the log channel\'s round trip; waits while the extension host loads dist/extensionMain.js)', f.loggedMs));
  if (f.baselineLoggedMs.length) out.push(row('baseline: the same, to its line written', f.baselineLoggedMs));
  if (f.armedMs.length) out.push(row('**gate armed: VS Code\'s activation line to "Airlock started (armed)" (agents judged by this window\'s gate)**', f.armedMs));
  if (f.mainLoadMs.length) out.push(row('· of which loading dist/extensionMain.js (read, compile, evaluate; right after activate() returned)', f.mainLoadMs));
  if (f.registerMs.length) out.push(row('· of which the features registered (gate host built, commands, views, status bar bound)', f.registerMs));
  if (f.gateStartMs.length) out.push(row('· of which gate.start() (ledger opened, policy loaded, bridge listening, discovery file written)', f.gateStartMs));
  return out;
}

export function editorSection(f: EditorFigures): string[] {
  const out: string[] = [];
  out.push(`Production build (minified). Activation in code-server ${f.codeServer} (VS Code ${f.codeServer.replace(/^4\./, '1.')}, extension host on Node ${f.node}), a fresh instance per run, timed from VS Code's log line that starts the activation of ${EXT_ID} to the moment Airlock's activate() returned (the epoch ms in its "Airlock activated … at T" line; the line itself is written later, once the log channel is ready) and to "Airlock started (armed) … at T" (the full start has armed the gate).`);
  out.push('');
  out.push('| artifact | size |');
  out.push('| --- | ---: |');
  for (const b of f.bundles) out.push(`| ${b.file} | ${kib(b.bytes)} |`);
  out.push(`| airlock-linux-x64.vsix | ${kib(f.vsix.bytes)} |`);
  out.push('');
  out.push('| measure | runs | median ms | all runs ms |');
  out.push('| --- | ---: | ---: | --- |');
  out.push(...activationRows(f));
  if (f.approvalPromptMs.length) out.push(`| hook request → approval notification visible (shim spawn to toast in the DOM) | ${f.approvalPromptMs.length} | ${med(f.approvalPromptMs).toFixed(0)} | ${f.approvalPromptMs.join(', ')} |`);
  out.push(`| workbench DOMContentLoaded in Chromium (context) | ${f.workbenchMs.length} | ${med(f.workbenchMs).toFixed(0)} | ${f.workbenchMs.map((x) => x.toFixed(0)).join(', ')} |`);
  return out;
}

if (require.main === module && process.argv[2] === 'activation') {
  // Only the activation rows (no approval prompt figure): `bench/editor.ts activation [runs] [--no-build] [--compare OTHER.vsix]`.
  const ci = process.argv.indexOf('--compare');
  const compare = ci > 0 ? process.argv[ci + 1] : undefined;
  const work = mkdtempSync(join(tmpdir(), 'airlock-bench-activation-'));
  packageTarget({ out: join(work, 'airlock-linux-x64.vsix'), quiet: true, build: !process.argv.includes('--no-build') })
    .then((vsix) => activationFigures(Number(process.argv[3] ?? 3), vsix, work, compare))
    .then((f) => {
      console.log(`dist/extension.js ${kib(statSync(join(root, 'dist', 'extension.js')).size)}, dist/extensionMain.js ${kib(statSync(join(root, 'dist', 'extensionMain.js')).size)}`);
      console.log('| measure | runs | median ms | all runs ms |\n| --- | ---: | ---: | --- |');
      console.log(activationRows(f).join('\n'));
      if (compare) {
        console.log(`| the same span for ${compare} (same rounds) | ${f.compareMs.length} | ${med(f.compareMs).toFixed(0)} | ${f.compareMs.join(', ')} |`);
        console.log(`| to its line written, ${compare} | ${f.compareLoggedMs.length} | ${med(f.compareLoggedMs).toFixed(0)} | ${f.compareLoggedMs.join(', ')} |`);
        console.log(`| gate armed for ${compare} (same rounds) | ${f.compareArmedMs.length} | ${med(f.compareArmedMs).toFixed(0)} | ${f.compareArmedMs.join(', ')} |`);
        const parts = (k: 'beforeEval' | 'evaluate' | 'activate') => f.compareParts.map((p) => p[k]);
        if (f.compareParts.length) for (const k of ['beforeEval', 'evaluate', 'activate'] as const) console.log(`| · ${k} (${compare}) | ${f.compareParts.length} | ${med(parts(k)).toFixed(0)} | ${parts(k).join(', ')} |`);
      }
    })
    .catch((e: Error) => {
      console.error(e.stack ?? e.message);
      process.exitCode = 1;
    })
    .finally(() => rmSync(work, { recursive: true, force: true }));
} else if (require.main === module && process.argv[2] === 'approval') {
  approvalPromptFigures(Number(process.argv[3] ?? 5))
    .then((xs) => console.log(`hook request -> approval notification visible: median ${med(xs)} ms (${xs.join(', ')})`))
    .catch((e: Error) => {
      console.error(e.stack ?? e.message);
      process.exit(1);
    });
} else if (require.main === module) {
  editorFigures(Number(process.argv[2] ?? 3))
    .then((f) => console.log(editorSection(f).join('\n')))
    .catch((e: Error) => {
      console.error(e.stack ?? e.message);
      process.exit(1);
    });
}
