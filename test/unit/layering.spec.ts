// Architecture invariants checked from the code: src/core is pure, dependencies point one way.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..');
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : /\.ts$/.test(e) ? [p] : [];
  });
}
const importsOf = (f: string): string[] => [...readFileSync(f, 'utf8').matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);

describe('architecture invariants', () => {
  it('src/core imports no vscode and no node I/O module', () => {
    const banned = /^(node:)?(fs|fs\/promises|net|http|https|http2|child_process|os|dgram|tls|worker_threads|cluster|readline|process)$|^vscode$|^better-sqlite3$/;
    const offenders = files(join(root, 'src/core')).flatMap((f) => importsOf(f).filter((i) => banned.test(i)).map((i) => `${relative(root, f)} imports ${i}`));
    assert.deepEqual(offenders, []);
  });

  it('src/core reaches no process globals (env, argv, cwd)', () => {
    const offenders = files(join(root, 'src/core')).filter((f) => /\bprocess\.(env|argv|cwd|exit|stdout|stderr|stdin)\b/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders.map((f) => relative(root, f)), []);
  });

  it('node/ and vscode/ never import each other; only extension.ts (with editorAdapters.ts) and cli/ wire them', () => {
    const bad: string[] = [];
    for (const f of files(join(root, 'src/node'))) for (const i of importsOf(f)) if (i === 'vscode' || i.includes('/vscode/') || i.includes('/cli/')) bad.push(`${relative(root, f)} -> ${i}`);
    for (const f of files(join(root, 'src/vscode'))) for (const i of importsOf(f)) if (i.includes('/node/') || i.includes('/cli/')) bad.push(`${relative(root, f)} -> ${i}`);
    for (const f of files(join(root, 'src/core'))) for (const i of importsOf(f)) if (/\/(node|vscode|cli)\//.test(i)) bad.push(`${relative(root, f)} -> ${i}`);
    assert.deepEqual(bad, []);
  });

  it("only src/vscode/ and the composition root (src/extension.ts) import 'vscode' (editorAdapters.ts gets plain values and ports)", () => {
    const offenders = files(join(root, 'src'))
      .filter((f) => !relative(root, f).startsWith(join('src', 'vscode')) && relative(root, f) !== join('src', 'extension.ts'))
      .filter((f) => importsOf(f).some((i) => i === 'vscode'))
      .map((f) => relative(root, f));
    assert.deepEqual(offenders, []);
  });

  it("the extension's entry (src/vscode/entry.ts, what activation evaluates) loads only 'vscode', node:path and the status bar; the rest is dist/extensionMain.js", () => {
    // Value imports only (type imports vanish in the bundle), followed through the entry's own modules.
    const valueImports = (f: string): string[] => [...readFileSync(f, 'utf8').matchAll(/^import\s+(?!type\s)[^;]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    const seen: string[] = [];
    const walk = (f: string): void => {
      for (const i of valueImports(f)) {
        if (!i.startsWith('.')) {
          seen.push(i);
          continue;
        }
        const next = join(f, '..', `${i}.ts`);
        seen.push(relative(root, next));
        walk(next);
      }
    };
    walk(join(root, 'src', 'vscode', 'entry.ts'));
    assert.deepEqual([...new Set(seen)].sort(), ['node:path', join('src', 'core', 'status.ts'), join('src', 'vscode', 'statusBar.ts'), 'vscode'].sort());
  });

  it("every contributed command is registered in the code", () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { commands: Array<{ command: string }> } };
    const src = files(join(root, 'src')).map((f) => readFileSync(f, 'utf8')).join('\n');
    const missing = pkg.contributes.commands.map((c) => c.command).filter((id) => !src.includes(`'${id}'`));
    assert.deepEqual(missing, []);
  });
});
