/**
 * Package scripts: `npm|pnpm|yarn|bun run X`, `npm test`, `npm start`, `yarn X`…: read the
 * package.json the command will really use (nearest one upward from the working directory, or
 * `--prefix`/`-C`/`--dir`/`--cwd`), and judge the script body with the shell judge, with its
 * `pre`/`post` scripts, in the package's folder. A script that calls itself (directly or through
 * others) is a cycle: `unknown`. A package.json that is not JSON is `unknown`.
 */
import { posix } from 'node:path';
import { absolutize, inspectPath } from '../../paths.js';
import { plain, unknownEffect, type Ctx } from '../shell/shellContext.js';
import type { ShWord } from '../shell/shellWords.js';
import { describeReadError, guarded, missingMeansFailure, noteVisit, prefixFrom, readForJudging, scoped } from './insideState.js';
import { runScriptFile } from './scriptFile.js';

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

export interface PackageJson {
  scripts: Record<string, string>;
  deps: Set<string>;
  /** `workspaces` patterns (npm/yarn/bun: an array or `{ packages: [...] }`). */
  workspaces: string[];
}

/** Parsed package.json by content hash: judging stays fast when the same file is read again. */
const PARSED = new Map<string, PackageJson | string>();

export function parsePackageJson(text: string, sha256: string): PackageJson | string {
  const hit = PARSED.get(sha256);
  if (hit !== undefined) return hit;
  let out: PackageJson | string;
  try {
    const j = JSON.parse(text) as unknown;
    if (!j || typeof j !== 'object' || Array.isArray(j)) throw new Error('not a JSON object');
    const o = j as Record<string, unknown>;
    const scripts: Record<string, string> = {};
    if (o.scripts !== undefined) {
      if (!o.scripts || typeof o.scripts !== 'object' || Array.isArray(o.scripts)) throw new Error('"scripts" is not an object');
      for (const [k, v] of Object.entries(o.scripts as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new Error(`script "${k}" is not a string`);
        scripts[k] = v;
      }
    }
    const deps = new Set<string>();
    for (const f of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
      const d = o[f];
      if (d && typeof d === 'object' && !Array.isArray(d)) for (const k of Object.keys(d)) deps.add(k);
    }
    const ws = o.workspaces;
    const wsList = Array.isArray(ws) ? ws : ws && typeof ws === 'object' && Array.isArray((ws as { packages?: unknown }).packages) ? (ws as { packages: unknown[] }).packages : [];
    out = { scripts, deps, workspaces: wsList.filter((w): w is string => typeof w === 'string') };
  } catch (e) {
    out = `package.json is not valid: ${(e as Error).message}`;
  }
  if (PARSED.size > 512) PARSED.clear();
  PARSED.set(sha256, out);
  return out;
}

/** The folder holding the package.json a package manager would use, looking upward from `dir`. */
export function findPackageDir(ctx: Ctx, dir: string): string | undefined {
  let d = dir;
  for (let i = 0; i < 64; i++) {
    if (ctx.env.fs.kind(posix.join(d, 'package.json')) !== undefined) return d;
    const up = posix.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
  return undefined;
}

/** Read and parse the package.json in `dir`; on failure an `unknown` effect is added and undefined returned. */
export function loadPackage(ctx: Ctx, dir: string, who: string): PackageJson | undefined {
  const path = posix.join(dir, 'package.json');
  const r = readForJudging(ctx, path);
  if (!r.ok) {
    unknownEffect(ctx, who, `${who}: ${describeReadError(r)}`);
    return undefined;
  }
  const p = parsePackageJson(r.text, r.sha256);
  if (typeof p === 'string') {
    unknownEffect(ctx, who, `${who}: ${path}: ${p}`);
    return undefined;
  }
  return p;
}

const BUILTINS: Record<PackageManager, Set<string>> = {
  npm: new Set(),
  pnpm: new Set('add audit bin config create dedupe deploy dlx doctor env exec fetch help import init install i install-test it licenses link list ls outdated pack patch patch-commit prune publish rebuild rb remove rm root server setup store unlink update up why approve-builds cat-file cat-index find-hash ignored-builds self-update'.split(' ')),
  yarn: new Set('add audit autoclean bin cache check config constraints create dedupe dlx exec explain generate-lock-entry global help import info init install licenses link list login logout node npm outdated owner pack patch plugin policies publish rebuild remove run set stage tag team unlink unplug up upgrade upgrade-interactive version versions why workspace workspaces'.split(' ')),
  bun: new Set('add audit build create exec init install i link outdated patch pm publish remove rm repl test update upgrade why x info'.split(' ')),
};

const WITH_VALUE: Record<PackageManager, Set<string>> = {
  npm: new Set(['--prefix', '-w', '--workspace', '--loglevel', '--script-shell', '--userconfig', '--cache', '--registry']),
  pnpm: new Set(['-C', '--dir', '--filter', '-F', '--loglevel', '--reporter', '--workspace-dir']),
  yarn: new Set(['--cwd', '--modules-folder', '--cache-folder', '--mutex']),
  bun: new Set(['--cwd', '--filter', '-F', '--config', '-c']),
};

interface Invocation {
  dir?: string;
  script?: string;
  /** A builtin verb that is not a script (`test` for bun, `install`…): not ours. */
  notOurs?: boolean;
  extra: ShWord[];
  ignoreScripts: boolean;
  many?: string;
  /** `bun run file.ts` / `npm start` with no start script: a file instead of a script. */
  list?: boolean;
}

function parseInvocation(pm: PackageManager, args: ShWord[]): Invocation {
  const inv: Invocation = { extra: [], ignoreScripts: false };
  let i = 0;
  const opt = (a: string): boolean => a.startsWith('-') && a !== '--';
  // Global options before the verb.
  while (i < args.length && opt(args[i]!.text)) {
    const a = args[i]!.text;
    const [name, val] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = val ?? (WITH_VALUE[pm].has(name) ? args[i + 1]?.text : undefined);
    if (name === '--prefix' || name === '-C' || name === '--dir' || name === '--cwd') inv.dir = value;
    if (/^(-r|--recursive|--filter|-F|-w|--workspace|-ws|--workspaces|--include-workspace-root)$/.test(name)) inv.many = a;
    if (name === '--ignore-scripts') inv.ignoreScripts = true;
    i += val === undefined && WITH_VALUE[pm].has(name) ? 2 : 1;
  }
  const verb = args[i]?.text;
  i++;
  if (verb === undefined) {
    inv.notOurs = true;
    return inv;
  }
  const rest = (from: number): void => {
    let j = from;
    // Options of the run verb itself, then the script name, then its arguments.
    while (j < args.length && opt(args[j]!.text) && inv.script === undefined) {
      const a = args[j]!.text;
      const name = a.split('=')[0]!;
      if (name === '--prefix' || name === '-C' || name === '--dir' || name === '--cwd') inv.dir = a.includes('=') ? a.slice(name.length + 1) : args[++j]?.text;
      else if (/^(-r|--recursive|--filter|-F|-w|--workspace|-ws|--workspaces)$/.test(name)) {
        inv.many = a;
        if (!a.includes('=') && name !== '-r' && name !== '--recursive' && name !== '-ws' && name !== '--workspaces') j++;
      } else if (name === '--ignore-scripts') inv.ignoreScripts = true;
      j++;
    }
    if (inv.script === undefined) {
      if (j >= args.length) {
        inv.list = true;
        return;
      }
      inv.script = args[j]!.text;
      j++;
    }
    tailArgs(args.slice(j));
  };
  // npm parses options before `--` itself (`npm test --prefix x`); pnpm, yarn and bun pass them on.
  const tailArgs = (tail: ShWord[]): void => {
    const dd = tail.findIndex((w) => w.text === '--');
    if (pm !== 'npm') {
      inv.extra = dd === 0 ? tail.slice(1) : tail;
      return;
    }
    const before = dd >= 0 ? tail.slice(0, dd) : tail;
    const extra: ShWord[] = [];
    for (let k = 0; k < before.length; k++) {
      const a = before[k]!.text;
      if (!a.startsWith('-')) {
        extra.push(before[k]!);
        continue;
      }
      const name = a.split('=')[0]!;
      const value = a.includes('=') ? a.slice(name.length + 1) : WITH_VALUE.npm.has(name) ? before[++k]?.text : undefined;
      if (name === '--prefix') inv.dir = value;
      else if (name === '--ignore-scripts') inv.ignoreScripts = true;
      else if (/^(-w|--workspace|-ws|--workspaces)$/.test(name)) inv.many = a;
    }
    inv.extra = dd >= 0 ? [...extra, ...tail.slice(dd + 1)] : extra;
  };
  if (verb === 'run' || verb === 'run-script' || verb === 'rum' || verb === 'urn') {
    rest(i);
    return inv;
  }
  const alias: Record<string, string> = { test: 'test', t: 'test', tst: 'test', start: 'start', stop: 'stop', restart: 'restart' };
  if (alias[verb] && !(pm === 'bun' && verb === 'test')) {
    inv.script = alias[verb];
    tailArgs(args.slice(i));
    return inv;
  }
  if (pm !== 'npm' && !BUILTINS[pm].has(verb) && !verb.startsWith('-')) {
    // `yarn build`, `pnpm lint`, `bun dev`: a script of that name (checked against package.json).
    inv.script = verb;
    inv.extra = args.slice(i)[0]?.text === '--' ? args.slice(i + 1) : args.slice(i);
    (inv as { implicit?: boolean }).implicit = true;
    return inv;
  }
  inv.notOurs = true;
  return inv;
}

const quote = (w: ShWord): string => (w.literal && /^[\w./=:@%+,-]+$/.test(w.text) ? w.text : w.literal ? `'${w.text.replace(/'/g, "'\\''")}'` : `"$AIRLOCK_UNRESOLVED_ARG"`);

/**
 * `pm` with `args`: judge the package script it runs. Returns false when the command is not a script
 * run (install, publish… stay with the package-manager table).
 */
export function runPackageScript(pm: PackageManager, args: ShWord[], ctx: Ctx): boolean {
  const inv = parseInvocation(pm, args);
  if (inv.notOurs) return false;
  const who = `${pm} ${inv.script ? `run ${inv.script}` : 'run'}`;
  if (inv.many) {
    unknownEffect(ctx, pm, `${who} ${inv.many}: runs the script in several workspace packages; Airlock judges one package.json at a time`);
    return true;
  }
  const start = inv.dir !== undefined ? absolutize(inv.dir, ctx.env) : ctx.env.cwd;
  const dir = findPackageDir(ctx, start);
  if (!dir) {
    if ((inv as { implicit?: boolean }).implicit) return false; // `yarn foo` outside a package: leave it to the tables
    if (missingMeansFailure(ctx, start)) plain(ctx, pm, 'read', 'read', `${who}: no package.json in ${start} or above (the command fails, nothing runs)`);
    else unknownEffect(ctx, pm, `${who}: no package.json in ${start} or above now (${inspectPath(start, ctx.env).insideWorkspace ? 'an earlier command may create one' : 'outside the workspace, anything may create one'}; Airlock cannot tell what would run)`);
    return true;
  }
  if (inv.list) {
    plain(ctx, pm, 'read', 'read', `${pm} run lists the scripts of ${posix.join(dir, 'package.json')}`);
    return true;
  }
  const pkg = loadPackage(ctx, dir, who);
  if (!pkg) return true;
  const name = inv.script!;
  if ((inv as { implicit?: boolean }).implicit && pkg.scripts[name] === undefined) return false;
  runNamedScript(pm, pkg, dir, name, inv.extra, inv.ignoreScripts, ctx);
  return true;
}

function runNamedScript(pm: PackageManager, pkg: PackageJson, dir: string, name: string, extra: ShWord[], ignoreScripts: boolean, ctx: Ctx): void {
  const pkgPath = posix.join(dir, 'package.json');
  const body = pkg.scripts[name];
  if (body === undefined) {
    if (name === 'start' && ctx.env.fs.kind(posix.join(dir, 'server.js')) !== undefined) {
      scoped(ctx, { cwd: dir }, () => runScriptFile(posix.join(dir, 'server.js'), extra, ctx, `${pm} start runs`, 'node'));
      return;
    }
    if (name === 'restart' && (pkg.scripts.stop !== undefined || pkg.scripts.start !== undefined)) {
      for (const s of ['stop', 'start']) if (pkg.scripts[s] !== undefined) runNamedScript(pm, pkg, dir, s, extra, ignoreScripts, ctx);
      return;
    }
    plain(ctx, pm, 'read', 'read', `${pm} run ${name}: ${pkgPath} has no script "${name}" (the command fails, nothing runs)`);
    return;
  }
  const order = ignoreScripts ? [name] : [`pre${name}`, name, `post${name}`].filter((s) => pkg.scripts[s] !== undefined);
  for (const s of order) {
    const text = pkg.scripts[s]! + (s === name && extra.length ? ` ${extra.map(quote).join(' ')}` : '');
    const label = `${pm} script "${s}"`;
    guarded(
      ctx,
      `pkg:${pkgPath}#${s}`,
      (why) => unknownEffect(ctx, pm, `${label} in ${pkgPath}: ${why}`),
      () => {
        const from = ctx.effects.length;
        const cmdFrom = ctx.commands.length;
        // Scripts run with node_modules/.bin on PATH: `tsc` in a script is the project's tsc, judged by name.
        scoped(ctx, { cwd: dir, freshScope: true }, () => ctx.inside!.run(text, ctx, label));
        prefixFrom(ctx, from, `in ${label}`);
        noteVisit(ctx, from, cmdFrom, { what: label, path: pkgPath, sha256: ctx.inside!.files.get(pkgPath) ?? '' });
      },
    );
  }
}

const INSTALL_VERBS: Record<PackageManager, Set<string>> = {
  npm: new Set(['install', 'i', 'ci', 'clean-install', 'install-clean', 'isntall', 'add']),
  pnpm: new Set(['install', 'i']),
  yarn: new Set(['install']),
  bun: new Set(['install', 'i']),
};
const LIFECYCLE = ['preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare'];

/**
 * `npm install` (no package named), `npm ci`, `pnpm install`, `yarn`, `bun install`: the project's
 * own lifecycle scripts run too. They are judged here; the install itself stays with the
 * package-manager table (its dependencies' scripts are downloaded code it already counts).
 * `npm install-test`/`npm it`/`npm cit` also run the test script.
 */
export function runInstallScripts(pm: PackageManager, args: ShWord[], ctx: Ctx): void {
  const t = args.map((a) => a.text);
  if (t.includes('--ignore-scripts') || t.some((a) => a === '-g' || a === '--global')) return;
  const verbIdx = t.findIndex((a) => !a.startsWith('-'));
  const verb = verbIdx >= 0 ? t[verbIdx]! : undefined;
  const testToo = pm === 'npm' && verb !== undefined && ['it', 'install-test', 'cit', 'install-ci-test', 'clean-install-test'].includes(verb);
  const install = verb === undefined ? pm === 'yarn' : INSTALL_VERBS[pm].has(verb) || testToo;
  if (!install) return;
  const named = verbIdx >= 0 && t.slice(verbIdx + 1).some((a) => !a.startsWith('-'));
  if (named && !testToo) return; // installing a named package does not run the project's own scripts
  const dir = findPackageDir(ctx, ctx.env.cwd);
  if (!dir) return;
  const pkg = loadPackage(ctx, dir, `${pm} ${verb ?? 'install'}`);
  if (!pkg) return;
  const names = [...LIFECYCLE.filter((s) => pkg.scripts[s] !== undefined), ...(testToo ? ['test'] : [])];
  for (const s of names) runNamedScript(pm, pkg, dir, s, [], s !== 'test', ctx);
}
