/** Where Airlock's OTLP receiver listens (a light module: the hooks installer needs it without the decoder). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Default port: fixed so the endpoint written into agents' settings survives restarts (4317/4318 are the Collector's). */
export const DEFAULT_OTLP_PORT = 4319;

/**
 * The receiver's port: `AIRLOCK_OTLP_PORT`, else `<airlock home>/otlp.json` {"port": N}, else
 * DEFAULT_OTLP_PORT. Stable across restarts, because agents' settings name it.
 */
export function otlpPortFor(home: string, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.AIRLOCK_OTLP_PORT;
  if (fromEnv !== undefined && /^\d{1,5}$/.test(fromEnv) && Number(fromEnv) <= 65535) return Number(fromEnv);
  try {
    const v = JSON.parse(readFileSync(join(home, 'otlp.json'), 'utf8')) as { port?: unknown };
    if (typeof v.port === 'number' && Number.isInteger(v.port) && v.port > 0 && v.port <= 65535) return v.port;
  } catch {
    /* no file: the default */
  }
  return DEFAULT_OTLP_PORT;
}


/** The endpoint agents are given (OTEL_EXPORTER_OTLP_ENDPOINT). */
export function otlpEndpointFor(home: string, env: NodeJS.ProcessEnv = process.env): string {
  return `http://127.0.0.1:${otlpPortFor(home, env)}`;
}
