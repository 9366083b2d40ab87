/**
 * `airlock log [--ledger FILE] [--json] [--run ID] [--trace]`: the runs in the ledger (agent, models,
 * start, end, duration, steps, denials, approvals, tokens, cost and where it came from); with --run,
 * that run's steps with the tokens and cost of the model call behind each; with --trace, the causal
 * chain of the run (what led to each step: escalation history, the earlier step a retry duplicates,
 * approvals, outcomes linked to their step). Read-only. A run id may be given by a unique prefix.
 * --json prints the documented schema of src/core/protocol/runLog.ts (LogRuns, LogRunDetail).
 */
import { resolve } from 'node:path';
import type { UsageTotals } from '../core/protocol/runLog';
import { costSourceLabel } from '../core/run/runCost';
import type { StepView } from '../core/run/stepView';
import { UsageError } from './args';
import { visible } from './format';
import { parseLedgerArgs, missingLedger } from './verifyCommand';

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const when = (iso: string | null): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

const money = (u: UsageTotals | null): string => (!u || u.costUsd === null ? '-' : `$${u.costUsd.toFixed(4)}${u.costEstimate ? '*' : ''}${u.unpricedCalls ? '+' : ''}`);
const tokens = (u: UsageTotals | null): string => (!u || u.calls === 0 ? '-' : `${u.inputTokens}/${u.outputTokens}/${u.cacheReadTokens}/${u.cacheWriteTokens}`);
const duration = (ms: number | null): string => (ms === null ? '-' : ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : ms < 3_600_000 ? `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s` : `${(ms / 3_600_000).toFixed(1)}h`);
const LEGEND = 'tokens: input/output/cache read/cache write; cost: * priced from tokens by Airlock (an estimate), + some calls had no known price';

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
  const missing = missingLedger(path);
  if (missing) {
    process.stderr.write(`airlock: ${missing}\n`);
    return 1;
  }
  let ledger: import('../node/ledger/ledger').Ledger;
  try {
    ledger = Ledger.open(path, { readonly: true, check: false });
  } catch (e) {
    process.stderr.write(`airlock: cannot open the ledger ${path}: ${(e as Error).message}\n`);
    return 1;
  }
  const write = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
  try {
    const { runLogReport, runLogDetail } = await import('../node/ledger/runLogReport');
    if (!runArg) {
      const report = runLogReport(ledger, path);
      if (args.json) {
        write(JSON.stringify(report));
        return 0;
      }
      if (report.runs.length === 0) {
        write(`no runs in ${path}`);
        return 0;
      }
      write(`${pad('RUN', 10)}${pad('AGENT', 9)}${pad('STARTED', 22)}${pad('DURATION', 10)}${pad('STATUS', 9)}${pad('STEPS', 7)}${pad('DENIED', 8)}${pad('APPROVED', 10)}${pad('TOKENS', 26)}${pad('COST', 12)}${pad('SOURCE', 20)}MODELS`);
      for (const r of report.runs) {
        write(visible(`${pad(r.id.slice(0, 8), 10)}${pad(r.agent, 9)}${pad(when(r.startedAt), 22)}${pad(duration(r.durationMs), 10)}${pad(r.status, 9)}${pad(String(r.steps), 7)}${pad(String(r.denials), 8)}${pad(String(r.approvals), 10)}${pad(tokens(r.usage), 26)}${pad(money(r.usage), 12)}${pad(costSourceLabel(r.usage.costSource), 20)}${r.models.join(', ') || '-'}`));
        if (r.statusReason) write(visible(`          ${r.status === 'ended' ? 'ended' : r.status}: ${r.statusReason}${r.endedAt ? ` at ${when(r.endedAt)}` : ''}`));
      }
      write(LEGEND);
      return 0;
    }
    const found = runLogDetail(ledger, path, runArg);
    if (!('detail' in found)) {
      process.stderr.write(`airlock: ${found.matches === 0 ? 'no run' : `${found.matches} runs`} matching ${JSON.stringify(runArg)}\n`);
      return 1;
    }
    const { run, steps, orphanOutcomes, unattributed } = found.detail;
    if (args.json) {
      write(JSON.stringify(found.detail));
      return 0;
    }
    write(visible(`run ${run.id}  ${run.agent}  session ${run.sessionId}  started ${when(run.startedAt)}${run.endedAt ? `  ended ${when(run.endedAt)}` : ''}  ${duration(run.durationMs)}  ${run.status}${run.statusReason ? ` (${run.statusReason})` : ''}`));
    write(visible(`  ${run.steps} step(s), ${run.denials} denied, ${run.approvals} approved; models ${run.models.join(', ') || '-'}; tokens ${tokens(run.usage)}; cost ${money(run.usage)} (${costSourceLabel(run.usage.costSource)}, ${run.usage.calls} model call(s))`));
    if (!traceMode) {
      write(`${pad('SEQ', 5)}${pad('DECISION', 9)}${pad('REVERSIBILITY', 14)}${pad('MS', 8)}${pad('TOKENS', 26)}${pad('COST', 12)}${pad('TOOL', 14)}ACTION`);
      for (const v of steps) {
        write(visible(`${pad(String(v.seq), 5)}${pad(v.decision.toUpperCase(), 9)}${pad(v.reversibility, 14)}${pad(String(v.durationMs), 8)}${pad(tokens(v.usage), 26)}${pad(money(v.usage), 12)}${pad(v.tool, 14)}${v.summary}`));
        if (v.rules.length) write(visible(`     rules: ${v.rules.join(', ')}`));
        if (v.decision === 'deny' && v.rules.includes('budget.exhausted')) write(visible(`     because: ${v.reasons[0] ?? ''}`));
        const out = outcomeText(v);
        if (out) write(visible(`     outcome: ${out}`));
      }
      if (unattributed) write(`     model calls not tied to a step (final answer, telemetry only): ${unattributed.calls}, tokens ${tokens(unattributed)}, cost ${money(unattributed)}`);
      write(LEGEND);
      if (orphanOutcomes.length) write(`outcomes without a matching step: ${orphanOutcomes.map((s) => `#${s}`).join(', ')}`);
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
