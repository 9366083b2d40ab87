/**
 * Prices for model calls from @pydantic/genai-prices (embedded price table; this module never asks
 * it to update over the network, so pricing is offline and deterministic for a given timestamp).
 *
 * Token convention here (and in the usage table): `input` is the UNCACHED input; cache reads and
 * cache writes are counted apart. genai-prices counts `input_tokens` as all input including the
 * cached parts, so the sum is what it is given.
 *
 * Architecture Invariant: an unknown model has no price (undefined), never a price of zero.
 */
import type * as GenaiPrices from '@pydantic/genai-prices';

// The price table (~0.5 MB of code) is loaded when the first call is priced, not with the module.
let prices: typeof GenaiPrices | undefined;
const calcPrice: typeof GenaiPrices.calcPrice = (...args) => (prices ??= require('@pydantic/genai-prices') as typeof GenaiPrices).calcPrice(...args);

export interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export type CostSource = 'agent' | 'genai-prices' | 'unknown';

export interface Priced {
  usd: number;
  /** The table's model id and provider the price came from. */
  model: string;
  provider: string;
}

const PROVIDER_HINT: Array<[RegExp, string]> = [
  [/^claude/i, 'anthropic'],
  [/^(gpt|o[1-9]|codex)/i, 'openai'],
  [/^gemini/i, 'google'],
];

/** The model name as the table knows it: drop Claude Code's context suffix ("[1m]") and provider prefixes. */
export function normalizeModel(model: string): string {
  return model.trim().replace(/\[[^\]]*\]$/, '').replace(/^(anthropic|openai|google)\//i, '');
}

/** The price of one model call, or undefined when the model is not in the table. */
export function priceCall(model: string | undefined, t: Tokens, at: Date): Priced | undefined {
  if (!model) return undefined;
  const m = normalizeModel(model);
  if (!m) return undefined;
  const usage = { input_tokens: t.input + t.cacheRead + t.cacheWrite, output_tokens: t.output, cache_read_tokens: t.cacheRead, cache_write_tokens: t.cacheWrite };
  const hint = PROVIDER_HINT.find(([re]) => re.test(m))?.[1];
  let r: ReturnType<typeof calcPrice> = null;
  try {
    r = calcPrice(usage, m, { ...(hint ? { providerId: hint } : {}), timestamp: Number.isNaN(at.getTime()) ? new Date(0) : at });
    if (!r && hint) r = calcPrice(usage, m, { timestamp: at });
  } catch {
    return undefined; // the table cannot price this usage shape: unknown, not zero
  }
  if (!r || !Number.isFinite(r.total_price)) return undefined;
  return { usd: r.total_price, model: r.model.id, provider: r.provider.id };
}

/** The cost to record: the agent's own figure when it gave one, else the table's, else unknown. */
export function chooseCost(agentUsd: number | undefined, priced: Priced | undefined): { usd: number | undefined; source: CostSource } {
  if (agentUsd !== undefined && Number.isFinite(agentUsd) && agentUsd >= 0) return { usd: agentUsd, source: 'agent' };
  if (priced) return { usd: priced.usd, source: 'genai-prices' };
  return { usd: undefined, source: 'unknown' };
}
