/**
 * Regenerates docs/shell-disagreements.md: every row of the public shell corpora where Airlock's
 * decision differs from the peer's, grouped by the rule that decided, each group marked as on
 * purpose or as a gap. Run after `npm run build`:
 *   AIRLOCK_SHARED=/path/to/shared node --import tsx scripts/shellDisagreements.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPORA, checkCorpus, corpusWorkspace, loadCorpus, type CheckOut as Out, type CorpusRow as Row } from '../bench/corpusCheck';

const root = join(__dirname, '..');
const shared = process.env.AIRLOCK_SHARED ?? join(root, '..', 'shared');

/** [test, group title, on purpose?] — the first whose test matches names the group. */
type Group = [(o: Out, r: Row) => boolean, string, boolean];
const BLOCKS: Group[] = [
  [(o) => /could not analyze: shell syntax error/.test(o.reasons.join(' ')), 'does not parse (unterminated quote, not shell): could not analyze = unknown, never allowed', true],
  [(o) => /program name comes from|split by a changed IFS/.test(o.reasons.join(' ')), 'program name is computed at run time (substitution, xargs/parallel input): unknown', true],
  [(o) => /unknown program (delete|drop|grant|select|show|describe|explain|update|insert|truncate|alter|create)\b/i.test(o.reasons.join(' ')), 'bare SQL typed as a shell command: the shell answers "command not found"; Airlock cannot tell what was meant (SQL reaches it as a `sql` action or through psql/mysql)', true],
  [(o) => /unknown program|not in Airlock's tables|a subcommand Airlock does not know|not a git command Airlock knows|cannot read/.test(o.reasons.join(' ')), 'closed world: a program (or a subcommand) in none of Airlock\'s tables is unknown and asks (never allowed, never denied)', true],
  [(o) => /runs commands read from stdin|depends on variables/.test(o.reasons.join(' ')), 'runs commands Airlock cannot see (stdin, variables): unknown', true],
  [(o) => o.rules.includes('baseline.secrets'), 'reads a secret (credential store, secrets manager, key file): asks so a person sees it leave', true],
  [(o) => /existing data in a temp folder/.test(o.reasons.join(' ') + o.effects.map((e) => e.detail).join(' ')), 'deletes existing data in a temp folder (not created by this command line): someone\'s data', true],
  [(o) => o.effects.some((e) => e.snapshotable) && o.rules.includes('floor.irreversible') && !o.rules.some((r) => r.startsWith('baseline.')), '`check` takes no snapshot, so a delete in the workspace is irreversible (the editor snapshots first and allows)', true],
  [(o) => /\/tmp\b|TMPDIR/.test(o.reasons.join(' ')) && o.rules.includes('baseline.destroy-outside-workspace') && /(rm -rf (\/tmp|\$TMPDIR)$)/.test(o.reasons.join(' ') + ' ' + (o as unknown as { command?: string }).command), 'deletes the temp folder itself (not just scratch inside it)', true],
  [(o) => o.rules.includes('baseline.destroy-outside-workspace'), 'deletes or overwrites data outside the workspace', true],
  [(o) => o.rules.includes('baseline.exec-unknown-code'), 'runs code nobody has read here (a script outside the workspace, a listener, unread input)', true],
  [(o) => o.rules.includes('baseline.remote-change'), 'sends data off the machine or changes a remote service Airlock cannot undo (POST/-d, uploads, create/update, force, delete)', true],
  [(o) => o.rules.includes('baseline.change-outside-workspace'), 'changes state outside the workspace (services, global packages, system, other folders)', true],
  [() => true, 'other', true],
];
const ALLOWS: Group[] = [
  [(o) => /temp scratch|does not exist yet|scratch/.test(o.effects.map((e) => e.detail).join(' ')), 'target is scratch in a temp folder that does not exist or was created by this command line: recoverable, allowed', true],
  [(_o, r) => /^(echo yes \| rm|command -V|node -e|ruby -e|perl -e|git clean -nf|TMPDIR=|git reset\s*[\u2010-\u2015]|git reset\\n)/.test(r.command) || /xargs -i rm -rf$/.test(r.command), 'analysed as harmless (no operands, lookup only, dry run, text that is not code, prefix assignment applied after expansion)', true],
  [(o) => o.effects.some((e) => /removes packages \(reinstall to undo\)/.test(e.detail)), 'removes a project dependency: recoverable (install it again); the edit of the manifest and lockfile is a workspace write the gate checkpoints', true],
  [(o) => o.effects.length > 0 && o.effects.every((e) => /^dig only reads/.test(e.detail)), 'a DNS query, zone transfers included (`dig axfr`), only reads: it changes nothing here or there and sends nothing but the query', true],
  [(_o, r) => /^git push/.test(r.command), 'strict_git: pushing to a named branch is a policy choice, not a reversibility one; a fast-forward push is reversible', true],
  [() => true, 'gap: Airlock allows what the peer blocks (tables do not know this yet)', false],
];

function groupOf(groups: Group[], o: Out, r: Row): [string, boolean] {
  const g = groups.find(([t]) => t({ ...o, command: r.command } as Out, r))!;
  return [g[1], g[2]];
}

const lines: string[] = [];
lines.push('# Where Airlock\'s shell verdicts differ from the peers\' (shell corpora)');
lines.push('');
lines.push('Generated by `scripts/shellDisagreements.ts` from the three corpora in `../shared/bench` through `airlock check --jsonl`, default policy, with the method of BENCHMARKS.md §1 (bench/corpusCheck.ts): a real committed git workspace standing in for `/home/user/project` (HOME is its `/home/user`, every `/home/user` in a command names the same place), TMPDIR=/tmp, the real file system of the measuring machine. The groups below are the gate\'s verdicts with checkpoints on (`--as-gate`, the editor\'s default); the last group of each corpus lists the rows that differ only when no checkpoint can be taken (`--no-snapshot`). No rule special-cases a corpus row; each group names the rule that decided.');
lines.push('');
lines.push('Most differences are on purpose:');
lines.push('- Closed world: a program in none of Airlock\'s tables (`digit 123`, `cogito ergo sum`, `bd create …`, `haproxy -sf …`) is `unknown` and asks: Airlock cannot establish what it does. The peers allow what they do not recognise.');
lines.push('- Reversibility is the gate: a change inside the workspace that the gate checkpoints first (`git reset --hard`, `rm -rf src`, `git clean -fd`) runs and can be undone, so with checkpoints on it is allowed where the peers block; without a checkpoint it asks.');
lines.push('- Scripts and binaries run from outside the workspace are exec of code nobody has read here.');
lines.push('- Deletes outside the workspace, the temp folder itself, and existing data in a temp folder (`rm -rf /tmp/*`) are irreversible: only what the command line created (or a path that does not exist) is scratch.');
lines.push('- Reading a secret (credential store, secrets manager, `.env`, keys) asks, so a person sees it before it can leave.');
lines.push('- Data sent off the machine (`curl -d`, `-X POST` with a body, uploads, remote creates/updates) cannot be taken back or undone by Airlock. A download (object store, `scp host:f .`, `rclone copy remote: ./dir`) is a remote read plus a local write, judged like `cp`.');
lines.push('- Text that is not code is harmless: `node -e "rm -rf /"` is a JavaScript syntax error, `git reset ‐‐hard` with Unicode hyphens is a path, `echo yes | rm -rf` has no operand, `command -V` only describes, `git clean -nf` is a dry run (git: `-n` wins), `TMPDIR=/Users rm -rf $TMPDIR/x` expands `$TMPDIR` before the prefix assignment applies.');
lines.push('- strict_git: pushing to `master` is a policy choice, not a reversibility one.');
lines.push('');
lines.push('Rows marked **gap** are not on purpose.');
const w = corpusWorkspace();
try {
  for (const name of CORPORA) {
    const rows = loadCorpus(shared, name);
    const gate = checkCorpus(join(root, 'dist', 'cli.js'), rows, w, 'gate');
    const bare = checkCorpus(join(root, 'dist', 'cli.js'), rows, w, 'noSnapshot');
    const groups = new Map<string, { purpose: boolean; items: string[] }>();
    const onlyBare: string[] = [];
    for (const r of rows) {
      const o = gate.get(r.id);
      const b = bare.get(r.id);
      if (!o || !b) continue;
      const blocks = o.decision !== 'allow';
      const agrees = blocks === (r.expected === 'block');
      if (agrees) {
        if (r.expected === 'allow' && b.decision !== 'allow') onlyBare.push(`  - \`${r.id}\` ${JSON.stringify(r.command.slice(0, 110))} → ${b.decision} (${b.reversibility}) without a checkpoint`);
        continue;
      }
      const checkpointed = !blocks && o.rules.includes('checkpoint.would-take');
      const [title, purpose] = checkpointed
        ? ['a workspace change the gate checkpoints first: it runs and Undo puts the files back (asks without a checkpoint)', true]
        : blocks ? groupOf(BLOCKS, o, r) : groupOf(ALLOWS, o, r);
      const key = `${blocks ? 'peer allows, Airlock blocks' : 'peer blocks, Airlock allows'}: ${title}`;
      const g = groups.get(key) ?? { purpose, items: [] };
      g.items.push(`  - \`${r.id}\` ${JSON.stringify(r.command.slice(0, 110))} → ${o.decision} (${o.reversibility})`);
      groups.set(key, g);
    }
    lines.push('', `## ${name}`, '');
    for (const [k, g] of [...groups.entries()].sort((a, b) => b[1].items.length - a[1].items.length)) {
      lines.push(`- ${g.purpose ? '' : '**gap:** '}**${k}** (${g.items.length})`);
      lines.push(...g.items);
    }
    if (onlyBare.length) {
      lines.push(`- **peer allows, Airlock blocks only without a checkpoint (\`--no-snapshot\`): a workspace delete or overwrite that nothing can undo asks; the gate checkpoints it and lets it run** (${onlyBare.length})`);
      lines.push(...onlyBare);
    }
  }
} finally {
  w.dispose();
}
writeFileSync(join(root, 'docs', 'shell-disagreements.md'), `${lines.join('\n')}\n`);
console.log('wrote docs/shell-disagreements.md');
