/**
 * `airlock hook`'s usage text, on its own: the hook shim (dist/shim.js) prints it for `--help` and
 * bad arguments, and the shim is read and compiled on every agent tool call, so it does not bundle
 * the whole command table (src/cli/commands.ts, which uses this for the `hook` entry). Text only.
 */

/** The agents `airlock hook` and `airlock hooks install` know. */
export const AGENT_LIST = 'claude, copilot, cursor, codex, gemini, cline, qwen, opencode, kilo';

export const HOOK_USAGE = `usage: airlock hook <${AGENT_LIST.replace(/, /g, '|')}> [--timeout-ms N]
the shim an agent runs before and after each tool call. stdin: the agent's hook JSON; it answers
in the agent's dialect within 80% of N (the agent's hook timeout). Installed by airlock hooks install.
options:
  --timeout-ms N       the agent's hook timeout in ms (100-3600000)
  -h, --help           this text`;
