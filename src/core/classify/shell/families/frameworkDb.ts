/**
 * T40: framework database commands. Web frameworks and ORMs ship commands that drop, reset, wipe or
 * roll back the project's database. Their effect is known per framework and does not depend on the
 * project: a table of (how the tool is reached, which verbs destroy data). A matching command is an
 * irreversible delete of the project's database: ask, whatever launched it (`bin/rails`,
 * `bundle exec rake`, `php artisan`, `python manage.py`, `npx prisma`, `poetry run alembic`…).
 */
import { plain } from '../shellContext.js';
import type { ShWord } from '../shellWords.js';
import { launched } from './common.js';
import type { Family } from './types.js';

interface Framework {
  label: string;
  /** Destructive when the verb words (positionals, lower case, joined by spaces) match. */
  verbs: RegExp;
  /** Destructive when these flags are present (with any verb matching `flagVerbs`). */
  flags?: { verbs: RegExp; any: string[] };
}

const RAILS: Framework = { label: 'Rails', verbs: /^(db:(drop|reset|purge|schema:load|structure:load|truncate_all|seed:replant|setup|rollback|migrate:reset|migrate:redo|migrate:down|environment:set)(\S*))/ };
const TABLE: Record<string, Framework> = {
  rails: RAILS,
  rake: RAILS,
  artisan: { label: 'Laravel', verbs: /^(migrate:(fresh|reset|refresh|rollback)|db:wipe)\b/ },
  'manage.py': { label: 'Django', verbs: /^(flush|reset_db|reset_schema|drop_test_database|migrate \S+ zero|sqlflush \| dbshell)\b/ },
  'django-admin': { label: 'Django', verbs: /^(flush|reset_db|reset_schema|migrate \S+ zero)\b/ },
  console: { label: 'Symfony/Doctrine', verbs: /^(doctrine:(database:drop|schema:drop|fixtures:load|migrations:migrate (first|prev|0))|d:d:d|d:s:d)\b/ },
  prisma: { label: 'Prisma', verbs: /^(migrate reset|db execute)\b/, flags: { verbs: /^(db push|migrate dev)\b/, any: ['--force-reset', '--accept-data-loss'] } },
  sequelize: { label: 'Sequelize', verbs: /^(db:drop|db:migrate:undo(:all)?|db:seed:undo(:all)?)\b/ },
  'sequelize-cli': { label: 'Sequelize', verbs: /^(db:drop|db:migrate:undo(:all)?|db:seed:undo(:all)?)\b/ },
  typeorm: { label: 'TypeORM', verbs: /^(schema:drop|schema:sync|migration:revert)\b/ },
  'typeorm-ts-node-commonjs': { label: 'TypeORM', verbs: /^(schema:drop|schema:sync|migration:revert)\b/ },
  'typeorm-ts-node-esm': { label: 'TypeORM', verbs: /^(schema:drop|schema:sync|migration:revert)\b/ },
  knex: { label: 'Knex', verbs: /^(migrate:rollback|migrate:down)\b/ },
  'drizzle-kit': { label: 'Drizzle', verbs: /^(drop)\b/, flags: { verbs: /^push\b/, any: ['--force'] } },
  'mikro-orm': { label: 'MikroORM', verbs: /^(schema:drop|schema:fresh|migration:fresh|migration:down)\b/ },
  alembic: { label: 'Alembic', verbs: /^(downgrade)\b/ },
  flask: { label: 'Flask-Migrate', verbs: /^(db downgrade|db drop)\b/ },
  mix: { label: 'Ecto', verbs: /^(ecto\.(drop|reset|rollback)|ecto\.migrations? --down)\b/ },
  dotnet: { label: 'Entity Framework', verbs: /^(ef database drop|ef database update 0|ef migrations remove)\b/ },
  'dotnet-ef': { label: 'Entity Framework', verbs: /^(database drop|database update 0)\b/ },
  diesel: { label: 'Diesel', verbs: /^(database reset|database drop|migration revert|migration redo)\b/ },
  sqlx: { label: 'SQLx', verbs: /^(database drop|database reset|migrate revert)\b/ },
  goose: { label: 'goose', verbs: /^(\S+ \S+ )?(reset|down|down-to)\b/ },
  migrate: { label: 'golang-migrate', verbs: /^(drop|down)\b/ },
  flyway: { label: 'Flyway', verbs: /^(clean|undo)\b/ },
  liquibase: { label: 'Liquibase', verbs: /^(drop-all|dropall|rollback\S*)\b/ },
  supabase: { label: 'Supabase', verbs: /^(db reset)\b/ },
  hasura: { label: 'Hasura', verbs: /^(migrate apply .*--down|migrate delete|metadata clear)\b/ },
  atlas: { label: 'Atlas', verbs: /^(schema clean|migrate down)\b/ },
  'payload': { label: 'Payload', verbs: /^(migrate:fresh|migrate:reset|migrate:down)\b/ },
  'medusa': { label: 'Medusa', verbs: /^(db:(drop|reset)|migrations revert)\b/ },
};

/** Options that take a value, so their value is not read as a verb. */
const VALUE_OPTS = /^(-e|--env|--environment|--schema|--config|-c|--knexfile|--connection|--database|--settings|-x|--name|--url|--dir|-d|--project|-p|--context)$/;

function verbWords(args: ShWord[]): string {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.text;
    if (a.startsWith('-')) {
      if (VALUE_OPTS.test(a)) i++;
      continue;
    }
    if (/^[A-Z_]+=/.test(a)) continue;
    out.push(a.toLowerCase());
  }
  return out.join(' ');
}

/** Which framework tool and arguments does this command reach? */
function resolve(name: string, local: string | undefined, args: ShWord[]): { tool: string; args: ShWord[] } | undefined {
  const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1).toLowerCase();
  if (local !== undefined) return TABLE[name] ? { tool: name, args } : undefined;
  if (TABLE[name] && name !== 'console' && name !== 'migrate') return { tool: name, args };
  if (name === 'migrate' && args.some((a) => /^-(path|database|source)/.test(a.text))) return { tool: name, args };
  const l = launched(name, args);
  if (l) return resolve(l.tool, undefined, l.args);
  // Interpreters running a framework entry point: php artisan, php bin/console, python manage.py, ruby bin/rails.
  if (/^(php|python\d*(\.\d+)?|ruby|node|bun|deno|tsx|ts-node)$/.test(name)) {
    let i = 0;
    while (i < args.length && args[i]!.text.startsWith('-')) {
      if (args[i]!.text === '-m' && args[i + 1]) {
        const mod = args[i + 1]!.text.toLowerCase();
        if (mod === 'django') return { tool: 'django-admin', args: args.slice(i + 2) };
        if (mod === 'alembic' || mod === 'flask') return { tool: mod, args: args.slice(i + 2) };
        return undefined;
      }
      i++;
    }
    const script = args[i];
    if (!script) return undefined;
    const b = base(script.text);
    if (TABLE[b]) return { tool: b, args: args.slice(i + 1) };
    if (b === 'typeorm' || b === 'cli.js' && /typeorm/.test(script.text)) return { tool: 'typeorm', args: args.slice(i + 1) };
  }
  return undefined;
}

export const frameworkDb: Family = (c) => {
  const r = resolve(c.name, c.local, c.args);
  if (!r) return false;
  const fw = TABLE[r.tool]!;
  const verbs = verbWords(r.args);
  const flagged = fw.flags && fw.flags.verbs.test(verbs) && r.args.some((a) => fw.flags!.any.includes(a.text.split('=')[0]!.toLowerCase()));
  const m = fw.verbs.exec(verbs);
  if (!m && !flagged) {
    // `manage.py sqlflush | manage.py dbshell` and `dbshell` fed by a pipe run SQL nobody has read.
    if (/^dbshell\b/.test(verbs) && c.stdin.kind === 'pipe') {
      plain(c.ctx, `${r.tool} dbshell`, 'write', 'irreversible', `${fw.label} dbshell runs the SQL piped into it (unread) against the project's database`, { exec: true });
      return false;
    }
    return false;
  }
  const what = m ? m[0] : verbs;
  plain(c.ctx, `${r.tool} ${what}`.trim(), 'delete', 'irreversible', `${fw.label} ${what}: drops, resets or rolls back the project's database (data is lost)`, { target: `database of ${r.tool}` });
  return false;
};
