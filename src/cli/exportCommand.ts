/**
 * `airlock export --run ID | --all [--endpoint URL] [--header K=V]... [--ledger FILE] [--arguments]`:
 * send runs as OpenTelemetry traces (src/node/usage/otelExport.ts). The endpoint is --endpoint, else
 * AIRLOCK_OTLP_EXPORT_ENDPOINT, else the standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT /
 * OTEL_EXPORTER_OTLP_ENDPOINT (headers: OTEL_EXPORTER_OTLP_HEADERS and --header). Prints one JSON
 * line; exit 0 when the backend accepted every span, 1 otherwise, 2 bad usage.
 */
import { resolve } from 'node:path';
import { strictArgs, UsageError } from './usageError';
import { missingLedger } from './verifyCommand';

export async function runExport(argv: string[]): Promise<number> {
  const { values } = strictArgs('export', argv, { ledger: { type: 'string' }, run: { type: 'string' }, all: { type: 'boolean' }, endpoint: { type: 'string' }, header: { type: 'string', multiple: true }, arguments: { type: 'boolean' } });
  const run = typeof values.run === 'string' ? values.run : undefined;
  if ((run === undefined) === (values.all !== true)) throw new UsageError('export takes --run ID or --all');
  const headers: Record<string, string> = {};
  for (const h of (values.header as string[] | undefined) ?? []) {
    const i = h.indexOf('=');
    if (i <= 0) throw new UsageError(`--header takes KEY=VALUE, got ${JSON.stringify(h)}`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  const { endpointConfigured, exportRuns } = await import('../node/usage/otelExport');
  const endpoint = typeof values.endpoint === 'string' ? values.endpoint : process.env.AIRLOCK_OTLP_EXPORT_ENDPOINT || undefined;
  if (!endpointConfigured(endpoint)) throw new UsageError('no endpoint: pass --endpoint URL or set OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)');
  const { airlockHome } = await import('../node/environment');
  const { Ledger } = await import('../node/ledger/ledger');
  const path = resolve(typeof values.ledger === 'string' ? values.ledger : `${airlockHome()}/ledger.sqlite`);
  const missing = missingLedger(path);
  if (missing) {
    process.stderr.write(`airlock: ${missing}\n`);
    return 1;
  }
  let ledger: import('../node/ledger/ledger').Ledger;
  try {
    ledger = Ledger.open(path, { readonly: true, check: false });
  } catch (e) {
    process.stderr.write(`airlock: cannot open the ledger ${path}: ${(e as Error).message}\n`);
    return 1;
  }
  let runs;
  try {
    const all = ledger.runs();
    const chosen = run === undefined ? all : all.filter((r) => r.id === run || r.id.startsWith(run));
    if (run !== undefined && chosen.length !== 1) {
      process.stderr.write(`airlock: ${chosen.length === 0 ? 'no run' : `${chosen.length} runs`} matching ${JSON.stringify(run)}\n`);
      return 1;
    }
    const { modelCallsFor } = await import('../node/usage/usage');
    runs = chosen.map((r) => ({ run: r, steps: ledger.stepsOf(r.id), usage: modelCallsFor(ledger.database(), [r.id]) }));
  } finally {
    ledger.close();
  }
  const result = await exportRuns(runs, { ...(endpoint ? { endpoint } : {}), ...(Object.keys(headers).length ? { headers } : {}), includeArguments: values.arguments === true });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (!result.ok) process.stderr.write(`airlock: export failed: ${result.error ?? 'unknown error'}\n`);
  return result.ok ? 0 : 1;
}
