/**
 * HTTP actions. A GET reads remote state; a mutating method changes remote state or sends data
 * off the machine, which Airlock cannot take back (irreversible), unless it stays on loopback.
 */
import type { HttpAction } from '../action';
import { summarize, unknownClassification, type Classification } from '../effects';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Search and count endpoints by REST convention (Elasticsearch/OpenSearch `_search`, `_msearch`,
 * `_count`, `_mget`, `_field_caps`; Meilisearch/Typesense-style `…/search`, `multi-search`): a POST
 * there is a query. It reads when no body leaves the machine.
 */
export const SEARCH_PATH = /\/(?:_search|_msearch|_count|_mget|_field_caps|_search\/template|_msearch\/template|search|multi-search|multi_search)\/?$/i;

export function classifyHttp(action: HttpAction): Classification {
  let url: URL;
  try {
    url = new URL(action.url);
  } catch {
    return unknownClassification(`not a valid URL: ${JSON.stringify(action.url.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return unknownClassification(`unsupported URL scheme ${url.protocol}`);
  const loopback = isLoopbackHost(url.hostname);
  const target = `${url.protocol}//${url.host}${url.pathname}`;
  if (READ_METHODS.has(action.method)) {
    return summarize([{ kind: 'read', reversibility: 'read', target, source: `http.${action.method}`, network: !loopback, detail: `${action.method} ${target}` }]);
  }
  // A POST to a search endpoint with no body sends nothing but the query path: a read, on any host.
  if (action.method === 'POST' && SEARCH_PATH.test(url.pathname) && (action.body === undefined || action.body === '')) {
    return summarize([{ kind: 'read', reversibility: 'read', target, source: 'http.POST', network: !loopback, detail: `POST ${target}: a search or count query without a body (reads)` }]);
  }
  const graphqlDelete = action.body !== undefined && /\bmutation\b/i.test(action.body) && /\b(delete|destroy|remove|drop|purge)\w*/i.test(action.body);
  const destructive = action.method === 'DELETE' || graphqlDelete;
  return summarize([
    {
      kind: destructive ? 'delete' : 'network',
      reversibility: loopback ? 'recoverable' : 'irreversible',
      target,
      source: `http.${action.method}`,
      network: !loopback,
      detail: `${action.method} ${target}${destructive ? ' (deletes remote data)' : loopback ? ' (local service)' : ' (changes remote state or sends data off the machine)'}`,
    },
  ]);
}
