#!/usr/bin/env node
/** The `airlock` command: core + node adapters, wired here and nowhere else. */
// Commands are imported when used: `airlock hook` runs once per agent tool call and must start fast.
import { join } from 'node:path';
import { version } from '../../package.json';
import { codeCacheDir, loadBundle } from './codeCache';
import { COMMANDS, GLOBAL_USAGE, entryFor, wantsHelp } from './commands';
import { EXIT } from './format';
import { isUsageError, UsageError } from './usageError';
import { exitWhenWritten } from './writeOut';

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
    process.stdout.write(`airlock ${version} (node ${process.versions.node})\n`);
    return 0;
  }
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    if (cmd === undefined) throw new UsageError('no command given');
    const e = entryFor(rest);
    if (rest.length && !e) throw new UsageError(`help: unknown command ${rest[0]}`);
    process.stdout.write(`${e ? e.entry.usage : GLOBAL_USAGE}\n`);
    return 0;
  }
  if (!Object.prototype.hasOwnProperty.call(COMMANDS, cmd)) throw new UsageError(`unknown command: ${cmd}`);
  if (wantsHelp(argv)) {
    process.stdout.write(`${entryFor(argv)!.entry.usage}\n`);
    return 0;
  }
  // Each bundle is its own file, required on use: `airlock check` reads the judge, not the whole CLI.
  if (cmd === 'check') return (loadCommandBundle('check', 'checkEntry') as typeof import('./checkEntry')).runCheckCommand(rest);
  return (loadCommandBundle('commands', 'commandRunner') as typeof import('./commandRunner')).runCommand(cmd, rest);
}

/**
 * dist/<bundle>.js next to this file (compiled from a V8 code cache after the first run), or the
 * TypeScript module when running from source. A computed path: esbuild leaves the require to run time.
 */
function loadCommandBundle(bundle: string, source: string): unknown {
  if (!__filename.endsWith('.js')) return require(join(__dirname, source));
  return loadBundle(join(__dirname, `${bundle}.js`), codeCacheDir());
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    // `airlock check` (one action; --jsonl writes through process.stdout) ends once its answer is
    // out, without Node's teardown (writeOut.ts); every other command ends the normal way.
    if (argv[0] === 'check' && !argv.includes('--jsonl')) exitWhenWritten(code);
    else process.exitCode = code;
  },
  (e: unknown) => {
    if (isUsageError(e)) {
      // The error, then the usage of the command it is about (or the command list).
      const e2 = entryFor(argv);
      const msg = e.message.startsWith('airlock') ? e.message : `airlock: ${e.message}`;
      process.stderr.write(`${msg}\n\n${e2 ? e2.entry.usage : GLOBAL_USAGE}\n`);
      process.exitCode = EXIT.usage;
    } else {
      // An unexpected failure is a deny: exit 4, never 0.
      process.stderr.write(`airlock: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = EXIT.deny;
    }
  },
);
