/** `airlock db add NAME URL [--read-only]`, `airlock db list`, `airlock db remove NAME`: credentials kept by Airlock (owner-only file). */
import { UsageError } from './args';
import { airlockHome } from '../node/environment';
import { addCredential, credentialPath, listCredentials, removeCredential } from '../node/db/credentialFile';

const USAGE = 'airlock db add NAME URL [--read-only] | list | remove NAME';

export function runDb(argv: string[]): number {
  if (argv[0]?.startsWith('-')) throw new UsageError(`airlock db: unknown option ${argv[0]} (valid options: --read-only, -h/--help)`);
  const [sub, ...rest] = argv;
  const home = airlockHome();
  try {
    switch (sub) {
      case 'add': {
        const ro = rest.includes('--read-only');
        const words = rest.filter((w) => w !== '--read-only');
        if (words.length !== 2 || words.some((w) => w.startsWith('--'))) throw new UsageError(USAGE);
        addCredential(home, words[0]!, words[1]!, ro);
        process.stdout.write(`saved ${words[0]}${ro ? ' (read-only)' : ''} in ${credentialPath(home)} (owner-only); use it with airlock mcp --db ${words[0]}\n`);
        return 0;
      }
      case 'list': {
        if (rest.length) throw new UsageError(USAGE);
        const l = listCredentials(home);
        process.stdout.write(l.length ? `${l.map((c) => `${c.name}\t${c.dialect}${c.readOnly ? '\tread-only' : ''}`).join('\n')}\n` : 'no saved database connections\n');
        return 0;
      }
      case 'remove': {
        if (rest.length !== 1) throw new UsageError(USAGE);
        const ok = removeCredential(home, rest[0]!);
        process.stdout.write(ok ? `removed ${rest[0]}\n` : `no saved connection named ${rest[0]}\n`);
        return ok ? 0 : 1;
      }
      default:
        throw new UsageError(USAGE);
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    process.stderr.write(`airlock: ${(e as Error).message}\n`);
    return 1;
  }
}
