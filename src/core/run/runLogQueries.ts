/**
 * The run log read port: what the panel needs from the ledger, as an interface. Implemented by
 * node/ledgerQueries.ts over the SQLite ledger; the panel host (vscode/) only sees this port.
 *
 * Architecture Invariant: every list is paged (offset/limit ≤ MAX_PAGE). Nothing here returns all of
 * a run's steps at once except `exportRun`, which streams chunks for a file, never for the webview.
 */
import type { RunSummary, StepDetail, StepFilters, StepRow } from '../protocol/panel';

export interface RunPage {
  total: number;
  rows: RunSummary[];
}

export interface StepPage {
  total: number;
  rows: StepRow[];
}

export interface RunLogQueries {
  listRuns(opts: { offset: number; limit: number; agent?: string }): RunPage;
  /** Distinct agents that have runs (for the filter). */
  agents(): string[];
  run(runId: string): RunSummary | undefined;
  /** A page of a run's steps in timeline order (seq), filtered; `total` counts all matches. */
  pageSteps(runId: string, filters: StepFilters, offset: number, limit: number): StepPage;
  stepDetail(stepId: string): StepDetail | undefined;
  /** The highest seq written in the run (changes when steps are appended). */
  lastSeq(runId: string): number | undefined;
  /** The whole run as JSON text, in chunks (the host writes them to a file as they come). */
  exportRun(runId: string): Iterable<string>;
}
