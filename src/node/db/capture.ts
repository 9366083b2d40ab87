/**
 * What a write's row capture holds, whichever driver captured it (sqliteCapture.ts: TEMP triggers;
 * postgresCapture.ts: its own triggers), and the before-images Undo restores from it.
 */
import type { BeforeImage } from './types';

export interface Captured<T extends { cols: { name: string; generated: boolean }[]; key: string[] }> {
  table: T;
  deleted: number;
  updated: number;
  inserted: number;
  /** Old rows of deletes (in order). */
  deletedRows: Record<string, unknown>[];
  /** Old and new rows of updates, paired. */
  updatedOld: Record<string, unknown>[];
  updatedNew: Record<string, unknown>[];
  insertedRows: Record<string, unknown>[];
}

/** The before-images of one table's capture: its deletes and updates (none kept past `limit` rows: truncated). */
export function beforeImages<T extends { cols: { name: string; generated: boolean }[]; key: string[] }>(
  c: Captured<T>,
  where: { table: string; schema?: string; dialect: BeforeImage['dialect'] },
  limit: number,
): BeforeImage[] {
  const out: BeforeImage[] = [];
  const columns = c.table.cols.filter((x) => !x.generated).map((x) => x.name);
  const base = { ...where, key: c.table.key, columns };
  if (c.deleted > 0) {
    const truncated = c.deleted > limit;
    out.push({ ...base, operation: 'delete', rows: truncated ? [] : c.deletedRows, truncated, rowsAffected: c.deleted });
  }
  if (c.updated > 0) {
    const truncated = c.updated > limit;
    out.push({ ...base, operation: 'update', rows: truncated ? [] : c.updatedOld, after: truncated ? [] : c.updatedNew, truncated, rowsAffected: c.updated });
  }
  return out;
}
