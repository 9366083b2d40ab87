/** Scoped database tools (src/core/policy/namedQueries.ts): strict typed inputs, listed columns, row cap, free-form switch. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundParams, DatabaseScope, freeFormRefusal, namedQueryInput, namedQueryToolName, shapeRows } from '../../src/core/policy/namedQueries';

const scope = DatabaseScope.parse({
  freeForm: false,
  queries: {
    get_customer_by_id: { sql: 'SELECT id, name, email, password_hash FROM customers WHERE id = $1', params: { id: { type: 'integer', min: 1 } }, columns: ['id', 'name', 'email'], rowCap: 2 },
    search: { sql: 'SELECT id FROM customers WHERE name LIKE $1 AND active = $2', params: { pattern: { type: 'string', maxLength: 20 }, active: { type: 'boolean' } }, columns: ['id'] },
  },
});
const q = scope.queries.get_customer_by_id!;

describe('named queries', () => {
  it('the input schema is strict and typed: extra, missing, mistyped and out-of-range arguments are refused', () => {
    const input = namedQueryInput(q);
    assert.deepEqual(input.parse({ id: 7 }), { id: 7 });
    assert.equal(input.safeParse({ id: 7, sql: 'DROP TABLE customers' }).success, false);
    assert.equal(input.safeParse({}).success, false);
    assert.equal(input.safeParse({ id: '7' }).success, false);
    assert.equal(input.safeParse({ id: 1.5 }).success, false);
    assert.equal(input.safeParse({ id: 0 }).success, false);
    const s = namedQueryInput(scope.queries.search!);
    assert.equal(s.safeParse({ pattern: 'x'.repeat(21), active: true }).success, false);
    assert.deepEqual(boundParams(scope.queries.search!, s.parse({ active: true, pattern: 'a%' })), ['a%', true]);
  });

  it('only the listed columns come back, at most rowCap rows, and the cut is reported', () => {
    const rows = [1, 2, 3].map((id) => ({ id, name: `n${id}`, email: `e${id}`, password_hash: 'secret' }));
    const r = shapeRows(q, rows);
    assert.deepEqual(r, { rows: [{ id: 1, name: 'n1', email: 'e1' }, { id: 2, name: 'n2', email: 'e2' }], truncated: true });
    assert.equal(JSON.stringify(r).includes('secret'), false);
    assert.equal(shapeRows(q, rows.slice(0, 1)).truncated, false);
  });

  it('declarations are checked: placeholders without a parameter, unused parameters, extra keys', () => {
    assert.match(JSON.stringify(DatabaseScope.safeParse({ queries: { a: { sql: 'SELECT 1 WHERE x = $2', params: { x: { type: 'integer' } }, columns: ['x'] } } }).error?.issues), /\$2 has no declared parameter/);
    assert.match(JSON.stringify(DatabaseScope.safeParse({ queries: { a: { sql: 'SELECT 1', params: { x: { type: 'integer' } }, columns: ['x'] } } }).error?.issues), /parameter x \(\$1\) is not used/);
    assert.equal(DatabaseScope.safeParse({ queries: { a: { sql: 'SELECT 1', columns: ['x'], rowcap: 3 } } }).success, false);
    assert.equal(DatabaseScope.safeParse({ queries: { 'Bad-Name': { sql: 'SELECT 1', columns: ['x'] } } }).success, false);
  });

  it('free-form SQL is refused with the named queries listed when switched off, and only then', () => {
    const why = freeFormRefusal({ app: scope }, 'app', 'db_query');
    assert.match(why ?? '', /free-form SQL is switched off on connection app \(db_query refused; nothing was run\); use its named queries: db_app_get_customer_by_id, db_app_search/);
    assert.equal(freeFormRefusal({ app: scope }, 'other', 'db_query'), undefined);
    assert.equal(freeFormRefusal({ app: DatabaseScope.parse({}) }, 'app', 'db_execute'), undefined);
    assert.equal(namedQueryToolName('app', 'search'), 'db_app_search');
  });
});
