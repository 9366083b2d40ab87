/**
 * Package runners: `npx`, `npm exec`, `pnpm dlx`, `pnpm exec`, `yarn dlx`, `yarn exec`, `bunx`,
 * `bun x`, `uvx`, `uv tool run`, `pipx run`, `uv run`, `poetry run`. A tool the project already
 * declares (node_modules/.bin present, or a dependency with a lockfile entry; pyproject.toml or
 * uv.lock for Python) runs as that tool and is judged as that tool (`npx tsc --noEmit` is tsc).
 * Anything else is downloaded from a registry and run: `exec` of code nobody in the project chose.
 */
import { posix } from 'node:path';
import { execUnknown, lit, plain, type Ctx } from '../shell/shellContext.js';
import type { ShWord } from '../shell/shellWords.js';
import { noteVisit, readForJudging } from './insideState.js';
import { findPackageDir, parsePackageJson, type PackageJson } from './packageScripts.js';
import { runScriptFile } from './scriptFile.js';

/** `@scope/name@1.2` → { name: '@scope/name', version: '1.2' }. */
export function splitSpec(spec: string): { name: string; version?: string } {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  return at > 0 ? { name: spec.slice(0, at), version: spec.slice(at + 1) } : { name: spec };
}

const LOCKS: Array<[string, (name: string) => RegExp]> = [
  ['package-lock.json', (n) => new RegExp(`"node_modules/${esc(n)}"\\s*:`)],
  ['pnpm-lock.yaml', (n) => new RegExp(`(^|\\s|/|')${esc(n)}@`, 'm')],
  ['yarn.lock', (n) => new RegExp(`(^|[\\s",])${esc(n)}@`, 'm')],
  ['bun.lock', (n) => new RegExp(`"${esc(n)}"\\s*:`)],
];
function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Is `bin` (from package `pkgName`) a tool this Node project declares? Returns why, or undefined. */
function declaredNode(ctx: Ctx, bin: string, pkgName: string): string | undefined {
  const dir = findPackageDir(ctx, ctx.env.cwd);
  if (!dir) return undefined;
  for (let d = dir, i = 0; i < 16; i++) {
    const b = posix.join(d, 'node_modules', '.bin', bin);
    if (ctx.env.fs.kind(b) === 'file') return `${b} is installed in the project`;
    const up = posix.dirname(d);
    if (up === d) break;
    d = up;
  }
  const pkg = readPackage(ctx, dir);
  if (!pkg) return undefined;
  const pinned = pinnedIn(ctx, dir, pkgName);
  if (pkg.deps.has(pkgName) && pinned) return `${pkgName} is a dependency in package.json, pinned in ${pinned}`;
  // A workspace package of a monorepo: its dependencies are installed and pinned at the root that
  // lists it in `workspaces` (npm, yarn, pnpm and bun run its tools from there).
  const root = workspaceRoot(ctx, dir);
  if (!root || !(pkg.deps.has(pkgName) || root.pkg.deps.has(pkgName))) return undefined;
  const rootPinned = pinnedIn(ctx, root.dir, pkgName);
  return rootPinned ? `${pkgName} is a dependency of workspace ${posix.relative(root.dir, dir)}, pinned in ${posix.join(posix.relative(dir, root.dir), rootPinned)}` : undefined;
}

function readPackage(ctx: Ctx, dir: string): PackageJson | undefined {
  const r = readForJudging(ctx, posix.join(dir, 'package.json'));
  if (!r.ok) return undefined;
  const pkg = parsePackageJson(r.text, r.sha256);
  return typeof pkg === 'string' ? undefined : pkg;
}

/** The lockfile in `dir` that pins `pkgName`, or undefined. */
function pinnedIn(ctx: Ctx, dir: string, pkgName: string): string | undefined {
  for (const [file, re] of LOCKS) {
    const p = posix.join(dir, file);
    if (ctx.env.fs.kind(p) !== 'file') continue;
    const lock = readForJudging(ctx, p, 16 * 1024 * 1024);
    if (lock.ok && re(pkgName).test(lock.text)) return file;
  }
  return undefined;
}

/** Does workspace pattern `pat` ("web", "packages/*", "apps/**") name the relative folder `rel`? */
function workspaceMatches(pat: string, rel: string): boolean {
  const p = pat.replace(/^\.\//, '').replace(/\/+$/, '');
  if (p.startsWith('!') || p.split('/').includes('..')) return false;
  const re = new RegExp(`^${p.split('/').map((seg) => (seg === '**' ? '.*' : seg.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))).join('/')}$`);
  return re.test(rel);
}

/** The monorepo root above `dir` whose package.json lists `dir` as a workspace (pnpm: pnpm-workspace.yaml is not read). */
function workspaceRoot(ctx: Ctx, dir: string): { dir: string; pkg: PackageJson } | undefined {
  let d = posix.dirname(dir);
  for (let i = 0; i < 16 && d !== posix.dirname(d); i++, d = posix.dirname(d)) {
    if (ctx.env.fs.kind(posix.join(d, 'package.json')) !== 'file') continue;
    const pkg = readPackage(ctx, d);
    if (!pkg) return undefined;
    const rel = posix.relative(d, dir);
    return pkg.workspaces.some((w) => workspaceMatches(w, rel)) ? { dir: d, pkg } : undefined;
  }
  return undefined;
}

/** Is Python tool `name` declared by the project (pyproject.toml dependencies or uv.lock)? */
function declaredPython(ctx: Ctx, name: string): string | undefined {
  const norm = name.toLowerCase().replace(/[_.]/g, '-');
  for (let d = ctx.env.cwd, i = 0; i < 32; i++) {
    for (const f of ['uv.lock', 'pyproject.toml', 'poetry.lock']) {
      const p = posix.join(d, f);
      if (ctx.env.fs.kind(p) !== 'file') continue;
      const r = readForJudging(ctx, p, 16 * 1024 * 1024);
      if (!r.ok) continue;
      const t = r.text.toLowerCase().replace(/_/g, '-');
      const re = f === 'pyproject.toml' ? new RegExp(`(^|["'\\s])${esc(norm)}(\\[[^\\]]*\\])?\\s*(["'<>=!~;]|=\\s*["{])`, 'm') : new RegExp(`^name = "${esc(norm)}"`, 'm');
      if (re.test(t)) return `${name} is declared in ${p}`;
    }
    const up = posix.dirname(d);
    if (up === d) break;
    d = up;
  }
  return undefined;
}

const NPX_WITH_VALUE = new Set(['-p', '--package', '-c', '--call', '--prefix', '--registry', '--cache', '--userconfig', '--loglevel', '-w', '--workspace']);

/** Parse the runner's own options; returns the packages, the command word index and an inline command (`-c`). */
function parseRunner(args: ShWord[], withValue: Set<string>): { packages: string[]; at: number; call?: ShWord; from?: string } {
  const packages: string[] = [];
  let call: ShWord | undefined;
  let from: string | undefined;
  let i = 0;
  while (i < args.length) {
    const a = args[i]!.text;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-')) break;
    const [name, val] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const v = val ?? (withValue.has(name) ? args[i + 1]?.text : undefined);
    if ((name === '-p' || name === '--package' || name === '--with') && v) packages.push(v);
    if ((name === '-c' || name === '--call') && args[i + (val === undefined ? 1 : 0)]) call = val !== undefined ? lit(val) : args[i + 1];
    if (name === '--from' && v) from = v;
    i += val === undefined && withValue.has(name) ? 2 : 1;
  }
  return { packages, at: i, ...(call ? { call } : {}), ...(from ? { from } : {}) };
}

/**
 * Judge a package runner. `runner` names the form (npx, pnpm dlx, uvx…); `args` start after it.
 * `localOnly`: the runner never downloads (pnpm exec, yarn exec): the command is judged as itself.
 */
export function runFetcher(runner: string, ecosystem: 'node' | 'python', args: ShWord[], ctx: Ctx, localOnly = false): void {
  const s = ctx.inside!;
  const p = parseRunner(args, ecosystem === 'node' ? NPX_WITH_VALUE : new Set(['--from', '--with', '--python', '-p', '--spec', '--index-url', '-i']));
  const cmd = args[p.at];
  if (p.call) {
    // npx -c 'cmd': the packages are put on PATH, then the shell command runs.
    for (const pk of p.packages) if (!declaredFor(ctx, ecosystem, splitSpec(pk).name, splitSpec(pk).name)) return downloads(runner, pk, ctx);
    s.run(p.call.text, ctx, `${runner} -c`);
    return;
  }
  if (!cmd) {
    // Only asking the runner about itself (`npx --version`, `uvx --help`) runs no package.
    const info = args.length > 0 && args.every((a) => a.literal && /^(--version|-v|-V|--help|-h)$/.test(a.text));
    if (info) plain(ctx, runner, 'read', 'read', `${runner} ${args.map((a) => a.text).join(' ')}: prints its own version or usage`);
    else execUnknown(ctx, runner, `${runner} without a command`);
    return;
  }
  const spec = splitSpec(p.from ?? p.packages[0] ?? cmd.text);
  const bin = p.packages.length || p.from ? splitSpec(cmd.text).name : posix.basename(spec.name);
  const rest = args.slice(p.at + 1);
  if (localOnly) {
    s.argv?.([lit(cmd.text), ...rest]);
    return;
  }
  if (spec.version !== undefined) return downloads(runner, `${spec.name}@${spec.version}`, ctx);
  const why = declaredFor(ctx, ecosystem, bin, spec.name);
  if (!why) return downloads(runner, spec.name, ctx);
  const from = ctx.effects.length;
  const cmdFrom = ctx.commands.length;
  s.argv?.([lit(bin), ...rest]);
  noteVisit(ctx, from, cmdFrom, { what: `${runner} ${bin}: the project's own tool (${why})`, path: '', sha256: '' });
}

function declaredFor(ctx: Ctx, eco: 'node' | 'python', bin: string, pkg: string): string | undefined {
  return eco === 'node' ? declaredNode(ctx, bin, pkg) : declaredPython(ctx, pkg);
}

function downloads(runner: string, what: string, ctx: Ctx): void {
  execUnknown(ctx, runner, `${runner} downloads ${what} from a registry and runs it: code this project does not declare`);
}

/** `uv run X` / `poetry run X`: X runs in the project's environment (a script file or an installed tool). */
export function runInProjectEnv(runner: string, args: ShWord[], ctx: Ctx): void {
  const s = ctx.inside!;
  const p = parseRunner(args, new Set(['--with', '--python', '-p', '--package', '--extra', '--group', '--env-file', '--directory', '--project']));
  const cmd = args[p.at];
  if (!cmd) return;
  if (p.packages.length) for (const pk of p.packages) if (!declaredPython(ctx, pk)) return downloads(runner, pk, ctx);
  if (/\.py$/.test(cmd.text)) runScriptFile(cmd.text, args.slice(p.at + 1), ctx, `${runner} runs`, 'python3');
  else if (cmd.text === 'python' || cmd.text === 'python3') s.argv?.(args.slice(p.at));
  else s.argv?.([lit(cmd.text), ...args.slice(p.at + 1)]);
}
