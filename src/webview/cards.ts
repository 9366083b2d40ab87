/**
 * Approval cards. Routine cards: Approve / (Allow for this run) / Reject. Irreversible and
 * security-config cards look different and need a deliberate gesture: type the confirm word, then
 * click (or Space) Approve. There is no default button, nothing is focused automatically, and
 * Enter never approves them. Cards are keyed by step id, so a re-render keeps what was typed.
 */
import { CONFIRM_WORD, type PendingCard } from '../core/present';
import { append, clear, h, icon, revealed } from './dom';

export type Decide = (card: PendingCard, decision: 'allow' | 'deny', gesture: 'click' | 'typed', scope: 'once' | 'run') => Promise<{ ok: boolean; message?: string }>;

interface Mounted {
  el: HTMLElement;
  card: PendingCard;
  countdown: HTMLElement;
  status: HTMLElement;
  buttons: HTMLButtonElement[];
}

export class ApprovalCards {
  readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private readonly mounted = new Map<string, Mounted>();

  constructor(private readonly decide: Decide) {
    this.list = h('div', { class: 'cards' });
    this.root = h('section', { class: 'approvals', 'aria-label': 'Pending approvals', hidden: true }, this.list);
    setInterval(() => this.tick(), 1000);
  }

  update(cards: PendingCard[]): void {
    const keep = new Set(cards.map((c) => c.stepId));
    for (const [id, m] of this.mounted) {
      if (!keep.has(id)) {
        m.el.remove();
        this.mounted.delete(id);
      }
    }
    for (const c of cards) {
      const m = this.mounted.get(c.stepId);
      // Same step, same hash: keep the DOM (and anything typed). A changed hash is a new card.
      if (m && m.card.actionHash === c.actionHash) continue;
      m?.el.remove();
      const fresh = this.build(c);
      this.mounted.set(c.stepId, fresh);
      this.list.appendChild(fresh.el);
    }
    this.root.hidden = cards.length === 0;
    this.tick();
  }

  private tick(): void {
    const now = Date.now();
    for (const m of this.mounted.values()) {
      const left = Math.max(0, Math.round((m.card.deadlineAt - now) / 1000));
      m.countdown.textContent = left > 0 ? `denied automatically in ${left}s` : 'deadline passed: denied';
      if (left === 0) for (const b of m.buttons) b.disabled = true;
    }
  }

  private build(c: PendingCard): Mounted {
    const deliberate = c.irreversible || c.securityConfig;
    const titleId = `card-${c.stepId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const kindLabel = c.irreversible ? 'Irreversible action' : c.securityConfig ? 'Security configuration change' : 'Approval needed';
    const countdown = h('span', { class: 'countdown' });
    const status = h('div', { class: 'card-status', role: 'status' });
    const el = h('article', { class: `card${deliberate ? ' card-deliberate' : ''}`, role: 'group', 'aria-labelledby': titleId, 'data-step': c.stepId, tabindex: -1 });
    append(
      el,
      h('header', { class: 'card-head' },
        icon(deliberate ? 'warning' : 'shield'),
        h('strong', { id: titleId }, kindLabel),
        h('span', { class: 'card-meta' }, `${c.agent} · ${c.tool} · ${c.reversibility}`),
        countdown),
      h('p', { class: 'card-effect' }, c.effectSummary),
      h('pre', { class: 'card-command', tabindex: 0, 'aria-label': 'Exact text that would run' }, revealed(c.command)),
      c.invisibleCount > 0 ? h('p', { class: 'card-warn' }, icon('eye'), ` ${c.invisibleCount} invisible character${c.invisibleCount === 1 ? '' : 's'} made visible (marked ⟨U+…⟩)`) : null,
      c.claim ? h('p', { class: 'card-claim' }, h('span', { class: 'claim-label' }, 'Agent says (unverified): '), revealed(c.claim)) : null,
      h('p', { class: 'card-why' }, [...c.reasons, ...c.rules.map((r) => `rule ${r}`)].join(' · ')),
    );
    const buttons: HTMLButtonElement[] = [];
    const send = async (decision: 'allow' | 'deny', gesture: 'click' | 'typed', scope: 'once' | 'run'): Promise<void> => {
      for (const b of buttons) b.disabled = true;
      status.textContent = decision === 'allow' ? 'Sending approval…' : 'Sending rejection…';
      const r = await this.decide(c, decision, gesture, scope);
      status.textContent = r.ok ? (decision === 'allow' ? 'Approved.' : 'Rejected.') : `Not applied: ${r.message ?? 'unknown reason'}`;
      if (!r.ok) for (const b of buttons) b.disabled = b.dataset.needsWord === 'true' ? !this.wordOk(el) : false;
    };
    const reject = h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': 'reject' }, icon('close'), ' Reject');
    reject.addEventListener('click', () => void send('deny', 'click', 'once'));
    const actions = h('div', { class: 'card-actions' });
    if (deliberate) {
      const input = h('input', { type: 'text', class: 'confirm-input', 'aria-label': `Type ${CONFIRM_WORD} to enable Approve`, placeholder: `type “${CONFIRM_WORD}”`, autocomplete: 'off', spellcheck: 'false' });
      const approve = h('button', { type: 'button', class: 'btn btn-danger', 'data-action': 'approve', 'data-needs-word': 'true', disabled: true }, icon('warning'), ' Approve');
      input.addEventListener('input', () => (approve.disabled = !this.wordOk(el)));
      // Enter never approves an irreversible card: not in the word field, not on the button.
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') e.preventDefault();
      });
      approve.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') e.preventDefault();
      });
      approve.addEventListener('click', () => {
        if (this.wordOk(el)) void send('allow', 'typed', 'once');
      });
      buttons.push(approve, reject);
      append(actions, h('label', { class: 'confirm-label' }, `To approve, type ${CONFIRM_WORD}: `, input), approve, reject);
    } else {
      const approve = h('button', { type: 'button', class: 'btn', 'data-action': 'approve' }, icon('check'), ' Approve');
      approve.addEventListener('click', () => void send('allow', 'click', 'once'));
      buttons.push(approve);
      append(actions, approve);
      if (c.cacheable) {
        const run = h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': 'approve-run', title: 'Allow this kind of action for the rest of this run' }, icon('check-all'), ' Allow for this run');
        run.addEventListener('click', () => void send('allow', 'click', 'run'));
        buttons.push(run);
        append(actions, run);
      }
      buttons.push(reject);
      append(actions, reject);
    }
    append(el, actions, status);
    return { el, card: c, countdown, status, buttons };
  }

  private wordOk(el: HTMLElement): boolean {
    const input = el.querySelector<HTMLInputElement>('.confirm-input');
    return input !== null && input.value.trim().toLowerCase() === CONFIRM_WORD;
  }

  clearAll(): void {
    clear(this.list);
    this.mounted.clear();
  }
}
