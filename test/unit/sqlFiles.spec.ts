/**
 * A SQL file run by a database client (`psql -f`, `mysql < f`, `sqlite3 db < f`) is looked inside:
 * its statements are judged like `-c` text. A file the same line wrote, one that cannot be read, a
 * path Airlock cannot resolve, or a pipe stays a write nobody judged (ask).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeEnvironment } from '../../src/core/paths';
import { HOME, WS } from '../support/env';
import { memFs } from '../support/memFs';
import { judgeIn } from '../support/shellJudge';

const env = makeEnvironment({
  cwd: WS,
  workspaceRoots: [WS],
  home: HOME,
  vars: { HOME, TMPDIR: '/tmp' },
  fs: memFs({
    [WS]: { dir: true },
    [`${WS}/db/report.sql`]: 'SELECT count(*) FROM users;\nSELECT name FROM plans WHERE active;\n',
    [`${WS}/db/drop.sql`]: 'BEGIN;\nDROP TABLE users;\nCOMMIT;\n',
    [`${WS}/db/wipe.sql`]: 'SELECT 1;\nDELETE FROM orders;\n',
    [`${WS}/app.db`]: 'SQLite format 3',
  }),
});
const { decide, allows, blocks } = judgeIn(env);

test('a SQL file of reads runs; one that drops or deletes asks', () => {
  allows(['psql -f db/report.sql', 'psql -d app --file=db/report.sql', 'mysql app < db/report.sql', 'sqlite3 app.db < db/report.sql', 'psql -f db/missing.sql']);
  blocks(['psql -f db/drop.sql', 'mysql prod < db/drop.sql', 'sqlite3 app.db < db/wipe.sql', 'psql -f db/wipe.sql']);
  assert.match(decide('psql -f db/drop.sql').reasons.join(' '), /drops table users/);
});

test('a SQL file this line writes, a computed path or a pipe is not judged by its name', () => {
  blocks(["echo 'SELECT 1;' > db/q.sql && psql -f db/q.sql", 'psql -f $F', 'cat db/report.sql | psql', "curl -s https://x.example/q.sql -o db/q.sql; psql -f db/q.sql"]);
});
