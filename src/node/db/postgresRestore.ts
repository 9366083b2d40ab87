/**
 * Restoring PostgreSQL before-images (undo of an approved UPDATE/DELETE): deleted rows are
 * inserted again parents first, updated rows are set back only where they still hold the values
 * the write left (otherwise nothing is restored: restore_conflict).
 */
import { DbError, qi } from './common';
import type { Query } from './postgresCapture';
import type { BeforeImage } from './types';

/** Deletes first, parents before the children that reference them; then updates. */
export async function restoreOrder(q: Query, images: BeforeImage[]): Promise<BeforeImage[]> {
  const name = (im: BeforeImage): string => `${qi(im.schema ?? '')}.${qi(im.table)}`;
  const deletes = images.filter((i) => i.operation === 'delete');
  if (deletes.length > 1) {
    const names = [...new Set(deletes.map(name))];
    const edges = (
      await q(
        `SELECT format('%I.%I', cn.nspname, c.relname) AS child, format('%I.%I', pn.nspname, p.relname) AS parent
           FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
           JOIN pg_class p ON p.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace
          WHERE con.contype = 'f' AND con.conrelid <> con.confrelid
            AND con.conrelid = ANY (SELECT to_regclass(x) FROM unnest($1::text[]) x) AND con.confrelid = ANY (SELECT to_regclass(x) FROM unnest($1::text[]) x)`,
        [names],
      )
    ).rows as { child: string; parent: string }[];
    const norm = (s: string): string => s.replace(/"/g, '');
    const depth = new Map<string, number>();
    const d = (n: string, seen: Set<string> = new Set()): number => {
      if (depth.has(n)) return depth.get(n)!;
      if (seen.has(n)) return 0;
      seen.add(n);
      const parents = edges.filter((e) => norm(e.child) === norm(n)).map((e) => e.parent);
      const v = parents.length ? 1 + Math.max(...parents.map((p) => d(p, seen))) : 0;
      depth.set(n, v);
      return v;
    };
    deletes.sort((a, b) => d(name(a)) - d(name(b)));
  }
  return [...deletes, ...images.filter((i) => i.operation !== 'delete')];
}

export async function restoreImage(q: Query, im: BeforeImage): Promise<number> {
  const t = `${qi(im.schema!)}.${qi(im.table)}`;
  const cols = im.columns!;
  if (im.operation === 'delete') {
    if (cols.length === 0) return 0;
    const sql = `INSERT INTO ${t} (${cols.map(qi).join(', ')}) OVERRIDING SYSTEM VALUE VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`;
    for (const r of im.rows) await q(sql, cols.map((c) => r[c] ?? null));
    return im.rows.length;
  }
  let n = 0;
  for (const [i, old] of im.rows.entries()) {
    const aft = im.after![i]!;
    const changed = cols.filter((c) => (old[c] ?? null) !== (aft[c] ?? null));
    const values: unknown[] = [];
    const p = (v: unknown): string => {
      values.push(v ?? null);
      return `$${values.length}`;
    };
    const sets = changed.map((c) => `${qi(c)} = ${p(old[c])}`);
    const match = cols.map((c) => `${qi(c)}::text IS NOT DISTINCT FROM ${p(aft[c])}::text`).join(' AND ');
    const where = im.key.length ? match : `ctid = (SELECT ctid FROM ${t} WHERE ${match} LIMIT 1)`;
    const sql = sets.length ? `UPDATE ${t} SET ${sets.join(', ')} WHERE ${where}` : `SELECT 1 FROM ${t} WHERE ${where}`;
    const r = await q(sql, values);
    if ((r.rowCount ?? 0) !== 1) {
      throw new DbError('restore_conflict', `a row of ${im.schema}.${im.table} was changed since the write (key ${JSON.stringify(Object.fromEntries(im.key.map((k) => [k, aft[k]])))}): nothing restored`);
    }
    n++;
  }
  return n;
}
