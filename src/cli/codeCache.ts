/**
 * V8 code cache for the bundles a short-lived process loads (the hook's shim and offline judge, the
 * classifiers behind `airlock check`, the other commands). Each is compiled through vm.Script with
 * the cached data of an earlier run, and the cache is (re)written at exit, after the judgement ran,
 * so it holds the functions it compiled. (Node ≥ 22.1's own compile cache, module.enableCompileCache,
 * is not used: it is Node's CommonJS loader that consults it, and these bundles are not loaded by it.)
 *
 * The bundles are built pre-wrapped (esbuild.config.mjs: `WRAP_HEAD` … `WRAP_TAIL`, the function
 * Node's CommonJS loader would wrap them in), so the file's text is compiled as it is read: wrapping
 * it here made V8 copy the whole half-megabyte source into one flat string on every start, in the
 * young generation, where it cost a garbage collection of its own. A pre-wrapped file that is
 * `require()`d instead exports nothing, so a caller that loads one the wrong way fails (and the
 * hook denies), it never runs half a judge.
 *
 * The cache lives in <AIRLOCK_HOME>/cache (or $NODE_COMPILE_CACHE), keyed by the bundle's size and
 * mtime and the Node version; a stale or rejected cache is only slower, never wrong (V8 checks it
 * against the source and falls back to compiling).
 */
import { isAscii } from 'node:buffer';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { Script } from 'node:vm';

/** The text every code-cached bundle starts with, and ends with (esbuild.config.mjs writes the same). */
export const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
export const WRAP_TAIL = '\n})';

/**
 * Where the cache lives (none with AIRLOCK_CODE_CACHE=0): $NODE_COMPILE_CACHE, else <AIRLOCK_HOME>/cache, else ~/.airlock/cache from
 * $HOME. A process started with neither (an agent that scrubs its hooks' environment) gets none:
 * guessing the account's home would write outside any home it was given.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AIRLOCK_CODE_CACHE === '0') return undefined;
  if (env.NODE_COMPILE_CACHE) return env.NODE_COMPILE_CACHE;
  if (env.AIRLOCK_HOME) return join(resolve(env.AIRLOCK_HOME), 'cache');
  if (env.HOME) return join(env.HOME, '.airlock', 'cache');
  return undefined;
}

/**
 * Load the pre-wrapped bundle `file` (see the header) and return its exports, compiled with (and
 * producing) a V8 code cache in `dir`; without a `dir` (or with AIRLOCK_CODE_CACHE=0) it is compiled
 * from source. Throws when the file cannot be read or is not a pre-wrapped bundle.
 */
export function loadBundle(file: string, dir: string | undefined): unknown {
  const { source, cached, cachePath } = readBundle(file, dir !== undefined && process.env.AIRLOCK_CODE_CACHE !== '0' ? dir : undefined);
  if (!source.startsWith(WRAP_HEAD)) throw new Error(`${file} is not a bundle built for Airlock's loader (run npm run build)`);
  // A vm.Script has no loader for import(): the bundles are built with import() turned into
  // require() (esbuild.config.mjs, `supported`), and the build test checks none is left.
  const script = new Script(source, { filename: file, ...(cached ? { cachedData: cached } : {}) });
  const m = { exports: {} as unknown, filename: file, id: file, loaded: false };
  const fn = script.runInThisContext() as (exports: unknown, require: NodeRequire, module: unknown, filename: string, dirname: string) => void;
  if (cachePath !== undefined && dir !== undefined) {
    const fresh = !cached || script.cachedDataRejected === true;
    const b: LoadedBundle = { script, cachePath, dir, ...(fresh ? { covered: [] } : {}), scheduled: false };
    bundles().set(basename(file), b);
    if (fresh) scheduleCacheWrite(b);
  }
  fn.call(m.exports, m.exports, createRequire(file), m, file, dirname(file));
  m.loaded = true;
  return m.exports;
}

/**
 * A bundle loaded with a code cache. A cache holds only the functions the process that wrote it
 * compiled, so a cache written by a call that took one path through the bundle (the shim's offline
 * path) makes every later call on the other path (asking a gate) compile that path's functions from
 * source, ~7 ms per call here. `covered` names the paths the cache was written by (a `.paths` file
 * beside it); a process that takes another one writes the cache again at exit, holding both.
 */
interface LoadedBundle {
  script: Script;
  cachePath: string;
  dir: string;
  /** Read from the `.paths` file when a path is first named (most loads never ask). */
  covered?: string[];
  scheduled: boolean;
}

// Shared by every bundle of the process (dist/hook.js loads the shim, the shim names its path).
const BUNDLES = Symbol.for('airlock.codeCache.bundles');
function bundles(): Map<string, LoadedBundle> {
  const g = globalThis as { [BUNDLES]?: Map<string, LoadedBundle> };
  return (g[BUNDLES] ??= new Map());
}

function readCovered(cachePath: string): string[] {
  try {
    return readFileSync(`${cachePath}.paths`, 'latin1').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function scheduleCacheWrite(b: LoadedBundle): void {
  if (b.scheduled) return;
  b.scheduled = true;
  process.once('exit', () => {
    try {
      mkdirSync(b.dir, { recursive: true, mode: 0o700 });
      const tmp = `${b.cachePath}.${process.pid}.tmp`;
      writeFileSync(tmp, b.script.createCachedData(), { mode: 0o600 });
      renameSync(tmp, b.cachePath);
      writeFileSync(tmp, `${(b.covered ?? []).join('\n')}\n`, { mode: 0o600 });
      renameSync(tmp, `${b.cachePath}.paths`);
    } catch {
      /* no cache: the next run compiles again */
    }
  });
}

/**
 * This process takes `path` through the bundle `name` (e.g. 'shim.js', 'gate'): when its code cache
 * was not written by a process that did, it is written again at exit (see LoadedBundle).
 */
export function coverInCodeCache(name: string, path: string): void {
  const b = bundles().get(name);
  if (b === undefined) return;
  b.covered ??= readCovered(b.cachePath);
  if (b.covered.includes(path)) return;
  b.covered.push(path);
  scheduleCacheWrite(b);
}

/**
 * The bundle's text and its code cache, read with as little fresh memory as possible: on a machine
 * where a page fault is expensive, that is most of what loading a bundle costs. Both files are read
 * into one buffer (the text first, decoded as Latin-1 when it is ASCII, which the minified bundles
 * are: no UTF-8 decoder growing its own copy; then the cache over it), not into a string built
 * chunk by chunk plus a buffer of its own.
 */
function readBundle(file: string, dir: string | undefined): { source: string; cached: Buffer | undefined; cachePath: string | undefined } {
  const fd = openSync(file, 'r');
  let sourceSize: number;
  let cachePath: string | undefined;
  let cacheFd: number | undefined;
  let buf: Buffer;
  let source: string;
  try {
    const st = fstatSync(fd);
    sourceSize = st.size;
    if (dir !== undefined) {
      cachePath = join(dir, `${basename(file)}-${st.size}-${Math.floor(st.mtimeMs)}-${process.version}.v8`);
      try {
        cacheFd = openSync(cachePath, 'r');
      } catch {
        cacheFd = undefined;
      }
    }
    let cacheSize = cacheFd === undefined ? 0 : fstatSync(cacheFd).size;
    // A cache is a fraction of its bundle's size; anything far larger is not one (compile from source).
    if (cacheFd !== undefined && cacheSize > 8 * sourceSize + (1 << 20)) {
      closeSync(cacheFd);
      cacheFd = undefined;
      cacheSize = 0;
    }
    buf = Buffer.allocUnsafeSlow(Math.max(sourceSize, cacheSize, 1));
    const text = buf.subarray(0, readAll(fd, buf, sourceSize));
    source = typeof isAscii === 'function' && isAscii(text) ? text.toString('latin1') : text.toString('utf8');
    if (cacheFd === undefined) return { source, cached: undefined, cachePath };
    try {
      return { source, cached: buf.subarray(0, readAll(cacheFd, buf, cacheSize)), cachePath };
    } catch {
      return { source, cached: undefined, cachePath };
    }
  } finally {
    closeSync(fd);
    if (cacheFd !== undefined) closeSync(cacheFd);
  }
}

function readAll(fd: number, buf: Buffer, size: number): number {
  let n = 0;
  while (n < size) {
    const r = readSync(fd, buf, n, size - n, n);
    if (r === 0) break;
    n += r;
  }
  return n;
}
