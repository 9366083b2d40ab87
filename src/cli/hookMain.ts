/**
 * The hook shim as a program (dist/shim.js, loaded by the entry dist/hook.js from src/cli/hookEntry.ts):
 * `hook <agent>`. It bundles only the online path: stdin, the dialect, the bridge client. The
 * classifiers and the policy loader live in dist/offline.js and are loaded only when no gate
 * answers. Any failure answers deny (exit 2), never allow.
 */
import { join } from 'node:path';
import type { OfflineLoader } from '../node/agents/shim';
import { runHook } from './hookCommand';
import { HOOK_USAGE } from './hookUsage';
import { exitWhenWritten } from './writeOut';
import { codeCacheDir, coverInCodeCache, loadBundle } from './codeCache';

export function hookMain(argv: string[]): void {
  // dist/offline.js, the classifiers: compiled from a V8 code cache after the first call. A
  // failure to load it rejects, and the shim denies.
  // The shim's own code cache is kept covering both of its paths (codeCache.ts, LoadedBundle).
  const loadOffline: OfflineLoader = () =>
    new Promise((res) => {
      coverInCodeCache('shim.js', 'offline');
      res(loadBundle(join(__dirname, 'offline.js'), codeCacheDir()) as Awaited<ReturnType<OfflineLoader>>);
    });
  const onAskGate = (): void => coverInCodeCache('shim.js', 'gate');

  if (argv[0] === 'hook' && (argv.includes('--help') || argv.includes('-h'))) {
    process.stdout.write(`${HOOK_USAGE}\n`);
  } else if (argv[0] !== 'hook') {
    process.stderr.write(`${HOOK_USAGE}\n`);
    process.exitCode = 2;
  } else {
    runHook(argv.slice(1), loadOffline, onAskGate).then(
      // The answer is printed: exit now rather than after Node's teardown (writeOut.ts).
      (code) => exitWhenWritten(code),
      (e: unknown) => {
        process.stderr.write(`Airlock hook: ${(e as Error)?.message ?? String(e)}: denied\n`);
        process.exitCode = 2;
      },
    );
  }
}
