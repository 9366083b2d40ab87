/**
 * The run log webview (browser bundle). Imports only core/protocol and core/present.
 * Talks to the host through acquireVsCodeApi().postMessage; every incoming message is validated
 * with the shared zod schema and dropped (logged to the console) when invalid.
 */
import { z } from 'zod';
import { revealSegments } from '../core/present';
import { HostToWebview, StepFilters as StepFiltersSchema, type GateState, type RunSummary, type StepDetail, type StepFilters, type StepRow, type WebviewToHost } from '../core/protocol/panel';
import { ApprovalCards } from './cards';
import { append, clear, fmtCost, fmtDate, fmtDuration, fmtInt, fmtTime, h, icon, revealed } from './dom';
import { DeadLetters } from './deadLetters';
import { filterBar } from './filterBar';
import { VirtualList } from './virtualList';

// No eval in the webview: the CSP forbids it, so tell zod not to probe for it.
z.config({ jitless: true });

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const api = acquireVsCodeApi();

const ROW_HEIGHT = 26;
const PAGE = 200;

type Reply = Exclude<HostToWebview, { type: 'state' | 'pendingApprovals' | 'runChanged' }>;
type Req = WebviewToHost extends infer M ? (M extends { requestId: string } ? Omit<M, 'requestId'> : never) : never;

let nextId = 1;
const waiting = new Map<string, (m: Reply) => void>();
function request(m: Req): Promise<Reply> {
  const requestId = String(nextId++);
  return new Promise((resolve) => {
    waiting.set(requestId, resolve);
    api.postMessage({ ...m, requestId });
  });
}

const Saved = z.object({ runId: z.string().optional(), filters: z.record(z.string(), z.unknown()).optional(), active: z.number().int().optional() });

const ui = {
  gate: undefined as GateState | undefined,
  view: 'runs' as 'runs' | 'run',
  runs: [] as RunSummary[],
  runsTotal: 0,
  agents: [] as string[],
  runAgent: undefined as string | undefined,
  run: undefined as RunSummary | undefined,
  filters: {} as StepFilters,
  generation: 0,
  runsActive: 0,
};

// ---- layout -----------------------------------------------------------------------------------

const stateBadge = h('span', { class: 'gate-badge', role: 'status' });
/** Loud, red, above everything: the ledger's integrity is broken. */
const alertBanner = h('div', { class: 'alert-banner', role: 'alert', hidden: true });
const header = h('header', { class: 'top' }, icon('shield'), h('h1', {}, 'Airlock run log'), stateBadge);
const cards = new ApprovalCards(async (card, decision, gesture, scope) => {
  const r = await request({ type: 'decide', stepId: card.stepId, decision, actionHash: card.actionHash, gesture, scope });
  if (r.type === 'decided') return { ok: r.ok, ...(r.message ? { message: r.message } : {}) };
  return { ok: false, message: r.type === 'error' ? r.message : 'unexpected reply' };
});
const main = h('main', { class: 'main' });
const app = document.getElementById('app')!;
clear(app);
append(app, header, alertBanner, cards.root, main);

function renderGate(): void {
  const g = ui.gate;
  clear(stateBadge);
  if (!g) return;
  const iconName = g.gate === 'armed' ? 'shield' : g.gate === 'paused' ? 'debug-pause' : 'stop-circle';
  stateBadge.className = `gate-badge gate-${g.gate}`;
  append(stateBadge, icon(iconName), ` ${g.gate}`, g.reason ? ` — ${g.reason}` : '', g.pending ? ` · ${g.pending} pending` : '');
  clear(alertBanner);
  const alerts = g.alerts ?? [];
  alertBanner.hidden = alerts.length === 0;
  if (alerts.length) {
    append(alertBanner,
      h('div', { class: 'alert-title' }, icon('error'), ` ${alerts[0]}`),
      alerts.length > 1 ? h('ul', {}, ...alerts.slice(1).map((a) => h('li', {}, a))) : null,
      h('div', { class: 'alert-hint' }, 'The run history below cannot be trusted as recorded. Run `airlock verify` for the full report.'));
  }
}

// ---- dead letters -------------------------------------------------------------------------------

const deadLetters = new DeadLetters(request, (m) => showError(m));
const deadSection = deadLetters.section;

// ---- runs view ----------------------------------------------------------------------------------

const runsList = h('ul', { class: 'runs', role: 'listbox', tabindex: 0, 'aria-label': 'Runs' });
const agentSelect = h('select', { 'aria-label': 'Filter runs by agent' });
const runsCount = h('span', { class: 'count' });
const moreRuns = h('button', { type: 'button', class: 'btn btn-secondary', hidden: true }, 'Load more runs');
agentSelect.addEventListener('change', () => {
  ui.runAgent = agentSelect.value || undefined;
  void loadRuns(true);
});
moreRuns.addEventListener('click', () => void loadRuns(false));
runsList.addEventListener('keydown', (e) => {
  if (!ui.runs.length) return;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'Home' || e.key === 'End') {
    e.preventDefault();
    ui.runsActive = e.key === 'Home' ? 0 : e.key === 'End' ? ui.runs.length - 1 : Math.max(0, Math.min(ui.runs.length - 1, ui.runsActive + (e.key === 'ArrowDown' ? 1 : -1)));
    markActiveRun();
  } else if (e.key === 'Enter') {
    e.preventDefault();
    const r = ui.runs[ui.runsActive];
    if (r) void openRun(r.id);
  }
});

function markActiveRun(): void {
  for (const li of Array.from(runsList.querySelectorAll<HTMLElement>('li'))) {
    const on = Number(li.dataset.index) === ui.runsActive;
    li.classList.toggle('active', on);
    li.setAttribute('aria-selected', on ? 'true' : 'false');
    if (on) {
      runsList.setAttribute('aria-activedescendant', li.id);
      li.scrollIntoView({ block: 'nearest' });
    }
  }
}

function runItem(r: RunSummary, i: number): HTMLLIElement {
  const li = h('li', { id: `run-${i}`, role: 'option', 'data-index': i, 'data-run': r.id, class: 'run', 'aria-selected': 'false' },
    h('span', { class: 'run-agent' }, icon('hubot'), ` ${r.agent}`),
    h('span', { class: 'run-started' }, fmtDate(r.startedAt)),
    h('span', { class: `run-status status-${r.status}`, title: r.statusReason ?? undefined }, r.status),
    h('span', { class: 'run-steps' }, `${fmtInt(r.steps)} steps`),
    h('span', { class: r.denials ? 'run-denials has' : 'run-denials' }, `${fmtInt(r.denials)} denied`),
    h('span', { class: 'run-asked' }, `${fmtInt(r.asked)} asked`),
    h('span', { class: 'run-cost', title: r.tokens === null ? 'no usage recorded' : `${fmtInt(r.tokens)} tokens${r.costEstimate ? '; ≈ priced by Airlock from tokens (an estimate)' : r.costSource === 'agent' ? '; reported by the agent' : ''}` }, `${r.costEstimate ? '≈ ' : ''}${fmtCost(r.costUsd, r.costPartial)}`));
  li.addEventListener('click', () => {
    ui.runsActive = i;
    void openRun(r.id);
  });
  return li;
}

async function loadRuns(fresh: boolean): Promise<void> {
  const offset = fresh ? 0 : ui.runs.length;
  const r = await request({ type: 'listRuns', offset, limit: 100, ...(ui.runAgent ? { agent: ui.runAgent } : {}) });
  if (r.type !== 'runs') return showError(r);
  ui.runs = fresh ? r.rows : [...ui.runs, ...r.rows];
  ui.runsTotal = r.total;
  ui.agents = r.agents;
  if (ui.view === 'runs') renderRuns();
}

function renderRuns(): void {
  ui.view = 'runs';
  clear(main);
  clear(agentSelect);
  append(agentSelect, h('option', { value: '' }, 'All agents'), ...ui.agents.map((a) => h('option', { value: a, selected: a === ui.runAgent }, a)));
  clear(runsList);
  ui.runs.forEach((r, i) => runsList.appendChild(runItem(r, i)));
  runsCount.textContent = `${fmtInt(ui.runsTotal)} run${ui.runsTotal === 1 ? '' : 's'}`;
  moreRuns.hidden = ui.runs.length >= ui.runsTotal;
  append(main, h('div', { class: 'toolbar' }, h('h2', {}, 'Runs'), runsCount, agentSelect), ui.runs.length ? runsList : h('p', { class: 'empty' }, 'No runs recorded yet. Connect an agent and its steps appear here.'), moreRuns, deadSection);
  ui.runsActive = Math.min(ui.runsActive, Math.max(0, ui.runs.length - 1));
  markActiveRun();
  api.setState({});
}

// ---- run view -----------------------------------------------------------------------------------

const stepsCount = h('span', { class: 'count', role: 'status' });
const detail = h('section', { class: 'detail', 'aria-label': 'Step detail', tabindex: -1, hidden: true });

function renderRow(el: HTMLElement, r: StepRow | undefined, i: number): void {
  clear(el);
  if (!r) {
    el.classList.add('loading');
    append(el, h('span', { class: 'c-seq' }, `#${i + 1}`), h('span', { class: 'c-summary' }, '…'));
    el.setAttribute('aria-label', `step ${i + 1}, loading`);
    return;
  }
  el.classList.remove('loading');
  el.dataset.seq = String(r.seq);
  const dIcon = r.decision === 'allow' ? 'pass' : r.decision === 'deny' ? 'circle-slash' : 'question';
  const out = r.outcome ? (r.outcome.error || (r.outcome.exitCode ?? 0) !== 0 ? h('span', { class: 'c-out bad', title: r.outcome.error ?? `exit ${r.outcome.exitCode}` }, icon('error'), ` ${r.outcome.exitCode ?? 'error'}`) : h('span', { class: 'c-out ok', title: 'succeeded' }, icon('check'))) : h('span', { class: 'c-out' });
  append(
    el,
    h('span', { class: 'c-seq' }, `#${r.seq}`),
    h('span', { class: 'c-time' }, fmtTime(r.startedAt)),
    h('span', { class: `c-decision d-${r.decision}` }, icon(dIcon), ` ${r.decision}`),
    h('span', { class: `c-rev r-${r.reversibility}` }, r.reversibility),
    h('span', { class: 'c-summary', title: r.summary }, h('span', { class: 'c-tool' }, r.tool), ' ', revealed(revealSegments(r.summary)), r.summaryTruncated ? '…' : ''),
    h('span', { class: 'c-who' }, hasCheckpoint(r) ? undoButton(r, 'step', 'Undo', `Undo step ${r.seq}: put its files back as they were before it`) : r.approvedBy ? h('span', {}, icon('person'), ` ${r.approvedBy}`) : r.rules.length ? r.rules[0]! : ''),
    out,
    h('span', { class: 'c-dur' }, fmtDuration(r.durationUs)),
    h('span', { class: 'c-cost' }, r.costUsd !== null ? fmtCost(r.costUsd) : r.tokens !== null ? `${fmtInt(r.tokens)} tok` : ''),
  );
  el.setAttribute('aria-label', `step ${r.seq}: ${r.decision}, ${r.reversibility}, ${r.tool} ${r.summary}`);
}

/** An allowed step that can be undone: a checkpoint of its files, or before-images of the rows it changed. */
function hasCheckpoint(r: StepRow): boolean {
  return r.decision === 'allow' && (r.checkpoint !== null || r.dbUndo);
}

/** Undo (step) or restore the run to before this step (run): the editor shows the diff and asks first. */
function undoButton(r: StepRow, scope: 'step' | 'run', label: string, aria: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: scope === 'step' ? 'btn btn-undo' : 'btn btn-secondary btn-undo', 'data-action': scope === 'step' ? 'undo' : 'undo-run', 'aria-label': aria, title: aria }, icon('discard'), ` ${label}`);
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    const run = ui.run;
    if (!run) return;
    b.disabled = true;
    stepsCount.textContent = scope === 'step' ? `undo of step #${r.seq}: review the changes in the editor…` : `restoring the run to before step #${r.seq}: review the changes in the editor…`;
    void request({ type: 'undo', runId: run.id, stepId: r.id, scope }).then((x) => {
      b.disabled = false;
      if (x.type === 'undone') stepsCount.textContent = `${x.ok ? '' : 'not undone: '}${x.message}`;
      else showError(x);
    });
  });
  return b;
}

const list = new VirtualList<StepRow>({
  rowHeight: ROW_HEIGHT,
  pageSize: PAGE,
  label: 'Steps of the run',
  idPrefix: 'step',
  render: renderRow,
  fetchPage: (p) => void fetchPage(p),
  onActivate: (_i, row) => {
    if (row) void openDetail(row);
  },
  onSelect: (i) => saveState(i),
});

async function fetchPage(page: number): Promise<void> {
  const run = ui.run;
  if (!run) return;
  const gen = ui.generation;
  const r = await request({ type: 'pageSteps', runId: run.id, offset: page * PAGE, limit: PAGE, filters: ui.filters });
  if (gen !== ui.generation) return; // filters or run changed meanwhile
  if (r.type !== 'steps') {
    list.pageFailed(page);
    return showError(r);
  }
  if (r.total !== list.size) updateTotal(r.total);
  list.setPage(page, r.rows);
}

function updateTotal(total: number): void {
  list.setTotal(total);
  stepsCount.textContent = ui.run ? `${fmtInt(total)} of ${fmtInt(ui.run.steps)} steps` : '';
}

function saveState(active = list.activeIndex): void {
  api.setState({ runId: ui.run?.id, filters: ui.filters, active });
}

async function reloadSteps(active = -1): Promise<void> {
  if (!ui.run) return;
  ui.generation++;
  const gen = ui.generation;
  const r = await request({ type: 'pageSteps', runId: ui.run.id, offset: 0, limit: PAGE, filters: ui.filters });
  if (gen !== ui.generation || r.type !== 'steps') return r.type === 'steps' ? undefined : showError(r);
  list.reset(r.total, active);
  list.setPage(0, r.rows);
  updateTotal(r.total);
  saveState(active);
}

async function openRun(runId: string, active = -1): Promise<void> {
  const r = await request({ type: 'openRun', runId });
  if (r.type !== 'runOpened') return showError(r);
  ui.run = r.run;
  ui.view = 'run';
  const back = h('button', { type: 'button', class: 'btn btn-secondary', 'aria-label': 'Back to runs' }, icon('arrow-left'), ' Runs');
  back.addEventListener('click', () => backToRuns());
  const exportBtn = h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': 'export' }, icon('export'), ' Export JSON');
  exportBtn.addEventListener('click', async () => {
    exportBtn.disabled = true;
    const x = await request({ type: 'exportRun', runId });
    exportBtn.disabled = false;
    if (x.type === 'exported') stepsCount.textContent = x.path ? `exported ${fmtInt(x.steps ?? 0)} steps to ${x.path}` : 'export cancelled';
    else showError(x);
  });
  const run = r.run;
  clear(main);
  detail.hidden = true;
  append(main,
    h('div', { class: 'toolbar' }, back, h('h2', {}, `${run.agent} · ${fmtDate(run.startedAt)}`), h('span', { class: `run-status status-${run.status}`, title: run.statusReason ?? undefined }, run.status),
      h('span', { class: 'count' }, `${fmtInt(run.steps)} steps · ${fmtInt(run.denials)} denied · ${fmtInt(run.asked)} asked · ${run.costEstimate ? '≈ ' : ''}${fmtCost(run.costUsd, run.costPartial)}${run.costEstimate ? ' (estimated from tokens)' : ''}${run.tokens !== null ? ` · ${fmtInt(run.tokens)} tokens` : ''}`), exportBtn),
    filterBar(ui.filters, (f) => {
      ui.filters = f;
      void reloadSteps();
    }),
    h('div', { class: 'list-head', 'aria-hidden': 'true' }, ...['#', 'time', 'decision', 'reversibility', 'action', 'who / rule', 'outcome', 'gate', 'cost'].map((t) => h('span', {}, t))),
    list.viewport,
    stepsCount,
    detail);
  await reloadSteps(active);
  list.viewport.focus();
}

function backToRuns(): void {
  ui.run = undefined;
  ui.generation++;
  renderRuns();
  runsList.focus();
  void loadRuns(true);
  void deadLetters.load();
}

async function openDetail(row: StepRow): Promise<void> {
  const r = await request({ type: 'stepDetail', stepId: row.id });
  if (r.type !== 'stepDetail') return showError(r);
  renderDetail(r.detail);
}

function renderDetail(d: StepDetail): void {
  const r = d.row;
  clear(detail);
  detail.hidden = false;
  const kv = (k: string, v: Node | string | null): HTMLElement | null => (v === null || v === '' ? null : h('div', { class: 'kv' }, h('dt', {}, k), h('dd', {}, v)));
  append(detail,
    h('h3', {}, `Step #${r.seq} · ${r.tool}`),
    hasCheckpoint(r) ? h('div', { class: 'detail-actions' }, undoButton(r, 'step', 'Undo this step', `Undo step ${r.seq}`), ' ', undoButton(r, 'run', 'Restore the run to before this step', `Restore the run to before step ${r.seq}`)) : null,
    h('pre', { class: 'detail-action', tabindex: 0, 'aria-label': 'Action' }, revealed(revealSegments(d.action))),
    h('dl', {},
      kv('Decision', `${r.decision}${r.approvedBy ? ` (approved by ${r.approvedBy})` : ''}`),
      kv('Reversibility', r.reversibility),
      kv('Effects', d.effects.length ? h('ul', {}, ...d.effects.map((e) => h('li', {}, `${e.detail} (${e.kind}, ${e.reversibility}${e.outsideWorkspace ? ', outside the workspace' : ''}${e.securityConfig ? ', security config' : ''})`))) : 'none'),
      kv('Reasons', d.reasons.length ? h('ul', {}, ...d.reasons.map((x) => h('li', {}, x))) : null),
      kv('Rules', r.rules.join(', ')),
      kv('Agent says (unverified)', d.description ? revealed(revealSegments(d.description)) : null),
      kv('Outcome', r.outcome ? [r.outcome.exitCode !== undefined ? `exit ${r.outcome.exitCode}` : '', r.outcome.durationMs !== undefined ? `${r.outcome.durationMs} ms` : '', r.outcome.error ?? ''].filter(Boolean).join(' · ') : 'not reported'),
      kv('Gate time', fmtDuration(r.durationUs)),
      kv('Tokens', r.tokens !== null ? fmtInt(r.tokens) : null),
      kv('Cost', r.costUsd !== null ? fmtCost(r.costUsd) : null),
      kv('Agent', r.subagentId ? `${r.agent} (sub-agent ${r.subagentId})` : r.agent),
      kv('Started', r.startedAt),
      kv('Decided', d.decidedAt),
      kv('Action hash', d.actionHash),
      kv('Policy hash', d.policyHash),
      kv('Row hash', d.hash)));
}

function showError(m: HostToWebview): void {
  const msg = m.type === 'error' ? m.message : `unexpected ${m.type}`;
  console.warn(`airlock panel: ${msg}`);
  const bar = h('div', { class: 'error', role: 'alert' }, icon('error'), ` ${msg}`);
  main.prepend(bar);
  setTimeout(() => bar.remove(), 8000);
}

// ---- messages from the host ---------------------------------------------------------------------

window.addEventListener('message', (e: MessageEvent) => {
  const parsed = HostToWebview.safeParse(e.data);
  if (!parsed.success) {
    console.warn('airlock panel: dropped an invalid message from the host', parsed.error.issues.slice(0, 3));
    return;
  }
  const m = parsed.data;
  if ('requestId' in m && m.requestId !== undefined) {
    const cb = waiting.get(m.requestId);
    if (cb) {
      waiting.delete(m.requestId);
      cb(m as Reply);
      return;
    }
  }
  switch (m.type) {
    case 'state':
      ui.gate = m.state;
      renderGate();
      return;
    case 'pendingApprovals':
      cards.update(m.cards);
      return;
    case 'runChanged':
      if (ui.run?.id === m.runId) {
        // New steps: recount (the host caches per last seq) and refetch the pages at the end.
        const last = Math.floor(Math.max(0, list.size - 1) / PAGE);
        void request({ type: 'pageSteps', runId: m.runId, offset: last * PAGE, limit: PAGE, filters: ui.filters }).then((r) => {
          if (r.type !== 'steps' || ui.run?.id !== m.runId) return;
          updateTotal(r.total);
          list.invalidateFrom(last);
          list.setPage(last, r.rows);
        });
      }
      return;
    default:
      if (m.type === 'error') showError(m);
  }
});

// ---- start: restore UI state, then say ready ----------------------------------------------------

const saved = Saved.safeParse(api.getState());
api.postMessage({ type: 'ready' });
void deadLetters.load();
void loadRuns(true).then(() => {
  if (saved.success && saved.data.runId && ui.runs.some((r) => r.id === saved.data.runId)) {
    const f = StepFiltersSchema.safeParse(saved.data.filters ?? {});
    if (f.success) ui.filters = f.data;
    void openRun(saved.data.runId, saved.data.active ?? -1);
  } else runsList.focus();
});
