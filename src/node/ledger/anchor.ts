/**
 * The ledger's anchor: a small file outside the database that records the head of the chain, so a
 * deleted, replaced or rewound ledger is detected; and the incidents file beside it.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sha256 } from '../../core/hash';
import { ChainWalker, type Anchor, type ChainRow, type Incident } from '../../core/run/ledgerCheck';
import type { StepRow } from './schema';

/** Size the anchor file is padded to, so an update is one in-place write (no rename per step). */
export const ANCHOR_SIZE = 4096;
/** Longest time the anchor file lags behind the last committed step. */
export const ANCHOR_LAG_MS = 50;

/**
 * Where the anchor of a ledger lives: `<home>/ledger.anchor` for the default ledger, and
 * `<home>/anchors/<hash of its path>.anchor` for any other, always outside the database file.
 */
export function anchorPathFor(home: string, ledgerPath: string): string {
  const abs = resolve(ledgerPath);
  if (abs === resolve(home, 'ledger.sqlite')) return join(home, 'ledger.anchor');
  return join(home, 'anchors', `${sha256(abs).slice(0, 16)}.anchor`);
}

/** Walk the hash chain; the first broken row's id, or undefined when intact. */
export function firstBreak(rows: readonly StepRow[]): string | undefined {
  const w = new ChainWalker();
  for (const r of rows) {
    w.push(r as unknown as ChainRow);
    if (w.first) return w.first.rowId;
  }
  return undefined;
}

export function writePrivateFile(path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export function incidentsPath(anchor: string): string {
  return `${anchor}.incidents`;
}

/** Incidents recorded at earlier starts (none when the file is absent; an unreadable file is itself one). */
export function readIncidents(anchor: string): Incident[] {
  const path = incidentsPath(anchor);
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return Array.isArray(v) ? (v as Incident[]) : [{ at: '', kind: 'anchor.unreadable', message: `${path} is not a list of incidents` }];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    return [{ at: '', kind: 'anchor.unreadable', message: `${path} cannot be read (${(e as Error).message})` }];
  }
}

export type AnchorRead = { kind: 'ok'; anchor: Anchor } | { kind: 'none' } | { kind: 'unreadable'; reason: string };

/** Read an anchor file. A missing file is 'none'; anything else that is not a valid anchor is 'unreadable'. */
export function readAnchor(path: string): AnchorRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { kind: 'none' } : { kind: 'unreadable', reason: code ?? (e as Error).message };
  }
  try {
    const a = JSON.parse(text.trim()) as Anchor;
    if (a?.version !== 1 || typeof a.ledgerId !== 'string' || typeof a.steps !== 'number' || typeof a.headHash !== 'string') return { kind: 'unreadable', reason: 'not an Airlock ledger anchor' };
    return { kind: 'ok', anchor: a };
  } catch (e) {
    return { kind: 'unreadable', reason: `not JSON (${(e as Error).message})` };
  }
}
