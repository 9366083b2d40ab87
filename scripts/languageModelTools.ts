// Writes package.json's contributes.languageModelTools from the tool contracts (src/core/tools).
//   node --import tsx scripts/languageModelTools.ts          check only (exit 1 when they disagree)
//   node --import tsx scripts/languageModelTools.ts --write  rewrite the entries
// test/unit/lmTools.spec.ts fails when package.json and the contracts disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { airlockToolListings } from '../src/core/tools/airlockTools';
import { languageModelToolContributions } from '../src/core/tools/editorTools';

const path = join(__dirname, '..', 'package.json');
const text = readFileSync(path, 'utf8');
const pkg = JSON.parse(text) as { contributes: Record<string, unknown> };
const want = languageModelToolContributions(airlockToolListings());
const same = JSON.stringify(pkg.contributes.languageModelTools) === JSON.stringify(want);
if (process.argv.includes('--write')) {
  if (same) console.log('package.json languageModelTools: up to date');
  else {
    pkg.contributes.languageModelTools = want;
    writeFileSync(path, `${JSON.stringify(pkg, null, 2)}\n`);
    console.log(`package.json languageModelTools: wrote ${want.length} tools`);
  }
} else if (!same) {
  console.error('package.json languageModelTools disagree with the tool contracts: run node --import tsx scripts/languageModelTools.ts --write');
  process.exit(1);
}
