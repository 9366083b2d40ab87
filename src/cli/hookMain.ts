/**
 * The hook shim as a program (dist/shim.js, loaded by the entry dist/hook.js from src/cli/hookEntry.ts):
 * `hook <agent>`. It bundles only the online path: stdin, the dialect, the bridge client. The
 * classifiers and the policy loader live in dist/offline.js and are loaded only when no gate
 * answers. Any failure answers deny (exit 2), never allow.
 */
import { join } from 'node:path';
import type { OfflineLoader } from '../node/agents/shim';
import { runHook } from './hookCommand';
import { COMMANDS } from './commands';
import { codeCacheDir, enableBuiltinCompileCache, requireWithCodeCache } from './codeCache';

export function hookMain(argv: string[]): void {
  // A computed path: esbuild leaves this require to run time, so dist/offline.js stays a separate file.
  const offlinePath = join(__dirname, 'offline.js');
  // The offline judge is the classifiers: compiled from a V8 code cache after the first call.
  const cacheDir = codeCacheDir();
  const builtin = cacheDir !== undefined && enableBuiltinCompileCache(cacheDir);
  const loadOffline: OfflineLoader = () => Promise.resolve((builtin || !cacheDir ? require(offlinePath) : requireWithCodeCache(offlinePath, cacheDir)) as Awaited<ReturnType<OfflineLoader>>);

  if (argv[0] === 'hook' && (argv.includes('--help') || argv.includes('-h'))) {
    process.stdout.write(`${COMMANDS.hook!.usage}\n`);
  } else if (argv[0] !== 'hook') {
    process.stderr.write(`${COMMANDS.hook!.usage}\n`);
    process.exitCode = 2;
  } else {
    runHook(argv.slice(1), loadOffline).then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        process.stderr.write(`Airlock hook: ${(e as Error)?.message ?? String(e)}: denied\n`);
        process.exitCode = 2;
      },
    );
  }
}
