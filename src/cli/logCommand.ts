/**
 * `airlock log [--ledger FILE] [--json] [--run ID] [--trace]`: the runs in the ledger; with --run,
 * that run's steps; with --trace, the causal chain of the run (what led to each step: escalation
 * history, the earlier step a retry duplicates, approvals, outcomes linked to their step).
 * Read-only. A run id may be given by a unique prefix.
 */
import { resolve } from 'node:path';
import { stepViews, type StepView } from '../core/run/stepView';
import { UsageError } from './args';
import { visible } from './format';
import { parseLedgerArgs } from './verifyCommand';

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const when = (iso: string | null): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

function outcomeText(v: StepView): string {
  if (!v.outcome) return '';
  const o = v.outcome;
  return [o.exitCode !== undefined ? `exit ${o.exitCode}` : 'done', o.error ? `error: ${o.error}` : '', o.durationMs !== undefined ? `${o.durationMs} ms` : ''].filter(Boolean).join(', ');
}

export async function runLog(argv: string[]): Promise<number> {
  const { args, values } = parseLedgerArgs(argv, { run: { type: 'string' }, trace: { type: 'boolean' } }, 'log');
  const runArg = typeof values.run === 'string' ? values.run : undefined;
  const traceMode = values.trace === true;
  if (traceMode && !runArg) throw new UsageError('--trace goes with --run ID');
  const { airlockHome } = await import('../node/environment');
  const { Ledger } = await import('../node/ledger/ledger');
  const path = resolve(args.ledger ?? `${airlockHome()}/ledger.sqlite`);
  let ledger: import('../node/ledger/ledger').Ledger;
  try {
    ledger = Ledger.open(path, { readonly: true, check: false });
  } catch (e) {
    process.stderr.write(`airlock: cannot open the ledger ${path}: ${(e as Error).message}\n`);
    return 1;
  }
  const write = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
  try {
    const runs = ledger.runSummaries();
    if (!runArg) {
      if (args.json) {
        write(JSON.stringify({ ledger: path, runs: runs.map((r) => ({ id: r.id, agent: r.agent, sessionId: r.session_id, startedAt: r.started_at, lastAt: r.last_at, status: r.status, statusReason: r.status_reason, steps: r.steps, denials: r.denials, approvals: r.approvals })) }));
        return 0;
      }
      if (runs.length === 0) {
        write(`no runs in ${path}`);
        return 0;
      }
      write(`${pad('RUN', 10)}${pad('AGENT', 9)}${pad('STARTED', 22)}${pad('STATUS', 9)}${pad('STEPS', 7)}${pad('DENIED', 8)}SESSION`);
      for (const r of runs) write(visible(`${pad(r.id.slice(0, 8), 10)}${pad(r.agent, 9)}${pad(when(r.started_at), 22)}${pad(r.status, 9)}${pad(String(r.steps), 7)}${pad(String(r.denials), 8)}${r.session_id}${r.status_reason ? `  (${r.status_reason})` : ''}`));
      return 0;
    }
    const matches = runs.filter((r) => r.id === runArg || r.id.startsWith(runArg));
    if (matches.length !== 1) {
      process.stderr.write(`airlock: ${matches.length === 0 ? 'no run' : `${matches.length} runs`} matching ${JSON.stringify(runArg)}\n`);
      return 1;
    }
    const run = matches[0]!;
    const { steps, orphanOutcomes } = stepViews(ledger.stepsOf(run.id));
    if (args.json) {
      write(JSON.stringify({ ledger: path, run: { id: run.id, agent: run.agent, sessionId: run.session_id, startedAt: run.started_at, status: run.status, statusReason: run.status_reason, steps: run.steps, denials: run.denials }, steps, orphanOutcomes }));
      return 0;
    }
    write(visible(`run ${run.id}  ${run.agent}  session ${run.session_id}  started ${when(run.started_at)}  ${run.status}${run.status_reason ? ` (${run.status_reason})` : ''}  ${run.steps} step(s), ${run.denials} denied`));
    if (!traceMode) {
      write(`${pad('SEQ', 5)}${pad('DECISION', 9)}${pad('REVERSIBILITY', 14)}${pad('MS', 8)}${pad('TOOL', 14)}ACTION`);
      for (const v of steps) {
        write(visible(`${pad(String(v.seq), 5)}${pad(v.decision.toUpperCase(), 9)}${pad(v.reversibility, 14)}${pad(String(v.durationMs), 8)}${pad(v.tool, 14)}${v.summary}`));
        if (v.rules.length) write(visible(`     rules: ${v.rules.join(', ')}`));
        const out = outcomeText(v);
        if (out) write(visible(`     outcome: ${out}`));
      }
      return 0;
    }
    // --trace: the causal chain.
    for (const v of steps) {
      write(visible(`#${v.seq} ${v.tool}${v.subagentId ? ` [sub-agent ${v.subagentId}]` : ''}: ${v.summary}`));
      if (v.description) write(visible(`   agent says: ${v.description}`));
      for (const from of v.ledBy.escalationFrom) {
        const prev = steps.find((p) => p.seq === from);
        write(visible(`   <- escalates denied step #${from}${prev ? ` (${prev.summary})` : ''}`));
      }
      if (v.ledBy.duplicateOf !== undefined) {
        const prev = steps.find((p) => p.seq === v.ledBy.duplicateOf);
        write(visible(`   <- retry of step #${v.ledBy.duplicateOf}${prev ? ` (${prev.summary}${prev.outcome ? `, ${outcomeText(prev)}` : ''})` : ''}`));
      }
      write(visible(`   => ${v.decision.toUpperCase()} (${v.reversibility})${v.rules.length ? ` by ${v.rules.join(', ')}` : ''}`));
      for (const r of v.reasons) write(visible(`      because: ${r}`));
      if (v.ledBy.approval) write(visible(`   approval: ${v.ledBy.approval.result}: ${v.ledBy.approval.detail}`));
      if (v.ledBy.unrecorded) write('   (the ledger could not record: denied so nothing unrecorded runs)');
      if (v.ledBy.paused) write('   (run was paused for a person)');
      if (v.ledBy.killed) write('   (kill switch latched)');
      if (v.outcome) write(visible(`   -> outcome (step #${v.outcome.seq}): ${outcomeText(v)}`));
    }
    if (orphanOutcomes.length) write(`outcomes without a matching step: ${orphanOutcomes.map((s) => `#${s}`).join(', ')}`);
    return 0;
  } finally {
    ledger.close();
  }
}
