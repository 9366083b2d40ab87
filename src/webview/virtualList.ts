/**
 * A virtualized list of fixed-height rows: only the rows in view (plus a small overscan) exist in
 * the DOM, and rows come in pages from the host as the person scrolls. Keyboard: arrows, Page
 * Up/Down, Home/End move the active row; Enter opens it. ARIA: listbox with aria-activedescendant,
 * each option carries aria-posinset/aria-setsize so screen readers know where they are.
 */
import { h } from './dom';

/** Beyond this height the spacer is scaled (browsers cap element heights around 16–33 M px). */
const MAX_PX = 8_000_000;
const OVERSCAN = 6;

export interface VirtualListOptions<T> {
  rowHeight: number;
  pageSize: number;
  label: string;
  idPrefix: string;
  /** Fill a pooled row element for `row` (undefined while its page is loading). */
  render(el: HTMLElement, row: T | undefined, index: number): void;
  /** Ask the host for page `page` (offset page*pageSize); call `setPage` with the answer. */
  fetchPage(page: number): void;
  onActivate(index: number, row: T | undefined): void;
  onSelect?(index: number, row: T | undefined): void;
}

export class VirtualList<T> {
  readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly pool: HTMLDivElement[] = [];
  private readonly pages = new Map<number, T[]>();
  private readonly requested = new Set<number>();
  private total = 0;
  private active = -1;
  private frame = 0;
  private fetchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly o: VirtualListOptions<T>) {
    this.spacer = h('div', { class: 'vlist-spacer' });
    this.viewport = h('div', { class: 'vlist', role: 'listbox', tabindex: 0, 'aria-label': o.label }, this.spacer);
    this.viewport.addEventListener('scroll', () => this.schedule());
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    this.viewport.addEventListener('click', (e) => {
      const el = (e.target as HTMLElement).closest<HTMLElement>('.vrow');
      if (!el || el.dataset.index === undefined) return;
      const i = Number(el.dataset.index);
      this.setActive(i, false);
      this.o.onActivate(i, this.rowAt(i));
    });
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  get size(): number {
    return this.total;
  }

  get activeIndex(): number {
    return this.active;
  }

  rowAt(i: number): T | undefined {
    return this.pages.get(Math.floor(i / this.o.pageSize))?.[i % this.o.pageSize];
  }

  /** Forget every page (filters changed) and start over with `total` rows. */
  reset(total: number, active = -1): void {
    this.pages.clear();
    this.requested.clear();
    this.setTotal(total);
    this.active = Math.min(active, total - 1);
    this.viewport.scrollTop = 0;
    if (this.active >= 0) this.scrollToIndex(this.active);
    this.schedule();
  }

  setTotal(total: number): void {
    this.total = total;
    this.spacer.style.height = `${Math.min(total * this.o.rowHeight, MAX_PX)}px`;
    this.viewport.setAttribute('aria-setsize', String(total));
    this.schedule();
  }

  /** Drop cached pages from `fromPage` on (new steps arrived at the end) so they are fetched again. */
  invalidateFrom(fromPage: number): void {
    for (const p of [...this.pages.keys()]) if (p >= fromPage) this.pages.delete(p);
    for (const p of [...this.requested]) if (p >= fromPage) this.requested.delete(p);
    this.schedule();
  }

  setPage(page: number, rows: T[]): void {
    this.requested.delete(page);
    this.pages.set(page, rows);
    // Keep memory bounded: drop the pages farthest from the view.
    if (this.pages.size > 12) {
      const center = Math.floor(this.firstVisible() / this.o.pageSize);
      const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - center) - Math.abs(a - center));
      for (const p of far.slice(0, this.pages.size - 12)) this.pages.delete(p);
    }
    this.schedule();
  }

  pageFailed(page: number): void {
    this.requested.delete(page);
  }

  private scaled(): { h: number; span: number } {
    const full = this.total * this.o.rowHeight;
    return { h: Math.min(full, MAX_PX), span: full };
  }

  /** The fractional index of the first row in view. */
  private firstExact(): number {
    const { h: height, span } = this.scaled();
    const top = this.viewport.scrollTop;
    if (span <= MAX_PX) return top / this.o.rowHeight;
    const view = this.viewport.clientHeight;
    return (top / Math.max(1, height - view)) * Math.max(0, this.total - view / this.o.rowHeight);
  }

  private firstVisible(): number {
    return Math.floor(this.firstExact());
  }

  private visibleCount(): number {
    return Math.ceil(this.viewport.clientHeight / this.o.rowHeight) + 1;
  }

  scrollToIndex(i: number): void {
    const { h: height, span } = this.scaled();
    const view = this.viewport.clientHeight;
    const rows = view / this.o.rowHeight;
    const first = this.firstExact();
    if (i >= first && i + 1 <= first + rows) return;
    const target = i < first ? i : i + 1 - rows;
    this.viewport.scrollTop = span <= MAX_PX ? target * this.o.rowHeight : (target / Math.max(1, this.total - rows)) * (height - view);
  }

  private setActive(i: number, scroll = true): void {
    if (this.total === 0) return;
    this.active = Math.max(0, Math.min(this.total - 1, i));
    if (scroll) this.scrollToIndex(this.active);
    this.o.onSelect?.(this.active, this.rowAt(this.active));
    this.render();
  }

  private onKey(e: KeyboardEvent): void {
    const page = Math.max(1, this.visibleCount() - 2);
    const moves: Record<string, () => number> = {
      ArrowDown: () => this.active + 1,
      ArrowUp: () => Math.max(0, this.active - 1),
      PageDown: () => this.active + page,
      PageUp: () => this.active - page,
      Home: () => 0,
      End: () => this.total - 1,
    };
    const m = moves[e.key];
    if (m) {
      e.preventDefault();
      this.setActive(this.active < 0 && e.key === 'ArrowDown' ? this.firstVisible() : m());
    } else if (e.key === 'Enter' && this.active >= 0) {
      e.preventDefault();
      this.o.onActivate(this.active, this.rowAt(this.active));
    }
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Render the rows in view now (also used by tests and the bench through the scroll event). */
  render(): void {
    const exact = this.firstExact();
    const first = Math.max(0, Math.floor(exact) - OVERSCAN);
    const last = Math.min(this.total, Math.floor(exact) + this.visibleCount() + OVERSCAN);
    const count = Math.max(0, last - first);
    while (this.pool.length < count) {
      const el = h('div', { class: 'vrow', role: 'option' });
      this.pool.push(el);
      this.viewport.appendChild(el);
    }
    const top = this.viewport.scrollTop;
    const missing = new Set<number>();
    for (let k = 0; k < this.pool.length; k++) {
      const el = this.pool[k]!;
      if (k >= count) {
        el.hidden = true;
        el.removeAttribute('id');
        continue;
      }
      const i = first + k;
      el.hidden = false;
      el.id = `${this.o.idPrefix}-${i}`;
      el.dataset.index = String(i);
      el.setAttribute('aria-posinset', String(i + 1));
      el.setAttribute('aria-setsize', String(this.total));
      el.setAttribute('aria-selected', i === this.active ? 'true' : 'false');
      el.classList.toggle('active', i === this.active);
      el.style.transform = `translateY(${top + (i - exact) * this.o.rowHeight}px)`;
      const row = this.rowAt(i);
      if (row === undefined) missing.add(Math.floor(i / this.o.pageSize));
      this.o.render(el, row, i);
    }
    if (this.active >= first && this.active < last) this.viewport.setAttribute('aria-activedescendant', `${this.o.idPrefix}-${this.active}`);
    else this.viewport.removeAttribute('aria-activedescendant');
    const want = [...missing].filter((p) => !this.requested.has(p));
    if (want.length) {
      // While the person drags the scrollbar, wait until it settles before asking for pages.
      if (this.fetchTimer) clearTimeout(this.fetchTimer);
      this.fetchTimer = setTimeout(() => {
        this.fetchTimer = undefined;
        const still = new Set<number>();
        const e2 = this.firstExact();
        for (let i = Math.max(0, Math.floor(e2) - OVERSCAN); i < Math.min(this.total, Math.floor(e2) + this.visibleCount() + OVERSCAN); i++) {
          if (this.rowAt(i) === undefined) still.add(Math.floor(i / this.o.pageSize));
        }
        for (const p of still) {
          if (this.requested.has(p)) continue;
          this.requested.add(p);
          this.o.fetchPage(p);
        }
      }, 40);
    }
  }
}
