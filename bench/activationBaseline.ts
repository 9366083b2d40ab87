/**
 * A baseline for the activation figure (bench/editor.ts): the smallest extension that is activated
 * the way Airlock is (`onStartupFinished`, a LogOutputChannel, one log line at the end of
 * activate()). Installed next to Airlock in the same code-server, its span from VS Code's
 * "_doActivateExtension" line to its own log line is what VS Code costs for any extension:
 * the activation machinery, the extension context, the output channel and the log round trip. Its
 * line also carries the epoch ms activate() returned at (the span VS Code itself counts as activation).
 *
 * The package is written into a temp folder and packed with vsce (a real .vsix installed the way
 * Airlock's is).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BASELINE_ID = 'airlock-bench.activation-baseline';
export const BASELINE_LINE = 'Baseline activated';

const EXTENSION_JS = `'use strict';
const vscode = require('vscode');
exports.activate = function activate(context) {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('Activation Baseline', { log: true });
  context.subscriptions.push(log);
  log.info('${BASELINE_LINE} in ' + Math.round(performance.now() - t0) + ' ms at ' + (performance.timeOrigin + performance.now()).toFixed(1));
};
exports.deactivate = function deactivate() {};
`;

/** Write the baseline extension and pack it; returns the .vsix path. */
export function baselineVsix(dir: string): string {
  const src = join(dir, 'activation-baseline');
  mkdirSync(src, { recursive: true });
  const [publisher, name] = BASELINE_ID.split('.') as [string, string];
  writeFileSync(join(src, 'package.json'), JSON.stringify({
    name, publisher, displayName: 'Activation baseline', description: 'An extension that does nothing, activated like Airlock (bench).', version: '0.0.1', license: 'MIT',
    engines: { vscode: '^1.101.0' }, main: './extension.js', activationEvents: ['onStartupFinished'], extensionKind: ['workspace'],
  }, null, 2));
  writeFileSync(join(src, 'extension.js'), EXTENSION_JS);
  writeFileSync(join(src, 'LICENSE'), 'MIT\n');
  writeFileSync(join(src, 'README.md'), '# Activation baseline\n\nDoes nothing; times VS Code\'s own cost of activating an extension.\n');
  const out = join(dir, 'activation-baseline.vsix');
  const vsce = join(__dirname, '..', 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--allow-missing-repository', '--skip-license', '-o', out], { cwd: src, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`packing the baseline extension failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return out;
}
