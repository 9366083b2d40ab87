/**
 * The run log webview's HTML shell (no 'vscode' import, so the browser tests render the same page).
 * CSP: nothing but our own bundle (by nonce), our own stylesheets and font; no inline script or
 * style, no network, no eval.
 */
export interface RunLogHtmlOptions {
  /** webview.cspSource (or the test server's origin). */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris: string[];
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function runLogCsp(o: Pick<RunLogHtmlOptions, 'cspSource' | 'nonce'>): string {
  return [`default-src 'none'`, `img-src ${o.cspSource} data:`, `font-src ${o.cspSource}`, `style-src ${o.cspSource}`, `script-src 'nonce-${o.nonce}'`].join('; ');
}

export function runLogHtml(o: RunLogHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(o.nonce)) throw new Error('runLogHtml: the nonce must be at least 16 random base64/hex characters');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(runLogCsp(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${o.styleUris.map((u) => `<link rel="stylesheet" href="${esc(u)}">`).join('\n')}
<title>Airlock run log</title>
</head>
<body>
<div id="app" aria-live="polite"><p class="loading">Loading the run log…</p></div>
<script nonce="${esc(o.nonce)}" src="${esc(o.scriptUri)}"></script>
</body>
</html>`;
}
