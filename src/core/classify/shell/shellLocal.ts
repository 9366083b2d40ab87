/**
 * Code run by path or read from stdin: `./x.sh`, `bash script`, `source x`, `… | sh`. Shared by the
 * dispatcher and the interpreter scanner (neither imports the other for it).
 */
import { inspectPath } from '../../paths.js';
import { add, execUnknown, lit, pathEffect, resolveFrom, writtenHere, type Ctx } from './shellContext.js';
import type { ScriptRunner, Stdin } from './shellTypes.js';
import type { ShWord } from './shellWords.js';

/** A shell or interpreter reading its program from stdin. */
export function shellFromStdin(name: string, ctx: Ctx, stdin: Stdin, runScript: ScriptRunner | undefined): void {
  if (stdin.kind === 'text') {
    if (runScript) runScript(stdin.text, ctx, `${name} ${stdin.what}`);
    return;
  }
  if (stdin.kind === 'pipe') {
    execUnknown(ctx, name, `pipes unknown code into ${name} (whatever the previous command prints is executed)`);
    return;
  }
  if (stdin.kind === 'file') {
    runLocal(stdin.path, [], ctx, `${name} runs`, name);
    return;
  }
  execUnknown(ctx, name, `${name} without a script reads commands from the terminal`);
}

/**
 * Running a script or executable by path. Inside the workspace it is the project's own code (like
 * `npm test`): recoverable, not flagged. From outside the workspace nobody has read it here: exec.
 * (A script written earlier in the same run is the gate's business: it knows the run's history.)
 */
export function runLocal(path: string, args: ShWord[], ctx: Ctx, verb = 'runs', interp?: string): void {
  const abs0 = resolveFrom(ctx, path);
  // Read the file and judge what is in it (src/core/classify/inside: it names where code written or
  // fetched by this line came from). A file this line wrote is also exec of unread code below.
  if (ctx.inside) {
    ctx.inside.runLocal(path, args, ctx, verb, interp);
    if (abs0 === undefined || writtenHere(ctx, abs0) === undefined) return;
  }
  const before = ctx.effects.length;
  pathEffect(ctx, 'read', lit(path), 'exec');
  const info = ctx.effects[before];
  ctx.effects.length = before;
  const outside = info?.outsideWorkspace === true;
  const abs = resolveFrom(ctx, path);
  // Written or downloaded earlier in this same command line: nobody has read it.
  const fresh = abs === undefined ? undefined : writtenHere(ctx, abs);
  const unread = fresh !== undefined || !inspectPath(path, ctx.env).insideWorkspace; // temp folders included: downloads land there
  add(ctx, {
    kind: 'exec',
    reversibility: 'recoverable',
    ...(unread ? { exec: true } : {}),
    detail: fresh !== undefined
      ? `${verb} ${abs}: written by this same command line (${fresh}), so nobody has read it`
      : unread ? `${verb} ${abs ?? path}: a script or program from outside the workspace` : `${verb} ${abs ?? path}: the project's own script or program`,
    target: info?.target ?? path,
    source: path,
    ...(outside ? { outsideWorkspace: true } : {}),
  });
}
