// Renders media/icon.svg to media/icon.png (128x128, transparent corners) with headless Chromium
// (scripts/tools.mjs: from npm, else Debian's). Run after editing the SVG: node scripts/make-icon.mjs
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ensureChromium, findChromium, repoRoot } from './tools.mjs';

let b = findChromium();
if (b.missing) b = await ensureChromium();
if (b.missing) throw new Error(b.missing);
const svg = readFileSync(join(repoRoot, 'media', 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: b.path, args: b.args, env: { ...process.env, ...b.env } });
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: join(repoRoot, 'media', 'icon.png'), omitBackground: true });
} finally {
  await browser.close();
}
console.log('media/icon.png written');
