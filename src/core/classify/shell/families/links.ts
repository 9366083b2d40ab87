/**
 * T32/T35: links made in the same command line, and places git creates outside the workspace.
 *
 * `ln -s TARGET LINK`, `ln TARGET LINK` (hard link: the same file under two names), `cp -s` and
 * `cp -l` make a name that later commands write through. The link is recorded in the line state
 * (lineState.ts), so every later path in the line is canonicalized through it: `ln -s ~ h; echo x
 * >> h/.bashrc` is a write to `~/.bashrc`. The link itself is judged as a create, and a link that
 * points outside the workspace says so. `mkdir` is recorded too (a later `mv a dir` moves into it).
 *
 * `git worktree add PATH`, `git clone URL PATH` and `git submodule add URL PATH` create a checkout at
 * PATH: judged as creating PATH (outside the workspace: ask).
 */
import { absolutize, inspectPath } from '../../../paths.js';
import { pathEffect } from '../shellContext.js';
import { hasOpt, positionals, word } from './common.js';
import type { Family } from './types.js';
import { noteDir, noteLink } from './lineState.js';

const LN_WITH_ARG = new Set(['-S', '--suffix', '-t', '--target-directory']);

export const linksAndPlaces: Family = (c) => {
  const { ctx, name, args } = c;
  const line = ctx.line;
  if (name === 'ln' || (name === 'cp' && hasOpt(args, ['--symbolic-link', '--link'], 'sl'))) {
    if (args.some((a) => a.text === '--help' || a.text === '--version')) return false;
    const symbolic = name === 'ln' ? hasOpt(args, ['--symbolic'], 's') : hasOpt(args, ['--symbolic-link'], 's');
    const p = positionals(args, LN_WITH_ARG);
    const tDir = args.findIndex((a) => a.text === '-t' || a.text.startsWith('--target-directory'));
    const dest = tDir >= 0 ? (args[tDir]!.text.includes('=') ? word(args[tDir]!.text.split('=')[1]!) : args[tDir + 1]) : p.length >= 2 ? p[p.length - 1] : p.length === 1 ? word('.') : undefined;
    const targets = tDir >= 0 ? p : p.length >= 2 ? p.slice(0, -1) : p;
    if (!dest || targets.length === 0) return false;
    const force = hasOpt(args, ['--force', '--remove-destination'], 'f');
    for (const target of targets) {
      const targetInfo = target.unknownVars.length || target.subst ? undefined : inspectPath(target.text.startsWith('/') || target.text.startsWith('~') || !symbolic ? target.text : absolutize(target.text, { ...ctx.env, cwd: absolutize(dest.text + '/..', ctx.env) }), ctx.env);
      const out = targetInfo && !targetInfo.insideWorkspace ? ` pointing outside the workspace (${targetInfo.abs})` : targetInfo ? '' : ' to a target that depends on a variable';
      const kind = ctx.env.fs.kind(absolutize(dest.text, ctx.env));
      const at = kind === 'dir' || targets.length > 1 || tDir >= 0 ? word(`${dest.text.replace(/\/$/, '')}/${target.text.split('/').pop()}`) : dest;
      const existing = ctx.env.fs.kind(absolutize(at.text, ctx.env));
      pathEffect(ctx, force && existing === 'file' ? 'overwrite' : 'create', at, name, ` (${symbolic ? 'symbolic' : 'hard'} link${out})`);
      if (line && !target.unknownVars.length && !target.subst && !at.unknownVars.length && !at.subst) noteLink(ctx.env, line, target.text, at.text, symbolic);
    }
    return true;
  }
  if (name === 'mkdir' && line) {
    for (const d of positionals(args, new Set(['-m', '--mode', '--context']))) {
      if (d.unknownVars.length || d.subst) continue;
      // A folder that does not exist yet is this line's own (temp scratch it may delete again); the
      // overlay then says it exists, so the dispatcher's create effect would no longer see it as new.
      const abs = absolutize(d.text, ctx.env);
      if (ctx.env.fs.kind(abs) === undefined && !ctx.created.includes(abs)) ctx.created.push(abs);
      noteDir(ctx.env, line, d.text);
    }
    return false;
  }
  if (name === 'git') {
    const t = args.map((a) => a.text);
    let i = 0;
    while (i < t.length && t[i]!.startsWith('-')) i += /^(-c|-C|--git-dir|--work-tree|--namespace)$/.test(t[i]!) ? 2 : 1;
    const verb = t[i]?.toLowerCase();
    const rest = args.slice(i + 1);
    let place;
    if (verb === 'worktree' && rest[0]?.text === 'add') place = positionals(rest.slice(1), new Set(['-b', '-B', '--reason']))[0];
    else if (verb === 'clone') place = positionals(rest, new Set(['-b', '--branch', '-o', '--origin', '--depth', '-c', '--config', '--reference', '--template', '-u', '--upload-pack', '--separate-git-dir', '--filter', '-j', '--jobs']))[1];
    else if (verb === 'submodule' && rest[0]?.text === 'add') place = positionals(rest.slice(1), new Set(['-b', '--name', '--reference', '--depth']))[1];
    if (place) pathEffect(ctx, 'create', place, `git ${verb}`, ' (a new checkout)');
    return false;
  }
  return false;
};
