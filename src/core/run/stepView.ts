/**
 * How a ledger step reads for a person (`airlock log`, the trace export): a one-line summary of its
 * (already masked) action, and what its rules say happened around the decision. Pure.
 */

/** A one-line summary of a stored action_json (masked at write time). */
export function actionSummary(actionJson: string | null, tool: string, max = 160): string {
  if (!actionJson) return tool;
  let a: Record<string, unknown>;
  try {
    a = JSON.parse(actionJson) as Record<string, unknown>;
  } catch {
    return tool;
  }
  const str = (k: string): string => (typeof a[k] === 'string' ? (a[k] as string) : '');
  const s =
    a.kind === 'shell' ? str('command')
    : a.kind === 'file' ? `${str('op')} ${str('path')}${a.newPath ? ` -> ${str('newPath')}` : ''}`
    : a.kind === 'sql' ? str('sql')
    : a.kind === 'http' ? `${str('method')} ${str('url')}`
    : a.kind === 'mcp' ? `${str('server')}/${str('tool')}`
    : tool;
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export interface StepHappenings {
  approval?: { result: 'approved' | 'not approved'; detail: string };
  escalation?: string;
  duplicateOf?: number;
  unrecorded?: boolean;
  paused?: boolean;
  killed?: boolean;
}

/** Read the gate's rules and reasons back into what happened (approval, escalation, retry). */
export function happenings(rules: readonly string[], reasons: readonly string[]): StepHappenings {
  const h: StepHappenings = {};
  if (rules.includes('approval.person')) h.approval = { result: 'approved', detail: reasons.find((r) => r.startsWith('approved by')) ?? 'approved by a person' };
  else if (rules.includes('approval.none')) h.approval = { result: 'not approved', detail: reasons[0] ?? 'no answer' };
  if (rules.includes('run.escalation')) h.escalation = reasons.find((r) => r.startsWith('earlier denied in this run')) ?? 'escalation of an earlier denial';
  if (rules.includes('run.duplicate')) {
    const m = reasons.map((r) => /probable retry of step (\d+)/.exec(r)).find((x) => x);
    h.duplicateOf = m ? Number(m[1]) : 0;
  }
  if (rules.includes('ledger.unavailable')) h.unrecorded = true;
  if (rules.includes('gate.paused')) h.paused = true;
  if (rules.includes('gate.killed')) h.killed = true;
  return h;
}

/** Parse a JSON array of strings stored in the ledger; anything else is []. */
export function stringList(json: string | null | undefined): string[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The ledger row fields a run view needs (structural: core does not import the node ledger). */
export interface LedgerStepLike {
  id: string;
  seq: number;
  event: string;
  ref_seq: number | null;
  subagent_id: string | null;
  tool: string;
  tool_use_id: string | null;
  kind: string | null;
  action_json: string | null;
  decision: string;
  reversibility: string;
  reasons_json: string;
  rules_json: string;
  description: string | null;
  started_at: string;
  decided_at: string;
  duration_us: number;
  outcome_json: string | null;
}

export interface StepView {
  seq: number;
  id: string;
  tool: string;
  toolUseId: string | null;
  subagentId: string | null;
  kind: string | null;
  summary: string;
  description: string | null;
  decision: string;
  reversibility: string;
  rules: string[];
  reasons: string[];
  startedAt: string;
  durationMs: number;
  /** What led to this step (the causal links the gate recorded). */
  ledBy: { escalationFrom: number[]; duplicateOf?: number; approval?: StepHappenings['approval']; unrecorded?: boolean; paused?: boolean; killed?: boolean };
  outcome?: { seq: number; exitCode?: number; error?: string; durationMs?: number; at: string };
}

/** Pre steps with their post outcomes attached (by ref_seq) and their causes read back. */
export function stepViews(rows: readonly LedgerStepLike[]): { steps: StepView[]; orphanOutcomes: number[] } {
  const steps: StepView[] = [];
  const bySeq = new Map<number, StepView>();
  const orphanOutcomes: number[] = [];
  for (const r of [...rows].sort((a, b) => a.seq - b.seq)) {
    if (r.event === 'post') {
      const pre = r.ref_seq !== null ? bySeq.get(r.ref_seq) : undefined;
      if (!pre) {
        orphanOutcomes.push(r.seq);
        continue;
      }
      let o: { exitCode?: unknown; error?: unknown; durationMs?: unknown } = {};
      try {
        o = JSON.parse(r.outcome_json ?? '{}') as typeof o;
      } catch {
        o = {};
      }
      pre.outcome = { seq: r.seq, at: r.decided_at, ...(typeof o.exitCode === 'number' ? { exitCode: o.exitCode } : {}), ...(typeof o.error === 'string' ? { error: o.error } : {}), ...(typeof o.durationMs === 'number' ? { durationMs: o.durationMs } : {}) };
      continue;
    }
    const rules = stringList(r.rules_json);
    const reasons = stringList(r.reasons_json);
    const h = happenings(rules, reasons);
    const escalationFrom = h.escalation ? [...h.escalation.matchAll(/step (\d+) \(/g)].map((m) => Number(m[1])) : [];
    const v: StepView = {
      seq: r.seq, id: r.id, tool: r.tool, toolUseId: r.tool_use_id, subagentId: r.subagent_id, kind: r.kind, summary: actionSummary(r.action_json, r.tool), description: r.description,
      decision: r.decision, reversibility: r.reversibility, rules, reasons, startedAt: r.started_at, durationMs: Math.round(r.duration_us / 100) / 10,
      ledBy: { escalationFrom, ...(h.duplicateOf !== undefined ? { duplicateOf: h.duplicateOf } : {}), ...(h.approval ? { approval: h.approval } : {}), ...(h.unrecorded ? { unrecorded: true } : {}), ...(h.paused ? { paused: true } : {}), ...(h.killed ? { killed: true } : {}) },
    };
    steps.push(v);
    bySeq.set(r.seq, v);
  }
  return { steps, orphanOutcomes };
}
