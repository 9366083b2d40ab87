/**
 * The one table of `airlock` commands and their usage text. `airlock <cmd> [<sub>] -h|--help`
 * prints the entry's usage and exits 0; a bad argument prints the error and the entry's usage to
 * stderr and exits 2; `airlock --help` lists every command. Text only (its one import is text too).
 */
import { AGENT_LIST, HOOK_USAGE } from './hookUsage';

export interface CommandEntry {
  /** One line for the command list. */
  summary: string;
  /** The full usage text of the command (or subcommand). */
  usage: string;
  /** Subcommands with their own usage (`airlock hooks install --help`). */
  subcommands?: Record<string, CommandEntry>;
  /** Words after which -h/--help belongs to something else (the wrapped server's command line). */
  stopAt?: string[];
}

const AGENTS = AGENT_LIST;
const WS = '  --cwd DIR            the working directory the command runs in (default: here)\n  --workspace DIR      a workspace root (repeatable; default: --cwd)\n  --policy FILE        judge with this workspace policy file';

const checkUsage = `usage:
  airlock check [--cwd DIR] [--workspace DIR]... [--policy FILE] [--json] [--no-snapshot] -- <command line>
  airlock check --sql "<statement>" [--dialect postgres|sqlite|mysql] [--json]
  airlock check --file <read|create|write|edit|delete|rename|chmod> <path> [<new path>] [--cwd DIR] [--workspace DIR]...
  airlock check --jsonl [--as-gate] [--cwd DIR] [--workspace DIR]...   (one action per stdin line)
judge one action as the gate would, without running it.
options:
${WS}
  --sql STATEMENT      judge a SQL statement
  --dialect D          postgres (default), sqlite or mysql (with --sql)
  --file OP            judge a file operation on <path>
  --jsonl              read one JSON action per stdin line, answer one JSON line each
  --json               print the decision as JSON
  --no-snapshot        judge as if no checkpoint could be taken (by default a workspace change the
                       gate would checkpoint first is judged with that checkpoint; none is taken here;
                       --jsonl judges without unless --as-gate)
  --as-gate            with --jsonl: judge each line as plain check does (with the checkpoint the
                       gate could take in that workspace)
  -h, --help           this text
exit codes: 0 allow, 3 ask, 4 deny, 2 bad usage`;

const policyValidate = `usage: airlock policy validate [FILE]
check a policy file (default: the workspace's .airlock/policy.json) and say what it would loosen.
exit 0 valid, 1 invalid or unreadable, 2 bad usage`;
const policyExplain = `usage: airlock policy explain [--cwd DIR] [--workspace DIR]... [--policy FILE] -- <command line>
show the decision, the commands found and which policy rules fired.
options:
${WS}
  --sql, --dialect, --file, --json, --jsonl   the action as for airlock check
  -h, --help           this text
exit codes as airlock check`;
const policySchema = `usage: airlock policy schema
print the policy file's JSON schema.`;
const policyTrust = `usage: airlock policy trust list | add <program> [--class read|reversible|recoverable] | revoke <id> [--workspace DIR] [--json]
the programs a person trusted in this workspace (local to this machine, never the team policy; never for irreversible effects).`;

const hooksInstall = `usage: airlock hooks install <agent>|all [--scope user|project] [--project DIR] [--json] [--no-telemetry]
add Airlock's hook (and telemetry to Airlock's OTLP receiver) to an agent's settings (merged, backed up).
agents: ${AGENTS}
options:
  --scope S            user (default) or project
  --project DIR        the project for --scope project (default: here)
  --json               print the result as JSON
  --no-telemetry       do not point the agent's telemetry at Airlock
  -h, --help           this text`;
const hooksUninstall = `usage: airlock hooks uninstall <agent>|all [--scope user|project] [--project DIR] [--json]
remove Airlock's hook and telemetry from an agent's settings.
agents: ${AGENTS}`;
const hooksStatus = `usage: airlock hooks status [--project DIR] [--json]
which agents have Airlock's hook installed, each checked with a canary call (exit 1 when one is broken).`;

const mcpServe = `usage:
  airlock mcp [--http PORT] [--workspace DIR]... [--policy FILE] [--ledger FILE] [--ci]
              [--gate auto|local|bridge] [--ask-timeout-ms N] [--db NAME=URL]... [--db-read-only NAME]...
        Airlock's MCP server (stdio, or streamable HTTP on 127.0.0.1:PORT/mcp): gated file, shell and database tools
  airlock mcp [options] --wrap [--name NAME] -- <command…>
        start another MCP server (stdio) and re-expose its tools, gating every call
  airlock mcp install|uninstall <agent> [--scope user|project] [--project DIR] [--json]
        add Airlock's MCP server to an agent's MCP config (merged, backed up, reversible)
options:
  --http PORT          serve streamable HTTP on 127.0.0.1:PORT (0 picks a free port) instead of stdio
  --workspace DIR      a workspace root (repeatable; default: here)
  --policy FILE        workspace policy file
  --ledger FILE        the run ledger (default: $AIRLOCK_HOME/ledger.sqlite)
  --ci                 CI mode: asks are resolved by the policy's ciAsk, never held
  --gate G             auto (the running gate if one answers, else in-process), local, bridge
  --ask-timeout-ms N   longest wait for a person's answer (100-600000)
  --db NAME=URL        a database connection (sqlite:///abs/path.db or postgres://...), repeatable
  --db-read-only NAME  open that connection read-only
  (connections also from AIRLOCK_DB_CONNECTIONS, a JSON array of {name,url,readOnly})
  -h, --help           this text`;
const mcpInstall = `usage: airlock mcp install <claude|codex|gemini|cursor|copilot> [--scope user|project] [--project DIR] [--json]
add Airlock's MCP server to an agent's MCP config (merged, backed up, reversible).`;
const mcpUninstall = `usage: airlock mcp uninstall <claude|codex|gemini|cursor|copilot> [--scope user|project] [--project DIR] [--json]
remove Airlock's MCP server from an agent's MCP config.`;

const dlqList = `usage: airlock dlq list [--all]
the dead letters of Airlock's own side effects (--all: also retried and discarded ones), as JSON.`;
const dlqRetry = `usage: airlock dlq retry ID [--db NAME=URL]... [--workspace DIR]... [--ask-timeout-ms N]
run a dead letter again through the gate, under its idempotency key.`;
const dlqDiscard = `usage: airlock dlq discard ID [--reason R]
mark a dead letter as discarded.`;

export const COMMANDS: Record<string, CommandEntry> = {
  check: { summary: 'judge one action (shell, SQL, file) as the gate would', usage: checkUsage },
  policy: {
    summary: 'validate, explain and describe policy files',
    usage: `usage: airlock policy validate [FILE] | explain [options] -- <command line> | schema | trust ...\n\n${policyValidate}\n\n${policyExplain}\n\n${policySchema}\n\n${policyTrust}`,
    subcommands: { validate: { summary: 'check a policy file', usage: policyValidate }, explain: { summary: 'why a command gets its decision', usage: policyExplain }, schema: { summary: "the policy file's JSON schema", usage: policySchema }, trust: { summary: 'programs trusted in this workspace', usage: policyTrust } },
  },
  serve: {
    summary: 'the headless gate (bridge, ledger, OTLP receiver) for machines without the editor',
    usage: `usage: airlock serve [--ledger FILE] [--policy FILE] [--port N] [--ci] [--workspace DIR]...
run the gate without the editor; prints one JSON line {"bridge","socket","otlp","ledger","discovery"} when ready.
Without an editor no person is connected: an ask is answered within 2 s "needs a person's approval"
and queued for the editor (see airlock approvals).
options:
  --ledger FILE        the run ledger (default: $AIRLOCK_HOME/ledger.sqlite)
  --policy FILE        workspace policy file
  --port N             bridge port on 127.0.0.1 (default: a free one)
  --ci                 CI mode: asks are resolved by the policy's ciAsk
  --workspace DIR      a workspace root (repeatable)
  -h, --help           this text`,
  },
  hook: {
    summary: "the agent hook shim (run by the agent's hook configuration)",
    usage: HOOK_USAGE,
  },
  kill: {
    summary: 'latch the kill switch: nothing runs until a person un-latches it',
    usage: `usage: airlock kill [--reason R]
latch the kill switch, void the bridge token and stop a running gate.
options:
  --reason R           why (shown to the person and to agents)
  -h, --help           this text`,
  },
  unkill: { summary: 'un-latch the kill switch from the command line', usage: 'usage: airlock unkill\nun-latch the kill switch (the editor is the intended place: it shows what was stopped first).' },
  hooks: {
    summary: "install, remove and check Airlock's hooks in agents' settings",
    usage: `usage: airlock hooks install|uninstall <agent>|all [options] | status [options]\n\n${hooksInstall}\n\n${hooksUninstall}\n\n${hooksStatus}`,
    subcommands: { install: { summary: 'install hooks', usage: hooksInstall }, uninstall: { summary: 'remove hooks', usage: hooksUninstall }, status: { summary: 'check hooks', usage: hooksStatus } },
  },
  mcp: {
    summary: "Airlock's MCP server, or a gated proxy in front of another MCP server",
    usage: mcpServe,
    stopAt: ['--wrap'],
    subcommands: { install: { summary: "add Airlock's MCP server to an agent", usage: mcpInstall }, uninstall: { summary: "remove Airlock's MCP server from an agent", usage: mcpUninstall } },
  },
  approvals: {
    summary: "steps waiting for a person's approval (queued while no editor was connected)",
    usage: `usage: airlock approvals [--json] [--all]
the steps an agent asked for while no person was connected (airlock serve or airlock mcp without
an editor). Open VS Code with Airlock to approve or deny them; an approved step runs when the agent
asks again.
options:
  --all                also the answered and expired ones
  --json               print them as JSON
  -h, --help           this text`,
  },
  dlq: {
    summary: "dead letters of Airlock's own side effects",
    usage: `usage: airlock dlq list [--all] | retry ID [options] | discard ID [--reason R]\n\n${dlqList}\n\n${dlqRetry}\n\n${dlqDiscard}`,
    subcommands: { list: { summary: 'list dead letters', usage: dlqList }, retry: { summary: 'retry a dead letter', usage: dlqRetry }, discard: { summary: 'discard a dead letter', usage: dlqDiscard } },
  },
  undo: {
    summary: "undo a step: its workspace files from their checkpoint, or a database write's rows",
    usage: `usage: airlock undo <step-id|key> [--force | --merge] [--db NAME=URL]... [--ask-timeout-ms N] [--ledger FILE]
       airlock undo --run <id> --to <step> [--force | --merge]
       airlock undo --list
undo a step: its files from the checkpoint taken before it, or the rows an approved db_execute
changed from its before-images (gated, recorded as its own step, once). --run/--to restores a run's
files to before that step.
options:
  --list               the recent undoable steps, as JSON
  --run ID, --to STEP  restore the run's files to before that step
  --force              undo even though the files changed since the step (the changes are lost)
  --merge              undo over changes made since the step as a three-way merge per text file:
                       those changes stay, the step's go (conflict markers where both touched the
                       same lines); refused for binary files, symlinks, and files created or
                       deleted by the step or since
  --db NAME=URL        the connection the step wrote through (also from AIRLOCK_DB_CONNECTIONS)
  --ask-timeout-ms N   longest wait for a person's answer (100-600000)
  --ledger FILE        the run ledger (default: $AIRLOCK_HOME/ledger.sqlite)
  -h, --help           this text`,
  },
  verify: {
    summary: "check the ledger's hash chain, sequences and anchor",
    usage: `usage: airlock verify [--ledger FILE] [--json] [--accept]
walk the ledger's hash chain, sequences and anchor; exit 0 intact, 1 broken.
options:
  --ledger FILE        the run ledger (default: $AIRLOCK_HOME/ledger.sqlite)
  --json               print the result as JSON
  --accept             clear incidents recorded at earlier starts, after showing them
  -h, --help           this text`,
  },
  budget: {
    summary: "a run's or a day's cost and budget; a person raises a budget",
    usage: `usage: airlock budget show [--run ID] [--ledger FILE] [--json] | raise (--run ID | --day [YYYY-MM-DD]) --usd N [--by NAME] [--ledger FILE] [--json]
show: today's spend, or a run's cost and where it came from. raise: a person authorizes N more
dollars for a run or a day (recorded with who raised it). An agent's shell cannot raise it: the gate
asks a person for every airlock command that changes Airlock's own controls.`,
  },
  status: {
    summary: 'the running gate: the policy files in force and those waiting for acceptance',
    usage: `usage: airlock status [--json]
the running gate (from the discovery file): its policy files in force and waiting for acceptance.`,
  },
  db: {
    summary: 'database credentials kept by Airlock (owner-only file), used by airlock mcp --db NAME',
    usage: `usage: airlock db add NAME URL [--read-only] | list | remove NAME
add: keep a connection URL under a name in $AIRLOCK_HOME/db-connections.json (0600); list: names,
dialect and read-only flag only (never the URL); remove: forget it. airlock mcp --db NAME opens it.`,
  },
  log: {
    summary: "the runs in the ledger, a run's steps, its causal chain",
    usage: `usage: airlock log [--ledger FILE] [--json] [--run ID [--trace]]
the runs in the ledger; with --run, that run's steps; with --trace, the causal chain of the run.
options:
  --ledger FILE        the run ledger (default: $AIRLOCK_HOME/ledger.sqlite)
  --run ID             one run (a unique prefix of its id is enough)
  --trace              with --run: what led to each step
  --json               print as JSON
  -h, --help           this text`,
  },
  export: {
    summary: 'send runs as OpenTelemetry traces',
    usage: `usage: airlock export --run ID|--all [--endpoint URL] [--header K=V]... [--ledger FILE] [--arguments]
send runs as OpenTelemetry traces (OTEL_EXPORTER_OTLP_* or --endpoint).
options:
  --run ID | --all     one run (unique id prefix) or every run
  --endpoint URL       the OTLP/HTTP endpoint (else AIRLOCK_OTLP_EXPORT_ENDPOINT, OTEL_EXPORTER_OTLP_*)
  --header K=V         an extra request header (repeatable)
  --ledger FILE        the run ledger (default: $AIRLOCK_HOME/ledger.sqlite)
  --arguments          include the actions' arguments in the spans
  -h, --help           this text`,
  },
};

export const GLOBAL_USAGE = `usage: airlock <command> [options]      airlock <command> --help for a command's options
commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(11)}${c.summary}`)
  .join('\n')}
  help [CMD]  this list, or a command's usage
options: -h, --help  -V, --version`;

/** The entry for `argv` (command, then subcommand when it names one), with its path. */
export function entryFor(argv: string[]): { path: string[]; entry: CommandEntry } | undefined {
  const [cmd, sub] = argv;
  const top = cmd !== undefined && Object.prototype.hasOwnProperty.call(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!top || cmd === undefined) return undefined;
  const s = sub !== undefined && top.subcommands && Object.prototype.hasOwnProperty.call(top.subcommands, sub) ? top.subcommands[sub] : undefined;
  return s && sub !== undefined ? { path: [cmd, sub], entry: s } : { path: [cmd], entry: top };
}

/** True when -h/--help is among the command's own words (before `--` and before any stop word). */
export function wantsHelp(argv: string[]): boolean {
  const stops = new Set(['--', ...(entryFor(argv)?.entry.stopAt ?? []), ...(argv[0] ? (COMMANDS[argv[0]]?.stopAt ?? []) : [])]);
  for (const a of argv.slice(1)) {
    if (stops.has(a)) return false;
    if (a === '-h' || a === '--help') return true;
  }
  return false;
}
