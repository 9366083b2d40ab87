/**
 * The dispatcher's door into "looking inside what will run" (docs/shell-parser.md, "Looking
 * inside"). `inspectInside` is called for every command before the tool tables; it returns true
 * when it judged the command itself (package scripts, make, package runners), false to let the
 * tables judge it. It also records what the command produces (provenance) before it runs.
 */
import { network, plain, unknownEffect, type Ctx } from '../shell/shellContext.js';
import type { ShWord } from '../shell/shellWords.js';
import type { ArgvRun } from './insideState.js';
import { runFetcher, runInProjectEnv } from './fetchers.js';
import { runMake } from './makefile.js';
import { runInstallScripts, runPackageScript, type PackageManager } from './packageScripts.js';
import { runScriptFile } from './scriptFile.js';
import { applyProgramTrust } from './trustApply.js';

const PMS = new Set<PackageManager>(['npm', 'pnpm', 'yarn', 'bun']);

export function inspectInside(name: string, args: ShWord[], ctx: Ctx, argv: ArgvRun, local?: string): boolean {
  const s = ctx.inside;
  if (!s) return false;
  s.argv = argv;
  if (ctx.remote || local !== undefined) return false; // on another machine: its files are not ours to read
  const t0 = args[0]?.text;
  if (PMS.has(name as PackageManager)) {
    const pm = name as PackageManager;
    const verbIdx = args.findIndex((a) => !a.text.startsWith('-'));
    const verb = verbIdx >= 0 ? args[verbIdx]!.text : undefined;
    const after = args.slice(verbIdx + 1);
    if ((pm === 'npm' && (verb === 'exec' || verb === 'x')) || (pm === 'bun' && verb === 'x')) {
      runFetcher(`${pm} ${verb}`, 'node', after, ctx);
      return true;
    }
    if ((pm === 'pnpm' || pm === 'yarn') && verb === 'dlx') {
      runFetcher(`${pm} dlx`, 'node', after, ctx);
      return true;
    }
    if ((pm === 'pnpm' || pm === 'yarn') && verb === 'exec') {
      runFetcher(`${pm} exec`, 'node', after, ctx, true);
      return true;
    }
    if (pm === 'bun' && verb === 'run' && after[0] && /\.(m?[jt]sx?|cjs|cts|mts)$/.test(after[0].text)) {
      runScriptFile(after[0].text, after.slice(1), ctx, 'bun runs', 'bun');
      return true;
    }
    runInstallScripts(pm, args, ctx);
    if (pm === 'bun' && verb !== undefined && bunBuiltin(verb, args, ctx)) return true;
    return runPackageScript(pm, args, ctx);
  }
  if (name === 'npx' || name === 'pnpx' || name === 'bunx') {
    runFetcher(name, 'node', args, ctx);
    return true;
  }
  if (name === 'uvx' || (name === 'pipx' && t0 === 'run') || (name === 'uv' && t0 === 'tool' && args[1]?.text === 'run')) {
    runFetcher(name === 'uvx' ? 'uvx' : name === 'pipx' ? 'pipx run' : 'uv tool run', 'python', args.slice(name === 'uvx' ? 0 : name === 'pipx' ? 1 : 2), ctx);
    return true;
  }
  if ((name === 'uv' || name === 'poetry' || name === 'pdm' || name === 'hatch') && t0 === 'run') {
    runInProjectEnv(`${name} run`, args.slice(1), ctx);
    return true;
  }
  if (name === 'make' || name === 'gmake') {
    runMake(name, args, ctx);
    return true;
  }
  return false;
}

/** After the tool tables judged `name`: learned trust for programs in no table. */
export function afterTools(name: string, ctx: Ctx, from: number): void {
  applyProgramTrust(name, ctx, from);
}

/** A script or program run by path (`./x`, `bash x`, `python x.py`, `source x`). */
export function runLocalInside(path: string, args: ShWord[], ctx: Ctx, verb: string, interp?: string): void {
  if (!ctx.inside) {
    unknownEffect(ctx, verb, `${verb} ${path}: not looked inside`);
    return;
  }
  if (ctx.remote) {
    unknownEffect(ctx, verb, `${verb} ${path} on ${ctx.remote}: a file on another machine Airlock cannot read`);
    return;
  }
  runScriptFile(path, args, ctx, verb, interp, verb === 'sources');
}

/** bun is also an interpreter (`bun x.ts`): its package-manager verbs are judged here, not as script files. */
function bunBuiltin(verb: string, args: ShWord[], ctx: Ctx): boolean {
  const global = args.some((a) => a.text === '-g' || a.text === '--global');
  if (['install', 'i', 'add', 'a', 'update', 'link', 'upgrade'].includes(verb)) {
    plain(ctx, `bun ${verb}`, 'write', 'recoverable', `bun ${verb}: installs or updates packages (runs their lifecycle scripts)`, global ? { outsideWorkspace: true } : {});
    return true;
  }
  if (['remove', 'rm', 'unlink'].includes(verb)) {
    plain(ctx, `bun ${verb}`, 'delete', 'recoverable', `bun ${verb}: removes packages (reinstall to undo)`, global ? { outsideWorkspace: true } : {});
    return true;
  }
  if (verb === 'publish') {
    if (args.some((a) => a.text === '--dry-run')) plain(ctx, 'bun publish', 'read', 'read', 'bun publish --dry-run');
    else network(ctx, 'bun publish', 'irreversible', 'bun publish: publishes to a registry (cannot be taken back)');
    return true;
  }
  if (verb === 'test' || verb === 'build') {
    plain(ctx, `bun ${verb}`, 'exec', 'recoverable', verb === 'test' ? "bun test: runs the project's tests" : 'bun build: bundles the project');
    return true;
  }
  if (verb === 'outdated' || verb === 'pm' || verb === 'why' || verb === 'info' || verb === '--version' || verb === '--help') {
    plain(ctx, `bun ${verb}`, 'read', 'read', `bun ${verb}: reads`);
    return true;
  }
  return false;
}
