/**
 * T42: a file named at run time and printed. `cat $(rev <<< vne.)`, `base64 $(curl -s x)`, `cat
 * "$f"` with `f` unknown, `… | xargs cat` of unknown input: the judge resolves what it can (literal
 * producers, variables of the line, listers with their name patterns: shellWords/pipeInput); a
 * file name it still cannot tell, handed to a program that copies file contents into its output
 * (or into an archive or a copy), is a read of a file that could be a secret: the `secrets` flag
 * (ask), with the substitution or variable in the reason.
 *
 * Only the name matters: `cat $(git rev-parse --show-toplevel)/package.json` names its file
 * (only the folder is unknown), and programs that print no content (`wc`, `ls`, `stat`, `grep -l`,
 * `cd`) are left alone. Words that stand for a lister's paths are judged by pathEffect's listing
 * (shellContext.ts), not here.
 */
import { add, pathEffect, type Ctx } from '../shellContext.js';
import type { ShWord } from '../shellWords.js';
import { listedSecret } from '../listing.js';
import type { Family } from './types.js';

interface Reader {
  /** Positionals before the files (a grep pattern, a sed script, an archive name). */
  skip?: number;
  /** Options that take a value (the next word is not a file). */
  values?: string[];
  /** Options that replace the skipped positional (`grep -e P`, `sed -e S`, `awk -f F`). */
  instead?: string[];
  /** Options after which nothing of the files' content is printed. */
  quiet?: string[];
  /** Only in this mode (tar -c). */
  mode?: (t: string[]) => boolean;
  /** The last positional is the destination (cp, mv). */
  dest?: boolean;
}

const PLAIN: Reader = {};
const READERS: Record<string, Reader> = {
  cat: PLAIN, bat: PLAIN, batcat: PLAIN, less: PLAIN, more: PLAIN, most: PLAIN, nl: PLAIN, tac: PLAIN, rev: PLAIN, fold: { values: ['-w'] }, fmt: { values: ['-w'] },
  paste: { values: ['-d'] }, expand: { values: ['-t'] }, unexpand: { values: ['-t'] }, column: { values: ['-s', '-t', '-c', '-o'] }, pr: PLAIN, strings: { values: ['-n', '-t', '-e'] },
  head: { values: ['-n', '-c'] }, tail: { values: ['-n', '-c', '-s', '--pid'] }, od: { values: ['-t', '-A', '-j', '-N', '-w'] }, hexdump: { values: ['-e', '-f', '-n', '-s'] }, hd: PLAIN,
  xxd: { values: ['-c', '-l', '-s', '-g', '-o', '-n'] }, base64: { values: ['-w'] }, base32: { values: ['-w'] }, basenc: PLAIN, uuencode: PLAIN,
  zcat: PLAIN, zless: PLAIN, zmore: PLAIN, bzcat: PLAIN, xzcat: PLAIN, zstdcat: PLAIN,
  sort: { values: ['-k', '-t', '-o', '-S', '-T'] }, uniq: { values: ['-f', '-s', '-w'] }, comm: PLAIN, join: { values: ['-t', '-1', '-2', '-j', '-o', '-e'] }, diff: { values: ['-U', '-C', '--label'], quiet: ['-q', '--brief'] }, sdiff: PLAIN,
  cut: { values: ['-d', '-f', '-b', '-c'] }, iconv: { values: ['-f', '-t', '-o'] }, dos2unix: PLAIN,
  grep: { skip: 1, values: ['-m', '-A', '-B', '-C', '-d', '-D', '--include', '--exclude', '--exclude-dir', '--label'], instead: ['-e', '-f', '--regexp', '--file'], quiet: ['-l', '-L', '-c', '-q', '--files-with-matches', '--files-without-match', '--count', '--quiet', '--silent'] },
  rg: { skip: 1, values: ['-g', '-t', '-T', '-m', '-A', '-B', '-C', '-j', '--glob', '--type', '--max-count'], instead: ['-e', '-f', '--regexp', '--file'], quiet: ['-l', '--files-with-matches', '--files-without-match', '-c', '--count', '-q', '--quiet', '--files'] },
  ag: { skip: 1, quiet: ['-l', '-c', '--count'] }, ack: { skip: 1, quiet: ['-l', '-c'] },
  cmp: { mode: (t) => t.some((a) => a === '--verbose' || a === '--print-bytes' || /^-[a-zA-Z]*[lb]/.test(a)), values: ['-i', '-n', '--ignore-initial', '--bytes'] },
  sed: { skip: 1, values: ['-l'], instead: ['-e', '-f', '--expression', '--file'] },
  awk: { skip: 1, values: ['-F', '-v'], instead: ['-f', '--file'] },
  jq: { skip: 1, values: ['--arg', '--argjson', '--slurpfile', '--rawfile', '--indent'], instead: ['-f', '--from-file'] }, yq: { skip: 1 },
  tar: { values: ['-f', '--file', '-C', '--directory', '-T', '--files-from', '-X', '--exclude-from', '-b', '-H', '--format'], mode: (t) => t.some((a, i) => a === '--create' || (/^-?[a-zA-Z]*c[a-zA-Z]*$/.test(a) && (a.startsWith('-') || i === 0))) },
  zip: { skip: 1, values: ['-x', '-i', '-P', '-b', '-n', '-t', '-tt'] }, '7z': { skip: 2 }, gzip: { mode: (t) => t.some((a) => /^-[a-zA-Z]*c/.test(a) || a === '--stdout') }, bzip2: { mode: (t) => t.some((a) => /^-[a-zA-Z]*c/.test(a) || a === '--stdout') }, xz: { mode: (t) => t.some((a) => /^-[a-zA-Z]*c/.test(a) || a === '--stdout') },
  cp: { dest: true, values: ['-t', '--target-directory', '-S', '--suffix'] }, mv: { dest: true, values: ['-t', '--target-directory', '-S', '--suffix'] }, install: { dest: true, values: ['-m', '-o', '-g', '-t'] }, rsync: { dest: true, values: ['-e', '--rsh', '--exclude', '--include', '--filter'] }, scp: { dest: true, values: ['-P', '-i', '-o', '-F', '-c', '-l', '-S', '-J'] },
};
for (const g of ['egrep', 'fgrep', 'zgrep']) READERS[g] = READERS.grep!;
for (const a of ['gawk', 'mawk', 'nawk']) READERS[a] = READERS.awk!;

/** Is the file name itself (not only its folder) unknown? */
export function nameUnknown(w: ShWord, ctx?: Ctx): boolean {
  if (w.listed || !(w.subst || w.unknownVars.length)) return false;
  // A variable a project's own script leaves unset (looked inside: package scripts, ./x.sh, make)
  // is the project's, not a name the agent chose; one the line assigned (`LOG=.env ./show.sh`) is.
  if (!w.subst && ctx?.inside?.stack.length && !w.unknownVars.some((v) => ctx.assigned?.has(v))) return false;
  if (w.knownFrom === undefined) return false;
  const tail = w.text.slice(w.knownFrom);
  return !(tail.includes('/') && !tail.endsWith('/'));
}

/** What the unknown part of a word comes from, for the reason. */
export function unknownSource(w: ShWord): string {
  if (w.substBy?.length) return `the output of \`${w.substBy[w.substBy.length - 1]}\` (a substitution Airlock cannot resolve)`;
  const v = w.unknownVars[0] ?? '?';
  return v.includes('(') ? `${v.replace(/^(\w+) \((.*)\)$/, '$2')}` : `$${v} (a variable Airlock cannot resolve)`;
}

/** Inline code (`python3 -c CODE ARGS…`, `node -e`, `perl -e`, `ruby -e`, `php -r`) that reads its arguments. */
const INLINE = /^(python[0-9.]*|pypy[0-9.]*|node|nodejs|deno|bun|perl|ruby|php)$/;
const ARGV_USE = /sys\.argv|process\.argv|\bARGV\b|\$ARGV|@ARGV|\$argv|fileinput|<>|\bDeno\.args|Bun\.argv/;

function inlineArgs(c: Parameters<Family>[0]): boolean {
  const i = c.args.findIndex((a) => /^-[a-zA-Z]*[ceEpr]$/.test(a.text) && !a.text.startsWith('--'));
  const code = i >= 0 ? c.args[i + 1] : undefined;
  // perl/ruby -n/-p loop over the lines of the files named as arguments; python -m tools (json.tool, base64…) read them.
  const flags = c.args.slice(0, i + 1).map((a) => a.text).filter((a) => /^-[a-zA-Z]+$/.test(a) && !/^-[MIm]/.test(a));
  if (/^(perl|ruby)$/.test(c.name) && flags.some((a) => a.includes('i'))) return false; // -pi: an in-place edit prints nothing
  const loops = /^(perl|ruby)$/.test(c.name) && flags.some((a) => /[np]/.test(a));
  const m = c.args.findIndex((a) => a.text === '-m');
  if (!loops && m >= 0 && /^python|^pypy/.test(c.name)) {
    for (const a of c.args.slice(m + 2)) if (!a.text.startsWith('-')) readIfSecret(c, a, ` (an argument python -m ${c.args[m + 1]?.text ?? ''} reads)`);
    return false;
  }
  if (!code || !(loops || ARGV_USE.test(code.text))) return false;
  for (const a of c.args.slice(i + 2)) {
    if (a.text.startsWith('-')) continue;
    if (nameUnknown(a, c.ctx)) {
      add(c.ctx, { kind: 'read', reversibility: 'read', secrets: true, detail: `${c.name} inline code reads its arguments, one named by ${unknownSource(a)}: it could be a secret (${a.text})`, target: a.text, source: c.name });
      return true;
    }
    readIfSecret(c, a, ' (an argument the inline code reads)');
  }
  return false;
}

/** A read of `a` kept only when it names secrets. */
function readIfSecret(c: Parameters<Family>[0], a: ShWord, note: string): void {
  const before = c.ctx.effects.length;
  pathEffect(c.ctx, 'read', a, c.name, note);
  if (c.ctx.effects.length > before && !c.ctx.effects[before]!.secrets) c.ctx.effects.length = before;
}

/** A possible secret read of a word whose name is unknown. */
function unknownRead(c: Parameters<Family>[0], w: ShWord, what: string): void {
  add(c.ctx, { kind: 'read', reversibility: 'read', secrets: true, detail: `${c.name} ${what} a file named by ${unknownSource(w)}: it could be a secret (${w.text})`, target: w.text, source: c.name });
}

/** `dd if=NAME`, `git show REV:NAME`, `git cat-file -p REV:NAME`: the name is an option's value. */
function namedInOption(c: Parameters<Family>[0]): boolean {
  if (c.name === 'dd') {
    const w = c.args.find((a) => a.text.startsWith('if='));
    if (w && nameUnknown({ ...w, text: w.text.slice(3), ...(w.knownFrom !== undefined ? { knownFrom: Math.max(0, w.knownFrom - 3) } : {}) }, c.ctx)) unknownRead(c, w, 'copies');
    return true;
  }
  if (c.name === 'git') {
    const verb = c.args.find((a) => !a.text.startsWith('-'))?.text;
    if (verb !== 'show' && verb !== 'cat-file') return false;
    for (const a of c.args) {
      const colon = a.text.indexOf(':');
      if (colon < 0 || !(a.subst || a.unknownVars.length) || a.knownFrom === undefined) continue;
      if (a.knownFrom > colon && !a.text.slice(a.knownFrom).includes('/')) unknownRead(c, a, `${verb} prints`);
    }
    return true;
  }
  return false;
}

export const unresolvedReads: Family = (c) => {
  if (INLINE.test(c.name)) {
    inlineArgs(c);
    return false;
  }
  if (namedInOption(c)) return false;
  const r = READERS[c.name];
  if (!r) return false;
  const t = c.args.map((a) => a.text);
  if (r.mode && !r.mode(t)) return false;
  // In-place edits print nothing (`sed -i`, `sed -Ei.bak`).
  if (c.name === 'sed' && t.some((a) => /^-[a-zA-Z]*i/.test(a) || a.startsWith('--in-place'))) return false;
  if (r.quiet && t.some((a) => r.quiet!.includes(a.split('=')[0]!) || (r.quiet!.some((q) => /^-[a-zA-Z]$/.test(q)) && /^-[a-zA-Z]+$/.test(a) && [...a.slice(1)].some((ch) => r.quiet!.includes(`-${ch}`))))) return false;
  let args = c.args;
  // tar's old-style first word (`cf -`, `czf out.tgz`): letters, with `f` taking the next word.
  if (c.name === 'tar' && args[0] && /^[a-zA-Z]+$/.test(args[0].text)) args = args.slice(args[0].text.includes('f') ? 2 : 1);
  const pos: ShWord[] = [];
  let skip = r.skip ?? 0;
  let dashdash = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!dashdash && a.text === '--') {
      dashdash = true;
      continue;
    }
    if (!dashdash && a.text.startsWith('-') && a.text.length > 1) {
      const opt = a.text.split('=')[0]!;
      if (r.instead?.includes(opt)) skip = 0;
      if (!a.text.includes('=') && (r.values?.includes(opt) || (/^-[a-zA-Z]{2,}$/.test(opt) && r.values?.includes(`-${opt.slice(-1)}`)))) i++;
      continue;
    }
    pos.push(a);
  }
  const files = pos.slice(skip, r.dest && !t.some((a) => a === '-t' || a.startsWith('--target-directory')) ? -1 : undefined);
  // A listing Airlock cannot bound (any name, a tree larger than it looks at): the same doubt.
  const wide = files.find((w) => w.listed && listedSecret(w.listed, c.ctx.env, c.ctx.cwd) === 'unknown');
  if (wide?.listed) {
    add(c.ctx, { kind: 'read', reversibility: 'read', secrets: true, detail: `${c.name} reads every file ${wide.listed.by} lists under ${wide.listed.root}, more than Airlock can look at: one could be a secret`, target: wide.listed.root, source: c.name });
    return false;
  }
  const hit = files.find((w) => nameUnknown(w, c.ctx));
  if (!hit) return false;
  const what = r.dest ? 'copies' : c.name === 'tar' || c.name === 'zip' || c.name === '7z' ? 'archives' : 'prints';
  add(c.ctx, {
    kind: 'read',
    reversibility: 'read',
    secrets: true,
    detail: `${c.name} ${what} a file named by ${unknownSource(hit)}: it could be a secret (${hit.text})`,
    target: hit.text,
    source: c.name,
  });
  return false;
};
