/**
 * `airlock verify [--ledger FILE] [--json] [--accept]`: walk the ledger's hash chain, check every
 * run's sequence and compare the database with its anchor. Exit 0 intact, 1 broken (or unreadable),
 * 2 bad usage. Read-only, except `--accept`, which clears incidents recorded at earlier starts
 * (a deleted or replaced database) after they have been shown.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeIntegrity, type LedgerIntegrity } from '../core/run/ledgerCheck';
import { strictArgs } from './usageError';
import { visible } from './format';

export interface LedgerArgs {
  ledger?: string;
  json: boolean;
}

/**
 * The error for a ledger file that is not there, or undefined when it is: nothing was recorded at that
 * place yet (a new machine, another AIRLOCK_HOME), which is worth saying in those words rather than
 * as SQLite's "unable to open database file".
 */
export function missingLedger(path: string): string | undefined {
  return existsSync(path) ? undefined : `no ledger at ${path}: nothing has been recorded there yet (runs are recorded once an agent works under Airlock's gate: \`airlock hooks install <agent>\`, then VS Code with Airlock or \`airlock serve\`; --ledger FILE reads another ledger)`;
}

export function parseLedgerArgs(argv: string[], extra: Record<string, { type: 'string' | 'boolean' }> = {}, cmd = 'verify'): { args: LedgerArgs; values: Record<string, unknown> } {
  const { values } = strictArgs(cmd, argv, { ledger: { type: 'string' }, json: { type: 'boolean' }, ...extra });
  return { args: { json: values.json === true, ...(typeof values.ledger === 'string' ? { ledger: values.ledger } : {}) }, values };
}

export async function runVerify(argv: string[]): Promise<number> {
  const { args, values } = parseLedgerArgs(argv, { accept: { type: 'boolean' } });
  const { airlockHome } = await import('../node/environment');
  const { anchorPathFor, Ledger, readAnchor } = await import('../node/ledger/ledger');
  const home = airlockHome();
  const path = resolve(args.ledger ?? `${home}/ledger.sqlite`);
  const anchor = anchorPathFor(home, path);
  const out = (i: LedgerIntegrity | { ok: false; error: string }, extra: Record<string, unknown> = {}): number => {
    if (args.json) process.stdout.write(`${JSON.stringify({ ledger: path, anchor, ...i, ...extra })}\n`);
    else if ('error' in i) process.stdout.write(`LEDGER UNREADABLE: ${visible(i.error)}\n`);
    else process.stdout.write(`${describeIntegrity(i).map(visible).join('\n')}\n  ledger: ${path}\n  anchor: ${anchor}\n`);
    return i.ok ? 0 : 1;
  };

  if (!existsSync(path)) {
    const a = readAnchor(anchor);
    if (a.kind === 'ok' && a.anchor.steps > 0) {
      return out({ ok: false, error: `the ledger ${path} is missing, but its anchor records ${a.anchor.steps} step(s) (last at ${a.anchor.updatedAt}): the run history was deleted` }, { problems: [{ kind: 'ledger.missing' }] });
    }
    return out({ ok: false, error: `no ledger at ${path}` });
  }
  let ledger: import('../node/ledger/ledger').Ledger;
  try {
    ledger = values.accept === true ? Ledger.open(path, { anchor }) : Ledger.open(path, { anchor, readonly: true });
  } catch (e) {
    return out({ ok: false, error: `cannot open the ledger ${path}: ${(e as Error).message}` });
  }
  try {
    if (values.accept === true) {
      const shown = ledger.integrity;
      if (!args.json) process.stdout.write(`${describeIntegrity(shown).map(visible).join('\n')}\n`);
      const n = ledger.acceptIncidents();
      if (!args.json) process.stdout.write(`accepted ${n} earlier incident(s)\n`);
      return out(ledger.verify(), { accepted: n });
    }
    return out(ledger.integrity);
  } finally {
    ledger.close();
  }
}
