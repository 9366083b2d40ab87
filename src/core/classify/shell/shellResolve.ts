/**
 * Shell resolution helpers: bash brace expansion of a word (`{rm,-rf,x}` → `rm -rf x`,
 * `r{m,}` → `rm r`), bounded so a hostile word cannot blow up.
 */

const MAX_WORDS = 64;

/** Expand the braces of an unquoted word the way bash does (lists only; `{a..b}` ranges are kept). */
export function expandBraces(word: string): string[] {
  if (!word.includes('{') || !word.includes(',')) return [word];
  const out: string[] = [];
  const walk = (w: string): void => {
    if (out.length >= MAX_WORDS) return;
    const open = findOpen(w);
    if (open < 0) {
      out.push(w);
      return;
    }
    const { close, parts } = split(w, open);
    if (close < 0 || parts.length < 2) {
      out.push(w);
      return;
    }
    const pre = w.slice(0, open);
    const post = w.slice(close + 1);
    for (const p of parts) walk(pre + p + post);
  };
  walk(word);
  // bash drops empty words produced by the expansion (`r{m,}` → `rm r`).
  return out.filter((w) => w !== '');
}

function findOpen(w: string): number {
  for (let i = 0; i < w.length; i++) {
    if (w[i] === '\\') i++;
    else if (w[i] === '{' && w[i + 1] !== '}' && !(i > 0 && w[i - 1] === '$')) {
      const { close, parts } = split(w, i);
      if (close >= 0 && parts.length >= 2) return i;
    }
  }
  return -1;
}

function split(w: string, open: number): { close: number; parts: string[] } {
  let depth = 0;
  let start = open + 1;
  const parts: string[] = [];
  for (let i = open; i < w.length; i++) {
    const c = w[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        parts.push(w.slice(start, i));
        return { close: i, parts };
      }
    } else if (c === ',' && depth === 1) {
      parts.push(w.slice(start, i));
      start = i + 1;
    }
  }
  return { close: -1, parts: [] };
}
