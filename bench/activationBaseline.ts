/**
 * A baseline for the activation figure (bench/editor.ts): the smallest extension that is activated
 * the way Airlock is (`onStartupFinished`, a LogOutputChannel, one log line at the end of
 * activate()). In its own fresh code-server, its span from VS Code's "_doActivateExtension" line
 * to activate() returning is what VS Code costs for any extension: the activation machinery, the
 * extension context, the module's load. Its line carries the same timestamps as Airlock's: the epoch
 * ms its module began to evaluate ("bundle evaluated in X ms from T") and the epoch ms activate()
 * returned at ("at T"), so the span splits the same way.
 *
 * Variant 'contributes': the same do-nothing code with Airlock's whole manifest surface copied in
 * (contributes: commands, menus, settings, language model tools, MCP server provider, JSON schema,
 * walkthrough; capabilities; the media and schema files they point at). Run next to the plain one,
 * it separates what a big package.json costs VS Code from what Airlock's code costs.
 *
 * The package is written into a temp folder and packed with vsce (a real .vsix installed the way
 * Airlock's is).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type BaselineVariant = 'plain' | 'contributes';

export const BASELINE_ID = 'airlock-bench.activation-baseline';
/** The baseline carrying Airlock's contributions (variant 'contributes'). */
export const BASELINE_CONTRIB_ID = 'airlock-bench.activation-baseline-contributes';
export const BASELINE_LINE = 'Baseline activated';
/** Display names: the Running Extensions editor lists an extension by its display name. */
export const BASELINE_NAMES: Record<BaselineVariant, string> = { plain: 'Activation baseline', contributes: 'Activation baseline with Airlock contributions' };
export const baselineId = (v: BaselineVariant): string => (v === 'plain' ? BASELINE_ID : BASELINE_CONTRIB_ID);

const EXTENSION_JS = `'use strict';
const moduleStart = performance.now();
const vscode = require('vscode');
exports.activate = function activate(context) {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('Activation Baseline', { log: true });
  context.subscriptions.push(log);
  log.info('${BASELINE_LINE} in ' + Math.round(performance.now() - t0) + ' ms (bundle evaluated in ' + Math.round(t0 - moduleStart) + ' ms from ' + (performance.timeOrigin + moduleStart).toFixed(1) + ') at ' + (performance.timeOrigin + performance.now()).toFixed(1));
};
exports.deactivate = function deactivate() {};
`;

/** Write the baseline extension (one variant) and pack it; returns the .vsix path. */
export function baselineVsix(dir: string, variant: BaselineVariant = 'plain'): string {
  const root = join(__dirname, '..');
  const id = baselineId(variant);
  const src = join(dir, id);
  mkdirSync(src, { recursive: true });
  const [publisher, name] = id.split('.') as [string, string];
  const manifest: Record<string, unknown> = {
    name, publisher, displayName: BASELINE_NAMES[variant], description: 'An extension that does nothing, activated like Airlock (bench).', version: '0.0.1', license: 'MIT',
    engines: { vscode: '^1.101.0' }, main: './extension.js', activationEvents: ['onStartupFinished'], extensionKind: ['workspace'],
  };
  if (variant === 'contributes') {
    const airlock = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: unknown; capabilities: unknown };
    manifest.contributes = airlock.contributes;
    manifest.capabilities = airlock.capabilities;
    cpSync(join(root, 'media'), join(src, 'media'), { recursive: true });
    mkdirSync(join(src, 'dist'), { recursive: true });
    cpSync(join(root, 'dist', 'policy.schema.json'), join(src, 'dist', 'policy.schema.json'));
  }
  writeFileSync(join(src, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(src, 'extension.js'), EXTENSION_JS);
  writeFileSync(join(src, 'LICENSE'), 'MIT\n');
  writeFileSync(join(src, 'README.md'), '# Activation baseline\n\nDoes nothing; times VS Code\'s own cost of activating an extension.\n');
  const out = join(dir, `${id}.vsix`);
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--allow-missing-repository', '--skip-license', '-o', out], { cwd: src, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`packing the baseline extension failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return out;
}

/**
 * Airlock's own .vsix (same package.json, same files, same id) with its entry dist/extension.js
 * replaced by the do-nothing baseline code: separates what the installed package costs the window
 * (its size and files, its manifest) from what Airlock's entry does. Its line is the baseline's,
 * written to a channel of Airlock's id.
 */
export async function swappedEntryVsix(airlockVsix: string, dir: string): Promise<string> {
  const yauzl = require('yauzl') as { open(f: string, o: object, cb: (e: Error | null, z: YauzlZip) => void): void };
  const yazl = require('yazl') as { ZipFile: new () => YazlZip };
  const entries = await new Promise<Array<{ name: string; data: Buffer; mtime: Date; compress: boolean }>>((res, rej) => {
    yauzl.open(airlockVsix, { lazyEntries: true }, (err, zip) => {
      if (err) return rej(err);
      const out: Array<{ name: string; data: Buffer; mtime: Date; compress: boolean }> = [];
      zip.on('error', rej);
      zip.on('end', () => res(out));
      zip.on('entry', (e: YauzlEntry) => {
        if (e.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(e, (err2, s) => {
          if (err2) return rej(err2);
          const chunks: Buffer[] = [];
          s.on('data', (c: Buffer) => chunks.push(c));
          s.on('error', rej);
          s.on('end', () => {
            out.push({ name: e.fileName, data: Buffer.concat(chunks), mtime: e.getLastModDate(), compress: e.compressionMethod !== 0 });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
  const entry = entries.find((e) => e.name === 'extension/dist/extension.js');
  if (!entry) throw new Error(`${airlockVsix} has no extension/dist/extension.js`);
  entry.data = Buffer.from(EXTENSION_JS);
  const z = new yazl.ZipFile();
  for (const e of entries) z.addBuffer(e.data, e.name, { mtime: e.mtime, compress: e.compress });
  z.end();
  const out = join(dir, 'airlock-swapped-entry.vsix');
  const { createWriteStream } = await import('node:fs');
  await new Promise<void>((res, rej) => {
    z.outputStream.pipe(createWriteStream(out)).on('close', () => res()).on('error', rej);
  });
  return out;
}

interface YauzlEntry { fileName: string; compressionMethod: number; getLastModDate(): Date }
interface YauzlZip { on(ev: string, fn: (...a: never[]) => void): void; readEntry(): void; openReadStream(e: YauzlEntry, cb: (e: Error | null, s: NodeJS.ReadableStream) => void): void }
interface YazlZip { addBuffer(b: Buffer, name: string, o: { mtime: Date; compress: boolean }): void; end(): void; outputStream: NodeJS.ReadableStream }
