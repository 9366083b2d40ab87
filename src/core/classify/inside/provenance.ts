/**
 * Provenance: code written or fetched by the agent is not the project's code. Within one command
 * line (`curl -o f URL; chmod +x f; ./f`, `wget URL`, `> f`, `tee f`, `git clone URL d && ./d/x`,
 * an archive of a download unpacked, `pip download`) and across the run (the gate's ledger, through
 * `Environment.provenance`), running such a file is `exec` of unknown code.
 */
import { posix } from 'node:path';
import { absolutize, canonicalize, isWithin } from '../../paths.js';
import type { Ctx } from '../shell/shellContext.js';
import type { ShWord } from '../shell/shellWords.js';

const WRITE_KINDS = new Set(['create', 'write', 'overwrite']);

function abs(ctx: Ctx, p: string): string {
  return canonicalize(absolutize(p, ctx.env), ctx.env);
}

function urlBase(url: string): string | undefined {
  const m = /^[a-z]+:\/\/[^/]+\/(?:.*\/)?([^/?#]+)(?:[?#].*)?$/i.exec(url);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

/**
 * Record what this command is about to produce (called before the program's own table runs, so
 * the order of a command line is respected: only earlier commands count).
 */
export function recordProduced(name: string, args: ShWord[], ctx: Ctx): void {
  const s = ctx.inside;
  if (!s) return;
  const t = args.map((a) => a.text);
  const url = t.find((a) => /^(https?|ftp):\/\//i.test(a));
  if (name === 'curl' || name === 'wget') {
    const from = url ? ` from ${url}` : '';
    for (let i = 0; i < t.length; i++) {
      const a = t[i]!;
      if (name === 'curl' && (a === '-o' || a === '--output') && t[i + 1]) s.produced.set(abs(ctx, t[i + 1]!), `downloaded by this command${from}`);
      else if (name === 'curl' && a.startsWith('--output=')) s.produced.set(abs(ctx, a.slice(9)), `downloaded by this command${from}`);
      else if (name === 'wget' && (a === '-O' || a === '--output-document') && t[i + 1]) s.produced.set(abs(ctx, t[i + 1]!), `downloaded by this command${from}`);
      else if (name === 'wget' && a.startsWith('--output-document=')) s.produced.set(abs(ctx, a.slice(18)), `downloaded by this command${from}`);
      else if (name === 'wget' && (a === '-P' || a === '--directory-prefix') && t[i + 1]) s.fetchedDirs.set(abs(ctx, t[i + 1]!), `downloaded by this command${from}`);
    }
    const remoteName = (name === 'wget' && !t.some((a) => a === '-O' || a.startsWith('--output-document'))) || (name === 'curl' && t.some((a) => a === '-O' || a === '--remote-name' || /^-[a-zA-Z]*O$/.test(a)));
    if (remoteName && url) {
      const base = urlBase(url);
      if (base) s.produced.set(abs(ctx, base), `downloaded by this command${from}`);
    }
    return;
  }
  if (name === 'git' && t.includes('clone')) {
    const pos = t.slice(t.indexOf('clone') + 1).filter((a) => !a.startsWith('-'));
    const repo = pos[0];
    if (!repo) return;
    const dir = pos[1] ?? posix.basename(repo.replace(/\/+$/, '')).replace(/\.git$/, '');
    s.fetchedDirs.set(abs(ctx, dir), `cloned by this command from ${repo}`);
    return;
  }
  if (name === 'pip' || name === 'pip3') {
    const d = t.findIndex((a) => a === '-d' || a === '--dest');
    if (t[0] === 'download') s.fetchedDirs.set(abs(ctx, d >= 0 && t[d + 1] ? t[d + 1]! : '.'), 'downloaded by this command (pip download)');
    return;
  }
  if (name === 'unzip' || name === 'tar' || name === 'bsdtar' || name === '7z' || name === 'gunzip') {
    const archive = t.find((a) => !a.startsWith('-') && /\.(zip|tar|tgz|tar\.\w+|7z|gz|whl|jar)$/i.test(a));
    if (!archive) return;
    const origin = originOf(ctx, abs(ctx, archive));
    if (!origin) return;
    const d = t.findIndex((a) => a === '-d' || a === '-C' || a === '--directory');
    s.fetchedDirs.set(abs(ctx, d >= 0 && t[d + 1] ? t[d + 1]! : '.'), `unpacked by this command from ${archive} (${origin})`);
  }
}

/** How this command or this run produced the file at canonical path `p`, or undefined (project code). */
export function originOf(ctx: Ctx, p: string): string | undefined {
  const s = ctx.inside;
  if (s) {
    const direct = s.produced.get(p);
    if (direct) return direct;
    for (const [dir, why] of s.fetchedDirs) if (isWithin(p, dir)) return why;
    // Earlier effects of this command line that wrote the file (`> f`, `tee f`, `cp x f`, `cat <<EOF > f`).
    for (const e of ctx.effects) {
      if (WRITE_KINDS.has(e.kind) && e.target === p) return `written by this command (${e.source ?? e.kind})`;
    }
  }
  return ctx.env.provenance?.writtenBy(p);
}
