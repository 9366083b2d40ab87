/**
 * `airlock undo <step-id>`: a step with a workspace checkpoint gets its files back (exact bytes and
 * modes; refused when they changed since the step, unless --force); `airlock undo --run <id> --to
 * <step>` restores a run to before that step (src/node/checkpoints/undo.ts); `--merge` undoes over
 * changes made since as a three-way merge per text file (src/node/checkpoints/merge.ts). Otherwise: restore the
 * rows an approved db_execute changed, from the before-images saved for it (src/node/db/undo.ts). Gated like any write (the running gate when one
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
  const { values, positionals } = strictArgs('undo', argv, { list: { type: 'boolean' }, db: { type: 'string', multiple: true }, 'ask-timeout-ms': { type: 'string' }, ledger: { type: 'string' }, run: { type: 'string' }, to: { type: 'string' }, force: { type: 'boolean' }, merge: { type: 'boolean' } }, true);
  if (values.force === true && values.merge === true) throw new UsageError('undo: --force overwrites changes made since the step, --merge keeps them: choose one');
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
  if (typeof values.run === 'string' || typeof values.to === 'string') {
    if (typeof values.run !== 'string' || typeof values.to !== 'string' || positionals.length) throw new UsageError('undo: --run <run-id> --to <step-id> go together (and take no other step)');
    return fileUndo(home, values, { run: values.run, to: values.to });
  }
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError('undo: give one step id or key (airlock undo --list shows them)');
  const target = positionals[0];
  const fileStep = await fileStepOf(home, values, target);
  if (fileStep) return fileUndo(home, values, { step: fileStep });
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

function ledgerPathOf(home: string, values: Record<string, unknown>, defaults: { ledger: string }): string {
  return typeof values.ledger === 'string' ? resolve(values.ledger) : defaults.ledger;
}

/** The checkpointed steps of the ledger (one run, or the step with this id). */
async function checkpointSteps(home: string, values: Record<string, unknown>, where: { runId?: string; stepId?: string }) {
  const { existsSync } = await import('node:fs');
  const { defaultPaths } = await import('../node/mcp/server');
  const { Ledger } = await import('../node/ledger/ledger');
  const { checkpointStepOf } = await import('../node/checkpoints/undo');
  const path = ledgerPathOf(home, values, defaultPaths(home));
  if (!existsSync(path)) return [];
  const ledger = Ledger.open(path, { readonly: true, check: false });
  try {
    const db = ledger.database();
    const rows = (where.stepId ? db.prepare('SELECT * FROM steps WHERE id = ?').all(where.stepId) : db.prepare('SELECT * FROM steps WHERE run_id = ? ORDER BY seq').all(where.runId)) as Array<Parameters<typeof checkpointStepOf>[0]>;
    return rows.map(checkpointStepOf).filter((s) => s !== undefined);
  } finally {
    ledger.close();
  }
}

async function fileStepOf(home: string, values: Record<string, unknown>, target: string) {
  const { isCheckpointId } = await import('../node/checkpoints/store');
  if (isCheckpointId(target)) return { stepId: target, checkpoint: target, runId: '', seq: 0, tool: '', summary: '' };
  return (await checkpointSteps(home, values, { stepId: target }))[0];
}

async function fileUndo(home: string, values: Record<string, unknown>, what: { step?: { stepId: string; checkpoint: string }; run?: string; to?: string }): Promise<number> {
  const { CheckpointStore, checkpointSettingsFromEnv } = await import('../node/checkpoints/store');
  const { undoCheckpointStep, undoRunTo } = await import('../node/checkpoints/undo');
  const { undoGate } = await import('../node/checkpoints/undoGate');
  const { defaultPaths } = await import('../node/mcp/server');
  const settings = checkpointSettingsFromEnv(process.env);
  const store = new CheckpointStore(home, settings === false ? {} : settings);
  const askTimeoutMs = typeof values['ask-timeout-ms'] === 'string' ? Number(values['ask-timeout-ms']) : 120_000;
  const steps = what.run ? await checkpointSteps(home, values, { runId: what.run }) : [];
  if (what.run && !steps.length) {
    process.stdout.write(`${JSON.stringify({ ok: false, message: `run ${what.run} has no steps with a checkpoint` })}\n`);
    return 1;
  }
  const info = await store.get(what.step?.checkpoint ?? steps.find((s) => s.stepId === what.to)?.checkpoint ?? steps[0]!.checkpoint);
  const gate = await undoGate({ home, ledgerPath: ledgerPathOf(home, values, defaultPaths(home)), discoveryPath: resolve(discoveryPath()), workspaceRoots: [info?.root ?? process.cwd()], store, log });
  const o = { store, gate: gate.gate, sessionId: `undo-${process.pid}-${Date.now().toString(36)}`, askTimeoutMs, requestedBy: 'airlock undo (command line)', ...(values.force === true ? { force: true } : {}), ...(values.merge === true ? { merge: true } : {}) };
  try {
    if (what.step) {
      const r = await undoCheckpointStep(what.step, o);
      process.stdout.write(`${JSON.stringify(r)}\n`);
      return r.ok ? 0 : 1;
    }
    const r = await undoRunTo(steps, what.to!, o);
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return r.ok ? 0 : 1;
  } finally {
    await gate.close();
  }
}
