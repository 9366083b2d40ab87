// The plain-word fast path of the shell parser (shellSimple.ts) gives exactly mvdan/sh's tree, or
// declines: on the public corpora (when present), on the repository's SQL/shell fixtures, and on
// generated lines mixing plain words, operators and characters it must hand to mvdan/sh.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseSimple } from '../../src/core/classify/shell/shellSimple';
import { parseScript, parseWithMvdan } from '../../src/core/classify/shell/shellSyntax';
import { prng } from '../support/prng';

const mvdanOrError = (src: string): unknown => {
  try {
    return parseWithMvdan(src);
  } catch (e) {
    return { error: (e as Error).message };
  }
};

function corpusLines(): string[] {
  const dirs = [process.env.AIRLOCK_SHARED, join(__dirname, '..', '..', '..', 'shared'), '/work/shared'].filter((d): d is string => !!d).map((d) => join(d, 'bench'));
  const dir = dirs.find((d) => existsSync(d));
  if (!dir) return [];
  const out: string[] = [];
  for (const f of ['shell-ccsn.jsonl', 'shell-dcg.jsonl', 'shell-dcg-packs.jsonl']) {
    const p = join(dir, f);
    if (!existsSync(p)) continue;
    for (const l of readFileSync(p, 'utf8').split('\n').filter(Boolean)) out.push((JSON.parse(l) as { command: string }).command);
  }
  return out;
}

describe('shell parser fast path', () => {
  it('equals mvdan/sh on every line it accepts (corpora), and accepts the plain ones', () => {
    const lines = corpusLines();
    let accepted = 0;
    for (const src of lines) {
      const s = parseSimple(src);
      if (!s) continue;
      accepted++;
      assert.deepEqual(s, mvdanOrError(src), src);
    }
    if (lines.length) assert.ok(accepted > lines.length / 10, `fast path took ${accepted} of ${lines.length}`);
  });

  it('equals mvdan/sh on generated lines, declines everything else', () => {
    const r = prng(12);
    const words = ['ls', '-la', 'git', 'status', 'rm', '-rf', 'build', 'npm', 'test', '--', 'a=b', 'x', '.', '/tmp/x', 'if', 'then', 'fi', 'export', 'let', 'time', 'in', 'do', 'done', '{', '}', '!', 'FOO=bar', '~/x', '*.ts', "'q'", '"d"', '$HOME', '#c', 'a#b', '[', ']', '[[', '2>/dev/null', '>', '<', '&', '(', ')', 'echo', 'user@host:path', '%s', '+x', 'a,b', '\\x', 'é'];
    const seps = [' ', '  ', ' && ', '&&', ' || ', '||', ' | ', '|', '; ', ';', ' ;; ', '|&', ' & ', '\t', '\n'];
    let accepted = 0;
    for (let k = 0; k < 20_000; k++) {
      const n = 1 + Math.floor(r() * 7);
      let src = r() < 0.1 ? ' ' : '';
      for (let i = 0; i < n; i++) src += (i ? seps[Math.floor(r() * seps.length)]! : '') + words[Math.floor(r() * words.length)]!;
      if (r() < 0.1) src += ';';
      const s = parseSimple(src);
      if (!s) continue;
      accepted++;
      assert.deepEqual(s, mvdanOrError(src), JSON.stringify(src));
    }
    assert.ok(accepted > 1000, `accepted ${accepted}`);
  });

  it('leaves syntax errors, limits and nesting to mvdan/sh', () => {
    for (const src of ['', '   ', '&& ls', 'ls &&', 'ls | | wc', 'ls ;; x', 'a && b && c && d && e && f && g && h && i && j']) assert.equal(parseSimple(src), undefined, src);
    assert.throws(() => parseScript('ls &&'), /shell syntax error/);
    assert.deepEqual(parseScript('ls -la'), parseWithMvdan('ls -la'));
    // Deep in a nested parse (bash -c ...), the depth limit still applies.
    assert.throws(() => parseScript('a && b', { maxBytes: 100, maxDepth: 20 }, 21), /nesting deeper/);
  });
});
