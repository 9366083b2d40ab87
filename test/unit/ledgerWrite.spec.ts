// The ledger's fast write path gives the same bytes as the slow one: the masked canonical JSON of an
// action or outcome in one pass equals canonicalJson(maskDeep(x)), and step ids are version 7 UUIDs
// that increase in write order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../src/core/hash';
import { maskDeep, maskedCanonicalJson } from '../../src/core/mask';
import { insertSql, PREPARED_COLUMNS, STEP_COLUMNS, timeOrderedId } from '../../src/node/ledger/stepWrite';
import { HASHED_FIELDS } from '../../src/core/run/ledgerCheck';
import { prng } from '../support/prng';

const SECRETISH = [
  'PGPASSWORD=s3cret-pw psql -h db -U app',
  'curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib3QifQ.c2lnbmF0dXJlc2lnbmF0dXJl" https://x',
  'postgres://app:hunter22@db.internal:5432/app',
  `ghp_${'a1B2c3D4e5'.repeat(4)}`,
  'const token = getToken(req);',
  'password: "p@ss-w0rd-123"',
];

describe('ledger write path', () => {
  it('maskedCanonicalJson equals canonicalJson(maskDeep(x)) for random nested values with secrets, odd keys and undefined', () => {
    const r = prng(41);
    const alphabet = ['a', 'Z', '"', '\\', '\n', '\u0000', 'é', '😀', '\ud800', ' ', '=', ':', '@', '/'];
    const str = (): string => (r() < 0.3 ? SECRETISH[Math.floor(r() * SECRETISH.length)]! : Array.from({ length: Math.floor(r() * 20) }, () => alphabet[Math.floor(r() * alphabet.length)]).join(''));
    const keys = ['command', 'cwd', 'password', 'token', 'apiKey', 'b', 'a', 'B', '', '__proto__', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', `ghp_${'x'.repeat(36)}`, 'é', 'authorization'];
    const value = (depth: number): unknown => {
      const x = r();
      if (depth > 3 || x < 0.35) return str();
      if (x < 0.45) return Math.floor(r() * 1e6) - 5e5;
      if (x < 0.5) return r() < 0.5 ? null : r() < 0.5;
      if (x < 0.55) return undefined;
      if (x < 0.75) return Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1));
      // JSON.parse keeps '__proto__' as an own key, as a hook's input would.
      const o = JSON.parse('{}') as Record<string, unknown>;
      for (let i = Math.floor(r() * 5); i > 0; i--) Object.defineProperty(o, keys[Math.floor(r() * keys.length)]!, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
      return o;
    };
    for (let k = 0; k < 3000; k++) {
      const v = value(0);
      assert.equal(maskedCanonicalJson(v), canonicalJson(maskDeep(v)), JSON.stringify(v));
    }
    // Two keys that mask to the same key: the later one wins, as in the masked copy.
    const clash = { [`ghp_${'a'.repeat(36)}`]: 1, [`ghp_${'b'.repeat(36)}`]: 2 };
    assert.equal(maskedCanonicalJson(clash), canonicalJson(maskDeep(clash)));
    // ... also when the later one is undefined (the masked copy keeps the later, undefined, value).
    const clashUndefined = { [`ghp_${'a'.repeat(36)}`]: 1, [`ghp_${'b'.repeat(36)}`]: undefined, b: { a: [1, undefined, 'x'] } };
    assert.equal(maskedCanonicalJson(clashUndefined), canonicalJson(maskDeep(clashUndefined)));
    assert.equal(maskedCanonicalJson({ z: 1, a: { y: [], b: 'c' } }), '{"a":{"b":"c","y":[]},"z":1}');
  });

  it('step ids are version 7 UUIDs, strictly increasing within a millisecond and across a clock step back', () => {
    const ids = Array.from({ length: 5000 }, () => timeOrderedId());
    const back = [timeOrderedId(Date.now() + 10), timeOrderedId(Date.now() - 1000), timeOrderedId(Date.now() - 2000)];
    for (const id of [...ids, ...back]) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const all = [...ids, ...back];
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]! < all[i]!, `${all[i - 1]} !< ${all[i]}`);
    assert.equal(new Set(all).size, all.length);
  });

  it('the insert binds every hashed column and the hash', () => {
    for (const f of [...HASHED_FIELDS, 'hash', 'checkpoint']) assert.ok((STEP_COLUMNS as readonly string[]).includes(f), f);
    assert.equal((insertSql(3).match(/\?/g) ?? []).length, 3 * STEP_COLUMNS.length);
    // A prepared step carries every column but the three the write transaction adds, in insert order.
    assert.deepEqual([...PREPARED_COLUMNS], STEP_COLUMNS.filter((c) => c !== 'seq' && c !== 'prev_hash' && c !== 'hash'));
  });
});

describe('masking pre-checks', () => {
  it('skipping rules whose pre-check fails changes nothing: same result as running every rule', async () => {
    const { maskSecrets, maskSecretsEveryRule } = await import('../../src/core/mask');
    const { readFileSync } = await import('node:fs');
    const r = prng(77);
    // Pieces of every secret shape the rules know, glued with ordinary text in random orders and cases.
    const pieces = [
      '-----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE KEY-----', 'postgres://u:pw1234@h/db', 'https://hooks.slack.com/services/T000/B000/XXXX', `AKIA${'ABCDEFGH23456789'}`, `ghp_${'a'.repeat(36)}`,
      `github_pat_${'b'.repeat(30)}`, `glpat-${'c'.repeat(20)}`, 'xoxb-1234567890-abc', 'xapp-1-abcdefghij', `sk_live_${'d'.repeat(12)}`, `sk-ant-api03-${'e'.repeat(24)}`, `sk-proj-${'f'.repeat(24)}`,
      `AIza${'g'.repeat(35)}`, `npm_${'h'.repeat(36)}`, `hf_${'i'.repeat(32)}`, `SG.${'j'.repeat(16)}.${'k'.repeat(20)}`, 'eyJhbGciOiJI.eyJzdWIiOiJi.c2lnbmF0dXJl', 'Authorization: Bearer abc.def', 'authorization=basic Zm9vOmJhcg',
      'X-Api-Key: k3y-value', "IDENTIFIED BY 'pw'", "password 'pw'", ' --password=hunter2', ' --db-token tok123', ' --client-secret "s e c"', 'mysql -u root -pSecret1', 'sshpass -p pw ssh h', 'redis-cli -h h -a pw',
      'curl -u user:pass1 https://x', 'wget --user me:pw2 x', 'DB_PASSWORD=abc123', 'export API_KEY="xyz"', 'const token = getToken(req)', '"password": "p4ss!"', 'secret: hunter22', "apiKey: 'v'", 'auth_token: $TOKEN',
      'PGPASSWORD=s3cret-pw psql', 'cred=1', 'export\n', 'export ', '\r\n', '\r', ' \n\t', 'X_TOKEN=a\nb', "token: 'a\nb'", ' -p', ' -u ', 'key', 'KEY', 'Pass', 'TOKEN', ':', '=', '@', '://', '"', "'", '\n', ' ', 'plain words', '{', '}', '.', '-',
    ];
    const texts: string[] = [];
    for (let k = 0; k < 4000; k++) {
      let t = '';
      for (let n = 1 + Math.floor(r() * 6); n > 0; n--) {
        const p = pieces[Math.floor(r() * pieces.length)]!;
        t += r() < 0.15 ? p.toUpperCase() : r() < 0.15 ? p.toLowerCase() : p;
      }
      texts.push(t);
    }
    // And this repository's own sources: ordinary code that mentions tokens and keys everywhere.
    for (const f of ['src/core/mask.ts', 'src/node/ledger/ledger.ts', 'src/node/gate/gate.ts', 'test/unit/mask.spec.ts']) texts.push(...readFileSync(f, 'utf8').split('\n\n'));
    let masked = 0;
    for (const t of texts) {
      const want = maskSecretsEveryRule(t);
      assert.equal(maskSecrets(t), want, JSON.stringify(t));
      if (want !== t) masked++;
    }
    assert.ok(masked > 2000, `only ${masked} texts had a secret: the comparison would prove little`);
  });
});
