/**
 * The run log's dead-letter section: side effects of Airlock's own tools whose retries ran out,
 * each with Retry (through the gate again) and Discard.
 */
import { revealSegments } from '../core/present';
import type { DeadLetterView, HostToWebview, WebviewToHost } from '../core/protocol/panel';
import { append, clear, fmtDate, fmtInt, h, icon, revealed } from './dom';

type Request = (m: Extract<WebviewToHost, { type: 'listDeadLetters' | 'deadLetterAction' }> extends infer M ? (M extends { requestId: string } ? Omit<M, 'requestId'> : never) : never) => Promise<HostToWebview>;

export class DeadLetters {
  readonly section = h('section', { class: 'dead-letters', 'aria-label': 'Dead letters' });
  private readonly status = h('span', { class: 'count', role: 'status' });
  private readonly refresh = h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': 'refresh-dead-letters' }, icon('refresh'), ' Refresh');
  private rows: DeadLetterView[] = [];
  private available = true;

  constructor(private readonly request: Request, private readonly showError: (m: HostToWebview) => void) {
    this.refresh.addEventListener('click', () => void this.load());
  }

  async load(notice?: string): Promise<void> {
    const r = await this.request({ type: 'listDeadLetters' });
    if (r.type !== 'deadLetters') return this.showError(r);
    this.rows = r.rows;
    this.available = r.available;
    this.render(notice ?? r.message);
  }

  private render(notice?: string): void {
    clear(this.section);
    this.status.textContent = notice ?? (this.available ? `${fmtInt(this.rows.length)} open` : '');
    const head = h('div', { class: 'toolbar' }, h('h2', {}, 'Dead letters'), this.status, this.refresh);
    if (!this.available) return append(this.section, head);
    if (!this.rows.length) return append(this.section, head, h('p', { class: 'empty' }, 'No dead letters: every side effect of Airlock\'s own tools completed or was given up.'));
    const list = h('ul', { class: 'dead-list', 'aria-label': 'Dead letters' }, ...this.rows.map((d) => this.item(d)));
    append(this.section, head, list);
  }

  private item(d: DeadLetterView): HTMLLIElement {
    const retry = h('button', { type: 'button', class: 'btn', 'data-action': 'retry', 'aria-label': `Retry dead letter ${d.id} (${d.tool}) through the gate` }, icon('debug-restart'), ' Retry');
    const discard = h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': 'discard', 'aria-label': `Discard dead letter ${d.id} (${d.tool})` }, icon('trash'), ' Discard');
    const act = async (action: 'retry' | 'discard'): Promise<void> => {
      retry.disabled = discard.disabled = true;
      this.status.textContent = action === 'retry' ? `retrying ${d.id} through the gate…` : `discarding ${d.id}…`;
      const r = await this.request({ type: 'deadLetterAction', id: d.id, action });
      if (r.type !== 'deadLetterDone') {
        retry.disabled = discard.disabled = false;
        this.status.textContent = '';
        return this.showError(r);
      }
      await this.load(`${r.ok ? '' : 'not done: '}${r.message}`);
    };
    retry.addEventListener('click', () => void act('retry'));
    discard.addEventListener('click', () => void act('discard'));
    return h('li', { class: 'dead', 'data-dead-letter': d.id },
      h('div', { class: 'dead-head' }, h('span', { class: 'dead-tool' }, icon('warning'), ` #${d.id} ${d.tool}`), h('span', { class: 'count' }, `${fmtDate(d.createdAt)} · ${fmtInt(d.attempts)} attempts${d.errorCode ? ` · ${d.errorCode}` : ''}`), retry, discard),
      h('div', { class: 'dead-error' }, d.error),
      h('pre', { class: 'dead-args', tabindex: 0, 'aria-label': `Arguments of dead letter ${d.id}` }, revealed(revealSegments(d.args)), d.argsTruncated ? '…' : ''));
  }
}
