/**
 * `airlock undo <step-id|key>`: restore the rows an approved db_execute changed, from the
 * before-images saved for it (src/node/db/undo.ts). Gated like any write (the running gate when one
 * answers, else in-process: headless asks are denied at their deadline), recorded in the ledger,
 * carried out at most once. `airlock undo --list`: the recent undoable steps.
 */
import { resolve } from 'node:path';
import { strictArgs, UsageError } from './usageError';
import { airlockHome } from '../node/environment';
import { discoveryPath } from '../node/bridge/discovery';
import { parseMcpArgs } from './mcpCommand';

const log = (line: string): void => {
  process.stderr.write(`airlock undo: ${line}\n`);
};

export async function runUndo(argv: string[]): Promise<number> {
  const { values, positionals } = strictArgs('undo', argv, { list: { type: 'boolean' }, db: { type: 'string', multiple: true }, 'ask-timeout-ms': { type: 'string' }, ledger: { type: 'string' } }, true);
  const { EffectStore } = await import('../node/ledger/idempotency');
  const { defaultPaths } = await import('../node/mcp/server');
  const home = airlockHome();
  if (values.list === true) {
    const store = EffectStore.open(defaultPaths(home).effects);
    const steps = store.recentUndoable(50);
    store.close();
    process.stdout.write(`${JSON.stringify({ undoable: steps })}\n`);
    return 0;
  }
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError('undo: give one step id or key (airlock undo --list shows them)');
  const target = positionals[0];
  const { takeConnectionsFromEnv, mergeSpecs } = await import('../node/db/connections');
  const fromArgs = parseMcpArgs((Array.isArray(values.db) ? (values.db as string[]) : []).flatMap((d) => ['--db', d])).dbs;
  let specs;
  try {
    specs = mergeSpecs(fromArgs, takeConnectionsFromEnv(process.env));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const askTimeoutMs = typeof values['ask-timeout-ms'] === 'string' ? Number(values['ask-timeout-ms']) : 120_000;
  if (!Number.isInteger(askTimeoutMs) || askTimeoutMs < 100 || askTimeoutMs > 600_000) throw new UsageError('--ask-timeout-ms takes 100-600000');
  const { openDatabases } = await import('../node/mcp/databases');
  const { openAirlockMcp } = await import('../node/mcp/start');
  const { undoStep } = await import('../node/db/undo');
  const databases = await openDatabases(specs);
  const mcp = await openAirlockMcp({ home, discoveryPath: resolve(discoveryPath()), workspaceRoots: [process.cwd()], mode: 'interactive', gate: 'auto', askTimeoutMs, sessionId: `undo-${process.pid}-${Date.now().toString(36)}`, databases, log, ...(typeof values.ledger === 'string' ? { ledgerPath: resolve(values.ledger) } : {}) });
  try {
    const r = await undoStep(target, { store: mcp.store, gate: mcp.gate.gate, connection: (n) => databases.get(n), sessionId: `undo-${process.pid}`, askTimeoutMs, requestedBy: 'airlock undo (command line)' });
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return r.ok ? 0 : 1;
  } finally {
    await mcp.close();
  }
}
