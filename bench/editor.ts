/**
 * Editor figures for `npm run bench`:
 *   - bundle sizes: dist/*.js of a production build and the packaged linux-x64 .vsix;
 *   - extension activation time in a real VS Code (code-server 4.117, extension host on Node 22,
 *     headless Chromium), read from VS Code's own logs: from the extension host's line
 *     "ExtensionService#_doActivateExtension airlock-dev.airlock" (activation starts: before the
 *     bundle is required) to Airlock's "Airlock activated" log line (the end of activate()).
 *     Both are millisecond timestamps written by VS Code's loggers in the same process. Each run is
 *     a fresh code-server (fresh user-data, extensions dir, browser profile): cold activations.
 *   - time from a hook request to the approval prompt being visible (approvalPromptFigures);
 *   - for context, workbench load: page navigation to `.monaco-workbench` in the browser.
 *
 * Usage: `editorFigures(runs)` returns the numbers; `editorSection(figures)` the BENCHMARKS.md lines.
 * Standalone: `node --import tsx bench/editor.ts [runs]` prints the section; `bench/editor.ts approval [n]`
 *   only the hook-request-to-approval-prompt figure (approvalPromptFigures).
 * Needs the e2e cache (node scripts/e2e-setup.mjs) and /usr/bin/chromium.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2ePaths, readSetupStamp } from '../scripts/e2e-paths.mjs';
import { packageTarget } from '../scripts/package-target.mjs';
import { approvalPromptOnce, EXT_ID, shopWorkspace, windowDiscovery } from '../test/support/airlockVsCode';
import { startVsCode, until } from '../test/support/vscode';

const root = join(__dirname, '..');

export interface EditorFigures {
  bundles: Array<{ file: string; bytes: number }>;
  vsix: { bytes: number };
  /** ms from VS Code starting the activation to "Airlock activated", one per fresh code-server. */
  activationMs: number[];
  /** ms inside activate() as the extension records it ("Airlock activated (…) in N ms"), same runs. */
  activateMs: number[];
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
    const activationMs: number[] = [];
    const workbenchMs: number[] = [];
    const activateMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = Date.now();
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
        activationMs.push(stamp(done) - stamp(begin));
        const inside = / in (\d+) ms/.exec(done);
        if (inside) activateMs.push(Number(inside[1]));
        workbenchMs.push(Number.isFinite(nav) ? nav : Date.now() - t0);
      } finally {
        await vs.stop();
      }
    }
    const approvalPromptMs = await approvalPromptFigures(runs + 2, vsix);
    return { bundles, vsix: { bytes: statSync(vsix).size }, activationMs, activateMs, workbenchMs, approvalPromptMs, codeServer: setup.codeServerVersion, node: setup.nodeVersion };
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
      await until('"Airlock activated"', () => /Airlock activated \(armed\)/.test(vs.extensionLog(EXT_ID)), 90_000);
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

export function editorSection(f: EditorFigures): string[] {
  const out: string[] = [];
  out.push(`Production build (minified). Activation in code-server ${f.codeServer} (VS Code ${f.codeServer.replace(/^4\./, '1.')}, extension host on Node ${f.node}), a fresh instance per run, timed from VS Code's log line that starts the activation of ${EXT_ID} to Airlock's "Airlock activated" log line (both millisecond timestamps from VS Code's loggers).`);
  out.push('');
  out.push('| artifact | size |');
  out.push('| --- | ---: |');
  for (const b of f.bundles) out.push(`| ${b.file} | ${kib(b.bytes)} |`);
  out.push(`| airlock-linux-x64.vsix | ${kib(f.vsix.bytes)} |`);
  out.push('');
  out.push('| measure | runs | median ms | all runs ms |');
  out.push('| --- | ---: | ---: | --- |');
  out.push(`| extension activation (load dist/extension.js + activate) | ${f.activationMs.length} | ${med(f.activationMs).toFixed(0)} | ${f.activationMs.join(', ')} |`);
  if (f.activateMs.length) out.push(`| activate() alone, as the extension records it (target ≤ 100 ms) | ${f.activateMs.length} | ${med(f.activateMs).toFixed(0)} | ${f.activateMs.join(', ')} |`);
  if (f.approvalPromptMs.length) out.push(`| hook request → approval notification visible (shim spawn to toast in the DOM) | ${f.approvalPromptMs.length} | ${med(f.approvalPromptMs).toFixed(0)} | ${f.approvalPromptMs.join(', ')} |`);
  out.push(`| workbench DOMContentLoaded in Chromium (context) | ${f.workbenchMs.length} | ${med(f.workbenchMs).toFixed(0)} | ${f.workbenchMs.map((x) => x.toFixed(0)).join(', ')} |`);
  return out;
}

if (require.main === module && process.argv[2] === 'approval') {
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
