/** Tiny DOM helpers for the webview: elements from attributes and children, never from HTML strings. */
import type { RevealSegment } from '../core/present';

type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function icon(name: string, label?: string): HTMLSpanElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': label ? undefined : 'true', role: label ? 'img' : undefined, 'aria-label': label });
}

/** Revealed text: plain runs as text nodes, each invisible code point as a marked, titled badge. */
export function revealed(segments: readonly RevealSegment[]): DocumentFragment {
  const f = document.createDocumentFragment();
  for (const s of segments) {
    if ('text' in s) f.appendChild(document.createTextNode(s.text));
    else f.appendChild(h('span', { class: 'invisible-char', title: `${s.code} ${s.name} (invisible character made visible)` }, `⟨${s.code} ${s.name}⟩`));
  }
  return f;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export const fmtInt = (n: number): string => n.toLocaleString('en-US');
export const fmtCost = (usd: number | null, partial = false): string => (usd === null ? '—' : `${partial ? '≥ ' : ''}$${usd < 0.01 && usd > 0 ? usd.toFixed(4) : usd.toFixed(2)}`);
export const fmtTime = (iso: string): string => (iso.length >= 19 ? iso.slice(11, 19) : iso);
export const fmtDate = (iso: string): string => (iso.length >= 16 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso);
export function fmtDuration(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}
