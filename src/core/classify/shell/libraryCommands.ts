/**
 * Interpreters used as coreutils: libraries whose functions are shell commands, named as the whole
 * inline program. `ruby -run -e rm -- -rf dir` loads Ruby's un.rb and runs `rm -rf dir`;
 * `perl -MExtUtils::Command -e rm_rf dir` is `rm -rf dir`. The inline code is one bare word, so a
 * code scanner sees nothing to fear: the effect is the command the library runs, judged as the
 * shell program it stands for. Their static file servers (`ruby -run -e httpd DIR`, `php -S ADDR
 * -t DIR`) serve a folder to the network, judged like `python -m http.server`.
 */
import { absolutize, inspectPath } from '../../paths.js';
import { lit, network, plain, projectExec, unknownEffect, type Ctx } from './shellContext.js';
import type { ArgvRunner } from './shellTypes.js';
import type { ShWord } from './shellWords.js';

/** un.rb (`ruby -run -e CMD -- ARGS`): the commands that are coreutils, by their shell name. */
const RUBY_UN: Record<string, string> = { cp: 'cp', ln: 'ln', mv: 'mv', rm: 'rm', mkdir: 'mkdir', rmdir: 'rmdir', install: 'install', chmod: 'chmod', touch: 'touch' };
/** ExtUtils::Command (`perl -MExtUtils::Command -e CMD ARGS`): each function as a shell argv prefix. */
const PERL_EUC: Record<string, string[]> = {
  rm_rf: ['rm', '-rf'],
  rm_f: ['rm', '-f'],
  mkpath: ['mkdir', '-p'],
  touch: ['touch'],
  mv: ['mv'],
  cp: ['cp'],
  chmod: ['chmod'],
  cat: ['cat'],
  test_f: ['test', '-f'],
  test_d: ['test', '-d'],
  // eqtime SRC DST: DST gets SRC's modification time.
  eqtime: ['touch', '-r'],
};
/** un.rb httpd's options that take a value (`--port 8000` or `--port=8000`). */
const HTTPD_VALUE = new Set(['--bind-address', '--port', '--max-clients', '--temp-dir', '--request-timeout', '--http-version', '--server-name', '--server-software', '--ssl-certificate', '--ssl-private-key']);

/**
 * A static server of `dir` (the working directory when undefined): outside the workspace every file
 * under it is readable from the network, an irreversible exposure, added here; returns whether it was.
 */
export function servesOutside(ctx: Ctx, source: string, dir: string | undefined, how = ''): boolean {
  const served = dir === undefined ? ctx.cwd : absolutize(dir, { cwd: ctx.cwd ?? ctx.env.cwd, home: ctx.env.home });
  if (served !== undefined && inspectPath(served, ctx.env).insideWorkspace) return false;
  network(ctx, source, 'irreversible', `${source} serves ${served ?? 'a folder Airlock cannot tell'} over HTTP${how}: anyone who reaches the port can read every file under it`);
  return true;
}

function serves(ctx: Ctx, source: string, dir: string | undefined, how: string): void {
  if (!servesOutside(ctx, source, dir, how)) projectExec(ctx, source, `${source}: serves the project over HTTP${how}`);
}

/** The library a `-r`/`-M` option loads (`-run`, `-r un`, `-MExtUtils::Command`, `-M ExtUtils::Command`). */
function loads(args: readonly ShWord[], flag: '-r' | '-M', lib: string): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.text;
    if (a === '--') return false;
    if (a === flag && args[i + 1]?.text === lib) return true;
    if (a === `${flag}${lib}`) return true;
  }
  return false;
}

/** The inline program (`-e CODE`) and the arguments after it (a leading `--` dropped). */
function inline(args: readonly ShWord[], flags: readonly string[]): { code: ShWord; rest: ShWord[] } | undefined {
  const i = args.findIndex((a) => flags.includes(a.text));
  const code = i >= 0 ? args[i + 1] : undefined;
  if (!code) return undefined;
  const rest = args.slice(i + 2);
  return { code, rest: rest[0]?.text === '--' ? rest.slice(1) : rest };
}

/**
 * Judges `ruby -run -e CMD …`, `perl -MExtUtils::Command -e CMD …` and `php -S …` when they are
 * that; returns false to let the interpreter's own analysis go on.
 */
export function libraryCommand(name: string, lang: string, args: readonly ShWord[], ctx: Ctx, run?: ArgvRunner): boolean {
  if (lang === 'php') {
    const s = args.findIndex((a) => a.text === '-S' || (a.text.startsWith('-S') && a.text.length > 2));
    if (s < 0) return false;
    const t = args.findIndex((a) => a.text === '-t');
    const tGlued = args.find((a) => a.text.startsWith('-t') && a.text.length > 2);
    const dir = t >= 0 ? args[t + 1] : tGlued ? lit(tGlued.text.slice(2)) : undefined;
    if (dir && (dir.unknownVars.length || dir.subst)) {
      unknownEffect(ctx, `${name} -S`, `${name} -S serves ${dir.text}, a folder Airlock cannot resolve`);
      return true;
    }
    serves(ctx, `${name} -S`, dir?.text, ' and runs the .php files in it');
    return true;
  }
  if (lang === 'ruby' && loads(args, '-r', 'un')) {
    const e = inline(args, ['-e']);
    if (!e || !e.code.literal || !/^\w+$/.test(e.code.text)) return false;
    const cmd = e.code.text;
    const source = `${name} -run -e ${cmd}`;
    if (cmd === 'httpd') {
      let dir: ShWord | undefined;
      for (let i = 0; i < e.rest.length; i++) {
        const a = e.rest[i]!.text;
        if (HTTPD_VALUE.has(a)) i++;
        else if (!a.startsWith('-')) dir = dir ?? e.rest[i];
      }
      if (dir && (dir.unknownVars.length || dir.subst)) unknownEffect(ctx, source, `${source} serves ${dir.text}, a folder Airlock cannot resolve`);
      else serves(ctx, source, dir?.text ?? '.', '');
      return true;
    }
    if (cmd === 'help' || cmd === 'colorize') {
      plain(ctx, source, 'read', 'read', `${source}: prints`);
      return true;
    }
    const shell = RUBY_UN[cmd];
    if (!shell) {
      unknownEffect(ctx, source, `${source}: un.rb command ${cmd} is not in Airlock's tables`);
      return true;
    }
    if (run) run([lit(shell), ...e.rest]);
    else unknownEffect(ctx, source, `${source} runs ${shell} ${e.rest.map((w) => w.text).join(' ')}`);
    return true;
  }
  if (lang === 'perl' && (loads(args, '-M', 'ExtUtils::Command') || loads(args, '-M', 'ExtUtils::Command::MM'))) {
    const e = inline(args, ['-e', '-E']);
    if (!e || !e.code.literal || !/^\w+$/.test(e.code.text)) return false;
    const cmd = e.code.text;
    const source = `${name} -MExtUtils::Command -e ${cmd}`;
    const argv = PERL_EUC[cmd];
    if (!argv) {
      unknownEffect(ctx, source, `${source}: ExtUtils::Command function ${cmd} is not in Airlock's tables`);
      return true;
    }
    if (run) run([...argv.map(lit), ...e.rest]);
    else unknownEffect(ctx, source, `${source} runs ${argv.join(' ')} ${e.rest.map((w) => w.text).join(' ')}`);
    return true;
  }
  return false;
}
