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
 *     Next to the span, VS Code's own activation time for each, as "Developer: Show Running
 *     Extensions" shows it (bench/runningExtensions.ts: module load + the activate() call, without
 *     the wait for the extension context).
 *     Optional arms: the baseline carrying Airlock's package.json contributions (--contributes), another
 *     build of Airlock (--compare); --trace adds, from the extension host's trace log, when VS Code
 *     called activate() for the extension and for a built-in activated in the same tick.
 *   - time from a hook request to the approval prompt being visible (approvalPromptFigures);
 *   - for context, workbench load: page navigation to `.monaco-workbench` in the browser.
 *
 * Usage: `editorFigures(runs)` returns the numbers; `editorSection(figures)` the BENCHMARKS.md lines.
 * Standalone: `node --import tsx bench/editor.ts [runs]` prints the section; `bench/editor.ts approval [n]`
 *   only the hook-request-to-approval-prompt figure (approvalPromptFigures); `bench/editor.ts activation [n]`
 *   only the activation rows (Airlock and the do-nothing baseline extension side by side).
 * Needs the e2e cache (node scripts/e2e-setup.mjs) and /usr/bin/chromium.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2ePaths, readSetupStamp } from '../scripts/e2e-paths.mjs';
import { BASELINE_ID, BASELINE_LINE, BASELINE_NAMES, baselineId, baselineVsix, swappedEntryVsix } from './activationBaseline';
import { runningExtensions } from './runningExtensions';
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
  /** VS Code's own activation time for Airlock ("Developer: Show Running Extensions": codeLoadingTime + activateCallTime), same runs. */
  vscodeMs: number[];
  /** The same for the baseline. */
  baselineVscodeMs: number[];
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

/** One activation measured in its own fresh code-server (one arm of a round). */
export interface ArmRun {
  /** VS Code's "_doActivateExtension" line to activate() returning (the epoch in the extension's "… at T"). */
  span: number;
  /** The same to the extension's line written (its log timestamp: the log channel's round trip). */
  logged: number;
  /** VS Code's line to the module's first statement; first statement to activate() called; activate() itself. */
  beforeEval?: number;
  evaluate?: number;
  activate?: number;
  /** VS Code's own activation time for it, as "Developer: Show Running Extensions" shows it (codeLoadingTime + activateCallTime). */
  vscode?: number;
  /** ms from page navigation to the workbench's DOMContentLoaded (context). */
  workbench?: number;
  /** Other extensions whose activation VS Code started while this one's ran (from 50 ms before its line to activate() returning). */
  concurrent: string[];
  /**
   * With the extension host at trace level (`--trace`): VS Code's activation line to its
   * "_callActivateOptional" line (activate() called: module loaded and extension context built), for
   * this extension and for vscode.debug-auto-launch, a built-in activated on onStartupFinished in the
   * same tick (the same wait for a do-nothing built-in: what is the window's, not the extension's).
   */
  called?: number;
  peerCalled?: number;
  /** Airlock only: its line to "Airlock started (armed)", and the full start's parts. */
  armed?: number;
  mainLoad?: number;
  register?: number;
  gateStart?: number;
}

/** The arms of a round: Airlock, the do-nothing baseline, optionally the baseline with Airlock's contributions, optionally another Airlock build. */
export type ArmName = 'airlock' | 'baseline' | 'contributes' | 'swapped' | 'compare';

/** The built-in extension activated on onStartupFinished in the same tick as Airlock (and the baselines). */
const PEER_ID = 'vscode.debug-auto-launch';

async function measureArm(o: { vsix: string; id: string; displayName: string; line: RegExp; airlock: boolean; readVsCode: boolean; trace?: boolean }): Promise<ArmRun> {
  const paths = e2ePaths();
  const vs = await startVsCode({ paths, vsix: o.vsix, ...(o.trace ? { args: ['--log', 'trace'] } : {}) });
  try {
    const nav = await vs.page.evaluate(() => {
      const e = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return e ? e.domContentLoadedEventEnd : NaN;
    });
    const done = await until(`${o.line}`, () => vs.extensionLog(o.id).split('\n').find((l) => o.line.test(l)), 90_000);
    const hostLog = vs.extHostLog().split('\n');
    const begin = hostLog.find((l) => l.includes(`_doActivateExtension ${o.id},`));
    if (!begin) throw new Error(`no _doActivateExtension line for ${o.id} in the extension host log`);
    const t0 = stamp(begin);
    const returned = returnedAt(done);
    const run: ArmRun = { span: Math.round(returned - t0), logged: stamp(done) - t0, concurrent: [], ...(Number.isFinite(nav) ? { workbench: Math.round(nav) } : {}) };
    for (const l of hostLog) {
      const m = /_doActivateExtension ([^,\s]+),/.exec(l);
      if (m && m[1] !== o.id && /^\d{4}-/.test(l) && stamp(l) >= t0 - 50 && stamp(l) <= returned) run.concurrent.push(m[1]!);
    }
    if (o.trace) {
      // "_callActivateOptional" is written at trace level only, right before VS Code calls activate().
      const calledFor = (id: string): number | undefined => {
        const a = hostLog.find((l) => l.includes(`_doActivateExtension ${id},`));
        const c = hostLog.find((l) => l.includes(`_callActivateOptional ${id}`) && /^\d{4}-/.test(l));
        return a && c ? stamp(c) - stamp(a) : undefined;
      };
      const [mine, peer] = [calledFor(o.id), calledFor(PEER_ID)];
      if (mine !== undefined) run.called = mine;
      if (peer !== undefined) run.peerCalled = peer;
    }
    const inside = / in (\d+) ms/.exec(done);
    if (inside) run.activate = Number(inside[1]);
    const load = /bundle evaluated in (\d+) ms from ([\d.]+)/.exec(done);
    if (load) {
      run.evaluate = Number(load[1]);
      run.beforeEval = Math.round(Number(load[2]) - t0);
    }
    if (o.airlock) {
      // A build from before the split armed the gate inside activate(): its "activated (armed)" line is both.
      const up = /Airlock activated \(armed\)/.test(done) ? done : await until('"Airlock started"', () => vs.extensionLog(o.id).split('\n').find((l) => /Airlock started \(/.test(l)), 90_000);
      if (!/\(armed\)/.test(up)) throw new Error(`the gate did not arm: ${up}`);
      run.armed = Math.round(returnedAt(up) - t0);
      const parts = /main bundle loaded in (\d+) ms, features registered in (\d+) ms, gate started in (\d+) ms/.exec(up);
      if (parts) [run.mainLoad, run.register, run.gateStart] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
    }
    // Read after the timed part: opening the editor must not weigh on the activation it reports.
    if (o.readVsCode) run.vscode = (await runningExtensions(vs, o.displayName)).row.ms;
    return run;
  } finally {
    await vs.stop();
  }
}

/**
 * The activation figures only (no approval prompt). Each round runs every arm once, each in its own
 * fresh code-server (same settings, same activation event: onStartupFinished), one after the other;
 * the order rotates from round to round (Airlock first in one, the baseline first in the next), so
 * the order inside a round is not a bias. Arms: Airlock, the do-nothing baseline, with `contributes`
 * the baseline carrying Airlock's package.json contributions, with `compareVsix` another build of Airlock.
 */
export async function activationFigures(runs: number, vsix: string, work: string, opts: { compareVsix?: string; contributes?: boolean; swapped?: boolean; readVsCode?: boolean; trace?: boolean } = {}): Promise<Record<ArmName, ArmRun[]>> {
  const out: Record<ArmName, ArmRun[]> = { airlock: [], baseline: [], contributes: [], swapped: [], compare: [] };
  const readVsCode = opts.readVsCode ?? true;
  const trace = opts.trace ?? false;
  const arms: Array<[ArmName, () => Promise<ArmRun>]> = [];
  const baseline = baselineVsix(work, 'plain');
  arms.push(['airlock', () => measureArm({ vsix, id: EXT_ID, displayName: 'Airlock', line: /Airlock activated/, airlock: true, readVsCode, trace })]);
  arms.push(['baseline', () => measureArm({ vsix: baseline, id: BASELINE_ID, displayName: BASELINE_NAMES.plain, line: new RegExp(BASELINE_LINE), airlock: false, readVsCode, trace })]);
  if (opts.contributes) {
    const contrib = baselineVsix(work, 'contributes');
    arms.push(['contributes', () => measureArm({ vsix: contrib, id: baselineId('contributes'), displayName: BASELINE_NAMES.contributes, line: new RegExp(BASELINE_LINE), airlock: false, readVsCode, trace })]);
  }
  if (opts.swapped) {
    const sv = await swappedEntryVsix(vsix, work);
    arms.push(['swapped', () => measureArm({ vsix: sv, id: EXT_ID, displayName: 'Airlock', line: new RegExp(BASELINE_LINE), airlock: false, readVsCode, trace })]);
  }
  if (opts.compareVsix) {
    const cv = opts.compareVsix;
    arms.push(['compare', () => measureArm({ vsix: cv, id: EXT_ID, displayName: 'Airlock', line: /Airlock activated/, airlock: true, readVsCode, trace })]);
  }
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < arms.length; k++) {
      const [name, run] = arms[(i + k) % arms.length]!;
      out[name].push(await run());
    }
  }
  return out;
}

/** The legacy per-measure arrays of EditorFigures from Airlock's and the baseline's runs. */
function airlockArrays(f: Record<ArmName, ArmRun[]>): Pick<EditorFigures, 'activationMs' | 'loggedMs' | 'baselineLoggedMs' | 'activateMs' | 'beforeEvalMs' | 'evalMs' | 'baselineMs' | 'armedMs' | 'mainLoadMs' | 'registerMs' | 'gateStartMs' | 'vscodeMs' | 'baselineVscodeMs'> {
  const pick = (xs: ArmRun[], k: keyof ArmRun): number[] => xs.map((r) => r[k]).filter((v): v is number => typeof v === 'number');
  const a = f.airlock;
  const b = f.baseline;
  return {
    activationMs: pick(a, 'span'), loggedMs: pick(a, 'logged'), activateMs: pick(a, 'activate'), beforeEvalMs: pick(a, 'beforeEval'), evalMs: pick(a, 'evaluate'),
    armedMs: pick(a, 'armed'), mainLoadMs: pick(a, 'mainLoad'), registerMs: pick(a, 'register'), gateStartMs: pick(a, 'gateStart'), vscodeMs: pick(a, 'vscode'),
    baselineMs: pick(b, 'span'), baselineLoggedMs: pick(b, 'logged'), baselineVscodeMs: pick(b, 'vscode'),
  };
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
    const workbenchMs = activation.airlock.map((r) => r.workbench).filter((v): v is number => v !== undefined);
    const approvalPromptMs = await approvalPromptFigures(runs + 2, vsix);
    return { bundles, vsix: { bytes: statSync(vsix).size }, ...airlockArrays(activation), workbenchMs, approvalPromptMs, codeServer: setup.codeServerVersion, node: setup.nodeVersion };
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

/** The activation rows of the table: the target row and VS Code's own figure first, then the parts and the baseline, then the time until the gate is armed and its parts. */
export function activationRows(f: Pick<EditorFigures, 'activationMs' | 'loggedMs' | 'baselineLoggedMs' | 'activateMs' | 'beforeEvalMs' | 'evalMs' | 'baselineMs' | 'armedMs' | 'mainLoadMs' | 'registerMs' | 'gateStartMs' | 'vscodeMs' | 'baselineVscodeMs'>): string[] {
  const row = (what: string, xs: number[]) => `| ${what} | ${xs.length} | ${med(xs).toFixed(0)} | ${xs.join(', ')} |`;
  const out = [row('**extension activation (VS Code\'s span: its activation line to activate() returning; target ≤ 100 ms)**', f.activationMs)];
  if (f.vscodeMs.length) out.push(row('**VS Code\'s own activation time ("Developer: Show Running Extensions": module load + activate() call)**', f.vscodeMs));
  if (f.beforeEvalMs.length) out.push(row('· of which VS Code before the bundle runs (its activation work, read and compile dist/extension.js)', f.beforeEvalMs));
  if (f.evalMs.length) out.push(row('· of which dist/extension.js\'s first statement to activate() called (evaluation, then VS Code\'s extension context)', f.evalMs));
  if (f.activateMs.length) out.push(row('· of which activate() (log channel, "starting" status bar item, command trampolines)', f.activateMs));
  if (f.baselineMs.length) out.push(row(`baseline: the same span for an extension that does nothing (${BASELINE_ID}, its own fresh code-server each round)`, f.baselineMs));
  if (f.baselineVscodeMs.length) out.push(row('baseline: VS Code\'s own activation time', f.baselineVscodeMs));
  if (f.loggedMs.length) out.push(row('VS Code\'s activation line to the "Airlock activated" line written (the log channel\'s round trip; waits while the extension host loads dist/extensionMain.js)', f.loggedMs));
  if (f.baselineLoggedMs.length) out.push(row('baseline: the same, to its line written', f.baselineLoggedMs));
  if (f.armedMs.length) out.push(row('**gate armed: VS Code\'s activation line to "Airlock started (armed)" (agents judged by this window\'s gate)**', f.armedMs));
  if (f.mainLoadMs.length) out.push(row('· of which loading dist/extensionMain.js (read, compile, evaluate; right after activate() returned)', f.mainLoadMs));
  if (f.registerMs.length) out.push(row('· of which the features registered (gate host built, commands, views, status bar bound)', f.registerMs));
  if (f.gateStartMs.length) out.push(row('· of which gate.start() (ledger opened, policy loaded, bridge listening, discovery file written)', f.gateStartMs));
  return out;
}

/** The arms side by side: one row per measure, a column per arm (medians, all runs below), and the ratios to the baseline. */
export function armTable(f: Record<ArmName, ArmRun[]>, labels: Partial<Record<ArmName, string>> = {}): string[] {
  const arms = (['airlock', 'baseline', 'contributes', 'swapped', 'compare'] as const).filter((a) => f[a].length);
  const name = (a: ArmName) => labels[a] ?? { airlock: 'Airlock', baseline: 'baseline (does nothing)', contributes: 'baseline + Airlock\'s contributions', swapped: 'Airlock\'s package, do-nothing entry', compare: 'Airlock (compared build)' }[a];
  const measures: Array<[keyof ArmRun, string]> = [
    ['span', 'span: VS Code\'s activation line to activate() returned'],
    ['vscode', 'VS Code\'s own activation time (Running Extensions)'],
    ['beforeEval', '· VS Code\'s line to the module\'s first statement'],
    ['evaluate', '· first statement to activate() called (evaluation + waiting for the extension context)'],
    ['activate', '· activate()'],
    ['called', 'trace: VS Code\'s activation line to activate() called (its _callActivateOptional line)'],
    ['peerCalled', `trace: the same for ${PEER_ID} (a built-in, same tick)`],
    ['logged', 'to the extension\'s log line written'],
    ['armed', 'gate armed'],
  ];
  const vals = (a: ArmName, k: keyof ArmRun): number[] => f[a].map((r) => r[k]).filter((v): v is number => typeof v === 'number');
  const out = [`| measure (median ms; all runs) | ${arms.map(name).join(' | ')} |${arms.includes('baseline') ? ` ${arms.filter((a) => a !== 'baseline').map((a) => `${name(a)} / baseline`).join(' | ')} |` : ''}`];
  out.push(`| --- |${arms.map(() => ' --- |').join('')}${arms.includes('baseline') ? arms.filter((a) => a !== 'baseline').map(() => ' ---: |').join('') : ''}`);
  for (const [k, what] of measures) {
    if (!arms.some((a) => vals(a, k).length)) continue;
    const cells = arms.map((a) => (vals(a, k).length ? `${med(vals(a, k))} (${vals(a, k).join(', ')})` : '—'));
    const ratios = arms.includes('baseline') ? arms.filter((a) => a !== 'baseline').map((a) => (vals(a, k).length && vals('baseline', k).length ? (med(vals(a, k)) / med(vals('baseline', k))).toFixed(2) : '—')) : [];
    out.push(`| ${what} | ${cells.join(' | ')} |${ratios.length ? ` ${ratios.join(' | ')} |` : ''}`);
  }
  for (const a of arms) {
    const conc = f[a].map((r) => r.concurrent.length);
    out.push(`| runs with another extension's activation started inside ${name(a)}'s span | ${conc.filter((n) => n > 0).length} of ${conc.length}${[...new Set(f[a].flatMap((r) => r.concurrent))].map((x) => ` ${x}`).join(',')} |`);
  }
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
  // Only the activation figures (no approval prompt):
  //   `bench/editor.ts activation [runs] [--no-build] [--contributes] [--swapped-entry] [--no-vscode-times] [--trace] [--compare OTHER.vsix]`
  // (--trace: the extension host logs at trace level, which adds the "activate() called" rows and slows everything a little).
  const ci = process.argv.indexOf('--compare');
  const compareVsix = ci > 0 ? process.argv[ci + 1] : undefined;
  const work = mkdtempSync(join(tmpdir(), 'airlock-bench-activation-'));
  const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  let loadBefore = '';
  let startedAt = '';
  packageTarget({ out: join(work, 'airlock-linux-x64.vsix'), quiet: true, build: !process.argv.includes('--no-build') })
    .then((vsix) => {
      loadBefore = load();
      startedAt = new Date().toISOString();
      return activationFigures(Number(process.argv[3] ?? 3), vsix, work, { compareVsix, contributes: process.argv.includes('--contributes'), swapped: process.argv.includes('--swapped-entry'), readVsCode: !process.argv.includes('--no-vscode-times'), trace: process.argv.includes('--trace') });
    })
    .then((f) => {
      console.log(`${startedAt} → ${new Date().toISOString()}; load average (1, 5, 15 min) before ${loadBefore}, after ${load()}`);
      console.log(`dist/extension.js ${kib(statSync(join(root, 'dist', 'extension.js')).size)}, dist/extensionMain.js ${kib(statSync(join(root, 'dist', 'extensionMain.js')).size)}`);
      console.log(armTable(f, compareVsix ? { compare: compareVsix } : {}).join('\n'));
      console.log('');
      console.log('| measure | runs | median ms | all runs ms |\n| --- | ---: | ---: | --- |');
      console.log(activationRows(airlockArrays(f)).join('\n'));
      console.log(JSON.stringify(f));
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
