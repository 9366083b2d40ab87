#!/usr/bin/env node
// Packages Airlock for one runtime: `airlock-linux-x64.vsix` whose better-sqlite3 binary is built
// for Node 22 (code-server 4.117's extension host) instead of the machine's Node 20.
//
//   node scripts/package-target.mjs [--out FILE] [--no-build]
//
// How: a production build, `vsce package --target linux-x64` from the repo as is, then the one
// native entry in the zip is replaced by the Node 22 build that scripts/e2e-setup.mjs staged in the
// cache. node_modules is never touched, so the node test tier keeps loading its Node 20 binary.
// The result is checked: the swapped entry's bytes equal the staged binary, and better-sqlite3
// unpacked from the .vsix opens a database under Node 22.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TARGET, e2ePaths, readSetupStamp, repoRoot } from './e2e-paths.mjs';

const NATIVE_ENTRY = 'extension/node_modules/better-sqlite3/build/Release/better_sqlite3.node';
const requireFromRepo = createRequire(join(repoRoot, 'package.json'));

function fail(msg) {
  console.error(`package-target: FAILED: ${msg}`);
  process.exit(1);
}

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.error?.message}\n${(r.stdout ?? '') + (r.stderr ?? '')}`.trim());
  return r.stdout;
}

/** Every entry of a zip as { name, data, mtime, compress } in its original order. */
function readZip(file) {
  const yauzl = requireFromRepo('yauzl');
  return new Promise((res, rej) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return rej(err);
      const out = [];
      zip.on('error', rej);
      zip.on('end', () => res(out));
      zip.on('entry', (e) => {
        if (/\/$/.test(e.fileName)) return zip.readEntry();
        zip.openReadStream(e, (err2, s) => {
          if (err2) return rej(err2);
          const chunks = [];
          s.on('data', (c) => chunks.push(c));
          s.on('error', rej);
          s.on('end', () => {
            out.push({ name: e.fileName, data: Buffer.concat(chunks), mtime: e.getLastModDate(), compress: e.compressionMethod !== 0 });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

function writeZip(file, entries) {
  const yazl = requireFromRepo('yazl');
  const z = new yazl.ZipFile();
  for (const e of entries) z.addBuffer(e.data, e.name, { mtime: e.mtime, compress: e.compress });
  z.end();
  return new Promise((res, rej) => {
    const ws = createWriteStream(file);
    z.outputStream.pipe(ws).on('close', res).on('error', rej);
  });
}

const sha = (b) => createHash('sha256').update(b).digest('hex');

/** Build (unless told not to), package, swap the native binary, verify. Returns the .vsix path. */
/**
 * native: 'node22' (default) swaps in the Node 22 binary from the e2e cache; 'as-is' keeps the
 * binary from node_modules (built for this machine's Node; desktop VS Code's Electron then uses the
 * node:sqlite fallback where it has one). target: the vsce platform target (default linux-x64).
 */
export async function packageTarget({ out, build = true, quiet = false, native = 'node22', target = TARGET } = {}) {
  out ??= resolve(repoRoot, `airlock-${target}.vsix`);
  const log = quiet ? () => {} : (m) => console.log(m);
  const P = e2ePaths();
  if (native === 'node22' && !readSetupStamp(P)) fail(`the e2e cache is not set up (${P.root}); run: node scripts/e2e-setup.mjs`);
  const t0 = Date.now();
  if (build) {
    log('→ production build');
    sh(process.execPath, ['esbuild.config.mjs', '--production']);
  }
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) fail('dist/extension.js missing: build first');
  const work = mkdtempSync(join(tmpdir(), 'airlock-pkg-'));
  try {
    const plain = join(work, 'plain.vsix');
    log(`→ vsce package --target ${target}`);
    // The README's relative links need a base; the repository URL in package.json is a placeholder.
    sh(process.execPath, [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--target', target, '--allow-missing-repository',
      '--baseContentUrl', 'https://example.invalid/airlock/blob/main', '--baseImagesUrl', 'https://example.invalid/airlock/raw/main', '-o', plain]);
    if (native === 'as-is') {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, readFileSync(plain));
      log(`✓ ${out} (native binary as built in node_modules, for Node ${process.versions.node})`);
      return out;
    }
    const entries = await readZip(plain);
    const entry = entries.find((e) => e.name === NATIVE_ENTRY);
    if (!entry) fail(`${NATIVE_ENTRY} is not in the package (check .vscodeignore)`);
    const node22 = readFileSync(P.sqliteBinary);
    log(`→ swap ${NATIVE_ENTRY}: Node 20 build (${sha(entry.data).slice(0, 12)}) → Node 22 build (${sha(node22).slice(0, 12)})`);
    entry.data = node22;
    entry.mtime = new Date();
    mkdirSync(dirname(out), { recursive: true });
    await writeZip(out, entries);

    // Verify what was written, not what was meant.
    const back = await readZip(out);
    const got = back.find((e) => e.name === NATIVE_ENTRY);
    if (!got || sha(got.data) !== sha(node22)) fail('the written package does not carry the Node 22 binary');
    if (back.length !== entries.length) fail(`entry count changed (${entries.length} → ${back.length})`);
    const unpack = join(work, 'unpacked');
    for (const e of back.filter((x) => x.name.startsWith('extension/node_modules/'))) {
      const p = join(unpack, e.name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, e.data);
    }
    const probe = `const D=require(${JSON.stringify(join(unpack, 'extension', 'node_modules', 'better-sqlite3'))});new D(':memory:').prepare('select 1').get();console.log(process.version)`;
    const v = sh(P.nodeBin, ['-e', probe]).trim();
    log(`✓ ${out} (${(statSync(out).size / 1024 / 1024).toFixed(2)} MB, ${back.length} files; its better-sqlite3 loads under Node ${v}; ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const isMain = typeof require === 'undefined' && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--out');
  packageTarget({ out: i >= 0 ? resolve(args[i + 1] ?? fail('--out needs a file')) : undefined, build: !args.includes('--no-build') }).catch((e) => fail(e.stack ?? String(e)));
}
