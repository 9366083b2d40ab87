#!/usr/bin/env node
/**
 * dist/hook.js: what `airlock hooks install` writes into each agent's config (`node dist/hook.js hook
 * <agent>`, the same argv as `airlock hook <agent>`). It runs once per agent tool call, so it is only
 * this: the shim (dist/shim.js, from hookMain.ts) is compiled from a V8 code cache like the offline
 * judge behind it, instead of being parsed and compiled from source on every call.
 * Any failure to load it answers deny (exit 2), never allow.
 */
import { join } from 'node:path';
import { codeCacheDir, loadBundle } from './codeCache';

type ShimProgram = typeof import('./hookMain');

function loadShim(): ShimProgram {
  // dist/shim.js beside this file (a computed path: esbuild leaves the require to run time, so the
  // shim stays a separate file).
  return loadBundle(join(__dirname, 'shim.js'), codeCacheDir()) as ShimProgram;
}

try {
  loadShim().hookMain(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`Airlock hook: ${(e as Error)?.message ?? String(e)}: denied\n`);
  process.exitCode = 2;
}
