/**
 * The step filters of the run log: decision and reversibility chips, agent and free-text search.
 * Calls `onChange` with the new filters (text fields debounced).
 */
import { REVERSIBILITIES } from '../core/effects';
import { DECISION_FILTERS, type StepFilters } from '../core/protocol/panel';
import { h } from './dom';

function toggle(label: string, pressed: boolean, onChange: (on: boolean) => void, cls = ''): HTMLButtonElement {
  const b = h('button', { type: 'button', class: `chip ${cls}`, 'aria-pressed': pressed ? 'true' : 'false' }, label);
  b.addEventListener('click', () => {
    const on = b.getAttribute('aria-pressed') !== 'true';
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
    onChange(on);
  });
  return b;
}

function setIn<T extends string>(arr: T[] | undefined, v: T, on: boolean): T[] | undefined {
  const s = new Set(arr ?? []);
  if (on) s.add(v);
  else s.delete(v);
  return s.size ? [...s] : undefined;
}

export function filterBar(initial: StepFilters, onChange: (f: StepFilters) => void): HTMLElement {
  let f = initial;
  const decisions = DECISION_FILTERS.map((d) => toggle(d === 'asked' ? 'asked a person' : d, f.decisions?.includes(d) ?? false, (on) => {
    f = withOpt(f, 'decisions', setIn(f.decisions, d, on));
    onChange(f);
  }, `d-${d}`));
  const revs = REVERSIBILITIES.map((r) => toggle(r, f.reversibilities?.includes(r) ?? false, (on) => {
    f = withOpt(f, 'reversibilities', setIn(f.reversibilities, r, on));
    onChange(f);
  }, `r-${r}`));
  const agent = h('input', { type: 'text', class: 'agent-filter', placeholder: 'agent or sub-agent', 'aria-label': 'Filter steps by agent or sub-agent', value: f.agent ?? '' });
  const search = h('input', { type: 'search', class: 'search', placeholder: 'Search action, tool, reasons', 'aria-label': 'Search steps', value: f.q ?? '' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onText = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      f = withOpt(withOpt(f, 'q', search.value.trim() || undefined), 'agent', agent.value.trim() || undefined);
      onChange(f);
    }, 250);
  };
  search.addEventListener('input', onText);
  agent.addEventListener('input', onText);
  return h('div', { class: 'filters', role: 'group', 'aria-label': 'Filters' },
    h('span', { class: 'filter-group', role: 'group', 'aria-label': 'Decision' }, h('span', { class: 'filter-label' }, 'Decision'), ...decisions),
    h('span', { class: 'filter-group', role: 'group', 'aria-label': 'Reversibility' }, h('span', { class: 'filter-label' }, 'Reversibility'), ...revs),
    agent, search);
}

function withOpt<K extends keyof StepFilters>(f: StepFilters, k: K, v: StepFilters[K] | undefined): StepFilters {
  const out = { ...f };
  if (v === undefined) delete out[k];
  else out[k] = v;
  return out;
}

