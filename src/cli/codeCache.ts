/**
 * V8 code cache for the big bundles a short-lived process loads (the hook's offline judge, the
 * classifiers behind `airlock check`). Node ≥ 22.1 has it built in (module.enableCompileCache);
 * on Node 20 the bundle is compiled through vm.Script with the cached data of an earlier run, and
 * the cache is (re)written at exit, after the judgement ran, so it holds the functions it compiled.
 *
 * The cache lives in <AIRLOCK_HOME>/cache (or $NODE_COMPILE_CACHE), keyed by the bundle's size and
 * mtime and the Node version; a stale or rejected cache is only slower, never wrong (V8 checks it
 * against the source and falls back to compiling).
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { Script } from 'node:vm';

type WithCache = typeof Module & { enableCompileCache?: (dir?: string) => unknown };

/** Turn on Node's own compile cache where it exists (Node ≥ 22.1). True when it did. */
export function enableBuiltinCompileCache(dir: string): boolean {
  const enable = (Module as WithCache).enableCompileCache;
  if (typeof enable !== 'function') return false;
  try {
    enable(dir);
    return true;
  } catch {
    return false;
  }
}

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

/** require(file), compiled with (and producing) a V8 code cache in `dir`. Falls back to plain require. */
export function requireWithCodeCache(file: string, dir: string): unknown {
  if (process.env.AIRLOCK_CODE_CACHE === '0') return require(file);
  let cachePath: string;
  let source: string;
  try {
    const st = statSync(file);
    cachePath = join(dir, `${basename(file)}-${st.size}-${Math.floor(st.mtimeMs)}-${process.version}.v8`);
    source = readFileSync(file, 'utf8');
  } catch {
    return require(file);
  }
  let cached: Buffer | undefined;
  try {
    cached = readFileSync(cachePath);
  } catch {
    cached = undefined;
  }
  // A vm.Script has no loader for import(): the bundles are built with import() turned into
  // require() (esbuild.config.mjs, `supported`), and the build test checks none is left.
  const script = new Script(Module.wrap(source), { filename: file, ...(cached ? { cachedData: cached } : {}) });
  const m = { exports: {} as unknown, filename: file, id: file, loaded: false };
  const fn = script.runInThisContext() as (exports: unknown, require: NodeRequire, module: unknown, filename: string, dirname: string) => void;
  fn.call(m.exports, m.exports, createRequire(file), m, file, dirname(file));
  m.loaded = true;
  if (!cached || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const tmp = `${cachePath}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, cachePath);
      } catch {
        /* no cache: the next run compiles again */
      }
    });
  }
  return m.exports;
}
