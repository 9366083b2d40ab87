/**
 * `airlock hooks install` also points each agent that speaks OpenTelemetry at Airlock's OTLP
 * receiver (user scope only), so usage and cost arrive while the agent runs:
 * - Claude Code: `env` in ~/.claude/settings.json (CLAUDE_CODE_ENABLE_TELEMETRY, OTEL_*_EXPORTER,
 *   OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_ENDPOINT, shorter export intervals);
 * - Codex: an `[otel]` table in config.toml (OTLP/HTTP protobuf to /v1/logs);
 * - Gemini CLI: `telemetry` in ~/.gemini/settings.json;
 * - Qwen Code (a Gemini CLI fork, same settings): `telemetry` in ~/.qwen/settings.json.
 * Copilot: never (its settings are visible to the person and it needs their consent); Cursor and
 * Cline: no OpenTelemetry to set (Cline's usage is read from its session files); OpenCode and Kilo:
 * Airlock's own plugin reports usage (plugins.ts), nothing to set here.
 *
 * The person's own telemetry wins: if any of these keys is already set to something else, Airlock
 * leaves that agent's telemetry alone and says so. What Airlock wrote is recorded in its home
 * (telemetry-installed.json), so uninstall removes exactly that and nothing the person changed.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatJson, isObject, type Agent, type Scope } from '../../../core/hooks/installEntries';
import { backupOnce, codexConfigToml, configPath, readJsonConfig, readText, writeAtomic } from './configFiles';
import type { InstallerContext } from './context';

export interface TelemetryOutcome {
  agent: Agent;
  file?: string;
  changed: boolean;
  /** Why nothing was written (unsupported agent, the person's own telemetry, …). */
  skipped?: string;
}

interface Recorded {
  agent: Agent;
  /** Claude: env keys and values written; Gemini, Qwen: the telemetry object; Codex: the exact text appended. */
  env?: Record<string, string>;
  envCreated?: boolean;
  telemetry?: Record<string, unknown>;
  tomlBlock?: string;
}

const recordPath = (ctx: InstallerContext) => join(ctx.airlockHome, 'telemetry-installed.json');
function readRecord(ctx: InstallerContext): Record<string, Recorded> {
  try {
    const v = JSON.parse(readFileSync(recordPath(ctx), 'utf8')) as unknown;
    return isObject(v) ? (v as unknown as Record<string, Recorded>) : {};
  } catch {
    return {};
  }
}
function writeRecord(ctx: InstallerContext, r: Record<string, Recorded>): void {
  mkdirSync(ctx.airlockHome, { recursive: true, mode: 0o700 });
  writeFileSync(recordPath(ctx), `${JSON.stringify(r, null, 2)}\n`, { mode: 0o600 });
}

/** The environment Claude Code needs to report to `endpoint` (OTLP/HTTP protobuf). */
export function claudeTelemetryEnv(endpoint: string): Record<string, string> {
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_LOGS_EXPORT_INTERVAL: '1000',
    OTEL_METRIC_EXPORT_INTERVAL: '10000',
  };
}

/** Gemini CLI's and Qwen Code's `telemetry` settings (the same schema: Qwen Code is a Gemini CLI fork). */
export function geminiTelemetry(endpoint: string): Record<string, unknown> {
  return { enabled: true, target: 'local', otlpEndpoint: endpoint, otlpProtocol: 'http', logPrompts: false };
}

export function codexOtelBlock(endpoint: string): string {
  return `[otel]\n# managed by Airlock: usage to its OTLP receiver (airlock hooks uninstall codex removes it)\nlog_user_prompt = false\n\n[otel.exporter."otlp-http"]\nendpoint = "${endpoint}/v1/logs"\nprotocol = "binary"\n`;
}

/** `text` without Airlock's block (and the blank line put before it). */
function withoutBlock(text: string, block: string): string {
  const i = text.indexOf(block);
  if (i < 0) return text;
  const cut = i >= 2 && text[i - 1] === '\n' && text[i - 2] === '\n' ? i - 1 : i;
  return text.slice(0, cut) + text.slice(i + block.length);
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function installTelemetry(agent: Agent, scope: Scope, ctx: InstallerContext, endpoint: string): TelemetryOutcome {
  if (scope !== 'user') return { agent, changed: false, skipped: 'telemetry is set in user settings only' };
  if (agent === 'copilot') return { agent, changed: false, skipped: "Copilot's telemetry settings are the person's to change (not set without their consent)" };
  if (agent !== 'claude' && agent !== 'codex' && agent !== 'gemini' && agent !== 'qwen') return { agent, changed: false, skipped: 'no OpenTelemetry export in this agent' };
  const now = (ctx.now ?? (() => new Date()))();
  const record = readRecord(ctx);
  const file = agent === 'codex' ? codexConfigToml(configPath('codex', 'user', ctx)) : configPath(agent, 'user', ctx);

  if (agent === 'codex') {
    const text = readText(file) ?? '';
    const block = codexOtelBlock(endpoint);
    const prev = record[file]?.tomlBlock;
    if (prev === block && text.includes(block)) return { agent, file, changed: false };
    const without = prev ? withoutBlock(text, prev) : text;
    if (/^\s*\[otel[\].]/m.test(without)) return { agent, file, changed: false, skipped: `${file} already has an [otel] section (the person's own): left as it is` };
    backupOnce(file, now);
    const sep = without === '' ? '' : without.endsWith('\n\n') ? '' : without.endsWith('\n') ? '\n' : '\n\n';
    writeAtomic(file, without + sep + block);
    record[file] = { agent, tomlBlock: block };
    writeRecord(ctx, record);
    return { agent, file, changed: true };
  }

  const { text, value } = readJsonConfig(file);
  const config: Record<string, unknown> = value ? { ...value } : {};
  if (agent === 'claude') {
    const want = claudeTelemetryEnv(endpoint);
    const env = isObject(config.env) ? { ...(config.env as Record<string, unknown>) } : undefined;
    if (config.env !== undefined && !env) return { agent, file, changed: false, skipped: `${file}: "env" is not an object; left as it is` };
    const mine = record[file]?.env ?? {};
    const conflict = Object.entries(want).find(([k, v]) => env?.[k] !== undefined && env[k] !== v && env[k] !== mine[k]);
    if (conflict) return { agent, file, changed: false, skipped: `${file} sets ${conflict[0]}=${String(env![conflict[0]])} (the person's own telemetry): left as it is` };
    if (env && Object.entries(want).every(([k, v]) => env[k] === v)) return { agent, file, changed: false };
    config.env = { ...(env ?? {}), ...want };
    record[file] = { agent, env: want, envCreated: record[file]?.envCreated ?? env === undefined };
  } else {
    const want = geminiTelemetry(endpoint);
    const mine = record[file]?.telemetry;
    if (config.telemetry !== undefined && !sameJson(config.telemetry, want) && !(mine && sameJson(config.telemetry, mine))) {
      return { agent, file, changed: false, skipped: `${file} already has "telemetry" settings (the person's own): left as they are` };
    }
    if (sameJson(config.telemetry, want)) return { agent, file, changed: false };
    config.telemetry = want;
    record[file] = { agent, telemetry: want };
  }
  backupOnce(file, now);
  writeAtomic(file, formatJson(config, text));
  writeRecord(ctx, record);
  return { agent, file, changed: true };
}

/** Remove exactly what installTelemetry wrote (keys the person changed since are kept). */
export function uninstallTelemetry(agent: Agent, scope: Scope, ctx: InstallerContext): TelemetryOutcome {
  if (scope !== 'user' || (agent !== 'claude' && agent !== 'codex' && agent !== 'gemini' && agent !== 'qwen')) return { agent, changed: false };
  const record = readRecord(ctx);
  const file = agent === 'codex' ? codexConfigToml(configPath('codex', 'user', ctx)) : configPath(agent, 'user', ctx);
  const rec = record[file];
  if (!rec) return { agent, file, changed: false };
  const forget = () => {
    delete record[file];
    writeRecord(ctx, record);
  };
  if (agent === 'codex') {
    const text = readText(file);
    if (text === undefined || !rec.tomlBlock || !text.includes(rec.tomlBlock)) {
      forget();
      return { agent, file, changed: false };
    }
    writeAtomic(file, withoutBlock(text, rec.tomlBlock));
    forget();
    return { agent, file, changed: true };
  }
  const { text, value } = readJsonConfig(file);
  if (!value) {
    forget();
    return { agent, file, changed: false };
  }
  const config: Record<string, unknown> = { ...value };
  let changed = false;
  if (agent === 'claude' && rec.env && isObject(config.env)) {
    const env = { ...(config.env as Record<string, unknown>) };
    for (const [k, v] of Object.entries(rec.env)) {
      if (env[k] === v) {
        delete env[k];
        changed = true;
      }
    }
    if (Object.keys(env).length === 0 && rec.envCreated) delete config.env;
    else config.env = env;
  } else if ((agent === 'gemini' || agent === 'qwen') && rec.telemetry && sameJson(config.telemetry, rec.telemetry)) {
    delete config.telemetry;
    changed = true;
  }
  if (changed) writeAtomic(file, formatJson(config, text));
  forget();
  return { agent, file, changed };
}
