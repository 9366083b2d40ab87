/**
 * Secret masking before anything is stored: tokens, keys, passwords and connection-string
 * credentials in commands, file contents, SQL, reasons and outcomes become `***` (a known prefix
 * such as `ghp_` or `AKIA` is kept so the row still says what kind of secret was there).
 *
 * Pure and deterministic. Masking is by shape, not by entropy: a shape that names itself
 * (`ghp_…`, `AKIA…`, `-----BEGIN … PRIVATE KEY-----`, `postgres://u:p@`, `PGPASSWORD=`, a quoted
 * value of a `password`/`token`/`secret` key) is masked; ordinary code that merely mentions a token
 * (`const token = getToken()`, `password: string`, `$PGPASSWORD`, a member access like `config.token`) is left alone.
 * What is stored is evidence, not the secret: the ledger's `action_hash` is still computed by the
 * gate over the real action, so an approval stays bound to exactly what runs.
 */

export const MASK = '***';

/** A cheap first look: strings without any of these cannot hold a secret shape we mask. */
const TRIGGER = /AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-|xapp-|[sr]k_(?:live|test)_|sk-|eyJ|AIza|PRIVATE KEY|glpat-|npm_|hf_|SG\.|pass|pwd|secret|token|key|auth|cred|:\/\/[^\s/]*@|identified|(?:^|\s)-p\S|hooks\.slack\.com|(?:^|\s)-[ua]\s/i;

/** A value that refers to a secret instead of containing it, or is code: never masked. */
function isReference(v: string): boolean {
  const bare = v.replace(/^["']|["']$/g, '');
  if (bare === '' || bare === MASK || bare.startsWith(MASK)) return true;
  if (/^\$\{?[A-Za-z_][\w]*\}?$/.test(bare) || bare.startsWith('$(') || bare.startsWith('${{') || bare.startsWith('{{')) return true;
  if (/^%[A-Za-z_]\w*%$/.test(bare) || /^<[^>]*>$/.test(bare)) return true; // %VAR%, <placeholder>
  return false;
}

/** An unquoted right-hand side that is code (a call, a member access, a type), not a literal. */
function looksLikeCode(v: string): boolean {
  return /[()[\]{}<>]/.test(v) || /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+;?$/.test(v) || /^(?:string|number|boolean|bool|any|unknown|null|undefined|none|true|false|str|int|bytes|object|void|never|optional|required)\b/i.test(v);
}

/** Secret-ish unquoted value for `key: value` forms: has a digit or a symbol and is not a plain word. */
function secretish(v: string): boolean {
  return v.length >= 6 && /[\d\W_]/.test(v) && !/^[A-Za-z]+$/.test(v);
}

// Names whose value is a secret: the name ENDS in one of these words (`max_tokens`, `tokenizer`,
// `author` do not). `key` alone is too common (`key = event.key`), so it must be qualified.
const NAME = String.raw`(?<![\w.-])[\w.-]*?(?:passw(?:or)?d|passwd|pwd|pass|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|(?:signing|encryption|master|auth|session)[_-]?key|credentials?|auth)(?:[_-]?(?:key|base|value|string))?(?![\w])`;

interface Rule {
  re: RegExp;
  to: (m: string, ...g: string[]) => string;
  /**
   * A cheap test that holds whenever `re` can match (a literal the pattern must contain): a rule
   * whose `pre` fails is skipped. Only a speed-up: test/unit/ledgerWrite.spec.ts checks that the
   * result is what running every rule gives.
   */
  pre?: RegExp;
  /**
   * Every match lies within one line (nothing in the pattern crosses a newline but a leading
   * delimiter or `export\s+`, which the replacement keeps as it was), and `pre` matches on the line of
   * every match: with pre-checks on, the rule runs only on the lines `pre` finds, not over the whole
   * text (code that mentions `token` on a few lines of a file). The same comparison test covers it.
   */
  lineLocal?: boolean;
}

const keep = (prefix: string): ((m: string) => string) => () => `${prefix}${MASK}`;

const RULES: Rule[] = [
  // Private key blocks (PEM, OpenSSH, PGP), also when cut off before their END line.
  { re: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY(?: BLOCK)?-----|$)/g, to: (_m, kind = '') => `-----BEGIN ${kind}PRIVATE KEY-----${MASK}-----END ${kind}PRIVATE KEY-----`, pre: /PRIVATE KEY/ },
  // Credentials inside URLs and connection strings: scheme://user:pass@host -> scheme://user:***@host
  { re: /\b([a-z][a-z0-9+.-]*:\/\/)([^:/?#@\s'"]*):([^@/\s'"]+)@/gi, to: (m, scheme = '', user = '', pass = '') => (isReference(pass) || pass === MASK ? m : `${scheme}${user}:${MASK}@`), pre: /:\/\/[^\s]*@/ },
  // Slack incoming webhooks carry their secret in the path.
  { re: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+/g, to: keep('https://hooks.slack.com/services/'), pre: /hooks\.slack\.com/ },
  // Vendor tokens with self-describing prefixes.
  { re: /\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, to: (_m, p = '') => `${p}${MASK}`, pre: /AKIA|ASIA|ABIA|ACCA/ },
  { re: /\b(gh[pousr]_)[A-Za-z0-9]{30,255}\b/g, to: (_m, p = '') => `${p}${MASK}`, pre: /gh[pousr]_/ },
  { re: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g, to: keep('github_pat_'), pre: /github_pat_/ },
  { re: /\b(glpat-)[A-Za-z0-9_-]{20,}\b/g, to: keep('glpat-'), pre: /glpat-/ },
  { re: /\b(xox[abposr]-)[A-Za-z0-9-]{10,}\b/g, to: (_m, p = '') => `${p}${MASK}`, pre: /xox[abposr]-/ },
  { re: /\bxapp-[A-Za-z0-9-]{10,}\b/g, to: keep('xapp-'), pre: /xapp-/ },
  { re: /\b([sr]k_(?:live|test)_)[A-Za-z0-9]{10,}\b/g, to: (_m, p = '') => `${p}${MASK}`, pre: /[sr]k_(?:live|test)_/ },
  { re: /\b(sk-ant-(?:api|admin|oat)\d*-)[A-Za-z0-9_-]{20,}/g, to: (_m, p = '') => `${p}${MASK}`, pre: /sk-ant-/ },
  { re: /\b(sk-(?:proj-|svcacct-|admin-|None-)?)[A-Za-z0-9_-]{20,}/g, to: (m, p = '') => (p.startsWith('sk-ant') ? m : `${p}${MASK}`), pre: /sk-/ },
  { re: /\bAIza[0-9A-Za-z_-]{35}\b/g, to: keep('AIza'), pre: /AIza/ },
  { re: /\bnpm_[A-Za-z0-9]{36}\b/g, to: keep('npm_'), pre: /npm_/ },
  { re: /\bhf_[A-Za-z]{30,}\b/g, to: keep('hf_'), pre: /hf_/ },
  { re: /\bSG\.[\w-]{16,}\.[\w-]{20,}\b/g, to: keep('SG.'), pre: /SG\./ },
  // JSON Web Tokens: header.payload.signature, base64url, header and payload start with {" (eyJ).
  { re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, to: keep('eyJ'), pre: /\.eyJ/ },
  // Authorization headers: Bearer / Basic / Token values.
  { re: /\b((?:proxy-)?authorization\s*["']?\s*[:=]\s*["']?\s*(?:bearer|basic|token|bot|digest)\s+)([^\s"',;]+)/gi, to: (m, head = '', v = '') => (isReference(v) ? m : `${head}${MASK}`), pre: /authorization/i },
  { re: /\b(x-api-key|api-key|x-auth-token|private-token|x-goog-api-key)(\s*["']?\s*:\s*["']?\s*)([^\s"',;]+)/gi, to: (m, name = '', sep = '', v = '') => (isReference(v) ? m : `${name}${sep}${MASK}`), pre: /api-key|x-auth-token|private-token/i },
  // SQL: CREATE/ALTER USER … IDENTIFIED BY 'pw' / PASSWORD 'pw'.
  { re: /\b(identified\s+(?:with\s+\w+\s+)?by\s+|password\s+)('(?:[^']|'')*'|"[^"]*")/gi, to: (m, head = '', v = '') => (isReference(v) ? m : `${head}'${MASK}'`), pre: /identified|password/i },
  // Command-line flags: --password=x, --token x, --client-secret=x.
  { re: /(\s--?(?:db-|admin-|root-|client-|auth-|access-|api-|bot-)?(?:password|passwd|pass|token|secret|api-key|apikey|access-token|auth-token|client-secret)(?:=|\s+))('[^']*'|"[^"]*"|[^\s'"|;&]+)/gi, to: (m, head = '', v = '') => (isReference(v) || v.startsWith('-') ? m : `${head}${MASK}`), pre: /-[\w-]*(?:pass|token|secret|api-?key)/i },
  // mysql/mariadb -p<password> (attached; a bare -p prompts), sshpass -p pw, redis-cli -a pw.
  { re: /(\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlsh|mariadb|mariadb-dump)\b[^\n|;&]*?\s-p)('[^']*'|"[^"]*"|[^\s'"|;&]+)/g, to: (m, head = '', v = '') => (isReference(v) ? m : `${head}${MASK}`), pre: /mysql|mariadb/ },
  { re: /(\bsshpass\s+-p\s*)('[^']*'|"[^"]*"|\S+)/g, to: (m, head = '', v = '') => (isReference(v) ? m : `${head}${MASK}`), pre: /sshpass/ },
  { re: /(\bredis-cli\b[^\n|;&]*?\s-a\s+)('[^']*'|"[^"]*"|\S+)/g, to: (m, head = '', v = '') => (isReference(v) ? m : `${head}${MASK}`), pre: /redis-cli/ },
  // curl -u user:pass / --user user:pass
  { re: /(\b(?:curl|wget|http)\b[^\n|;&]*?\s(?:-u|--user)\s+['"]?[^\s:'"]+:)([^\s'"]+)/g, to: (m, head = '', v = '') => (isReference(v) ? m : `${head}${MASK}`), pre: /\s(?:-u|--user)\s/ },
  // NAME=value (env files, shell assignments, query strings, key=value configs).
  {
    re: new RegExp(String.raw`(^|[\s;&|?,'"(\[{])((?:export\s+)?(?:${NAME}))([ \t]*=[ \t]*)('[^'\n]*'|"[^"\n]*"|[^\s'";&|,)\]}]+)`, 'gim'),
    pre: /(?:pass|pwd|secret|token|key|credential|auth)[\w.-]*[ \t]*=/i,
    lineLocal: true,
    to: (m, lead = '', name = '', eq = '', v = '') => {
      if (isReference(v) || /^(?:export\s+)?(?:OLD)?PWD$/i.test(name)) return m;
      const quoted = /^["']/.test(v);
      const spaced = eq.trim() !== eq;
      // `const token = getToken()`: spaced and unquoted is code unless the name is an ENV_NAME.
      if (!quoted && (looksLikeCode(v) || (spaced && !/^(?:export\s+)?[A-Z0-9_]+$/.test(name)))) return m;
      if (!quoted && v.startsWith('=')) return m; // ==, ===
      const q = quoted ? v[0]! : '';
      return `${lead}${name}${eq}${q}${MASK}${q}`;
    },
  },
  // "password": "x", password: 'x', secret: hunter2 (JSON, YAML, object literals).
  {
    re: new RegExp(String.raw`(["']?)(${NAME})\1([ \t]*:[ \t]*)('[^'\n]*'|"(?:[^"\\\n]|\\.)*"|[^\s'",}\]]+)`, 'gi'),
    pre: /(?:pass|pwd|secret|token|key|credential|auth)[\w.-]*["']?[ \t]*:/i,
    lineLocal: true,
    to: (m, q1 = '', name = '', sep = '', v = '') => {
      if (isReference(v) || /^(?:OLD)?PWD$/i.test(name)) return m;
      const quoted = /^["']/.test(v);
      if (!quoted && (looksLikeCode(v) || !secretish(v.replace(/;$/, '')))) return m;
      const q = quoted ? v[0]! : '';
      return `${q1}${name}${q1}${sep}${q}${MASK}${q}`;
    },
  },
];

/** Mask every secret shape in a string. */
export function maskSecrets(text: string): string {
  return maskWith(text, true);
}

/** maskSecrets without the per-rule pre-checks: every rule runs (tests compare the two). */
export function maskSecretsEveryRule(text: string): string {
  return maskWith(text, false);
}

/**
 * RULES in runs of neighbours whose pre-checks share their flags, each run with one pre-check that is
 * the union of its rules' (one scan of the text instead of one per rule). When the union fails on the
 * text, every pre-check in the run fails on it, no rule of the run changes the text, so skipping the
 * run is exactly what the rules' own pre-checks would do. Made on first use.
 */
let groups: Array<{ pre: RegExp | undefined; rules: Rule[] }> | undefined;

function ruleGroups(): Array<{ pre: RegExp | undefined; rules: Rule[] }> {
  if (groups) return groups;
  const out: Array<{ pre: RegExp | undefined; rules: Rule[] }> = [];
  let run: Rule[] = [];
  const close = (): void => {
    if (!run.length) return;
    const pres = run.map((r) => r.pre!);
    out.push({ pre: new RegExp(pres.map((p) => `(?:${p.source})`).join('|'), pres[0]!.flags), rules: run });
    run = [];
  };
  for (const r of RULES) {
    if (!r.pre) {
      close();
      out.push({ pre: undefined, rules: [r] });
      continue;
    }
    if (run.length && (run[0]!.pre!.flags !== r.pre.flags)) close();
    run.push(r);
  }
  close();
  return (groups = out);
}

function maskWith(text: string, preChecks: boolean): string {
  if (text.length < 6 || !TRIGGER.test(text)) return text;
  let out = text;
  if (!preChecks) {
    for (const r of RULES) out = applyRule(r, out);
    return out;
  }
  for (const g of ruleGroups()) {
    if (g.pre && !g.pre.test(out)) continue;
    // A rule runs on the text as the rules before it left it, so its pre-check does too.
    for (const r of g.rules) {
      if (r.lineLocal && r.pre) out = applyOnLines(r, r.pre, out);
      else if (!r.pre || r.pre.test(out)) out = applyRule(r, out);
    }
  }
  return out;
}

/** A global copy of each line-local rule's pre-check, to find its lines. */
const linesOf = new WeakMap<RegExp, RegExp>();

/** applyRule on each line where `pre` matches (a text with no newline: on the whole text, as before). */
function applyOnLines(r: Rule, pre: RegExp, text: string): string {
  if (text.indexOf('\n') < 0) return pre.test(text) ? applyRule(r, text) : text;
  let find = linesOf.get(pre);
  if (!find) linesOf.set(pre, (find = new RegExp(pre.source, `${pre.flags}g`)));
  find.lastIndex = 0;
  let out = '';
  let done = 0;
  for (let m = find.exec(text); m; m = find.exec(text)) {
    const start = text.lastIndexOf('\n', m.index) + 1;
    let end = text.indexOf('\n', m.index);
    if (end < 0) end = text.length;
    out += text.slice(done, start) + applyRule(r, text.slice(start, end));
    done = end;
    find.lastIndex = end;
  }
  return done === 0 ? text : out + text.slice(done);
}

function applyRule(r: Rule, text: string): string {
  r.re.lastIndex = 0;
  return text.replace(r.re, r.to as (substring: string, ...args: unknown[]) => string);
}

/** Mask every string inside a JSON-shaped value (keys too, for the odd `{"ghp_…": 1}`). Returns a copy. */
export function maskDeep<T>(value: T): T {
  if (typeof value === 'string') return maskSecrets(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // A field whose name says it holds a secret is masked whole, whatever its shape.
    out[maskSecrets(k)] = typeof v === 'string' && v.length > 0 && SECRET_FIELD.test(k) && !isReference(v) ? MASK : maskDeep(v);
  }
  return out as T;
}

const SECRET_FIELD = /^(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|client[_-]?secret|private[_-]?key|authorization)$/i;

/**
 * canonicalJson(maskDeep(value)) in one pass, without the masked copy: the same bytes (sorted keys,
 * no whitespace, undefined members left out and undefined array items as null). The ledger writes
 * every step's action and outcome this way. An object with a key that masking changes (rare: a key
 * that is itself a token) takes the slow path, the masked copy, so the result is exactly what the copy gives.
 */
export function maskedCanonicalJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(maskSecrets(value));
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // The pieces, joined once: the result is one flat string (the ledger sends it to its writer
  // thread, which would otherwise flatten a tree of concatenations first).
  const out: string[] = [];
  emitMasked(value, out);
  return out.join('');
}

function emitMasked(value: unknown, out: string[]): void {
  if (typeof value === 'string') {
    out.push(JSON.stringify(maskSecrets(value)));
    return;
  }
  if (value === null || typeof value !== 'object') {
    out.push(JSON.stringify(value) ?? 'null');
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i) out.push(',');
      const v: unknown = value[i];
      if (v === undefined) out.push('null');
      else emitMasked(v, out);
    }
    out.push(']');
    return;
  }
  // The keys sorted in place; no entry pairs, no set. Keys that masking leaves alone cannot collide
  // (an object's keys are distinct) and sort as the masked keys do; an object with a key that
  // masking changes (or an own `__proto__`) is written from its masked copy instead.
  const obj = value as Record<string, unknown>;
  const keys = sortedKeys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k === '__proto__' || maskSecrets(k) !== k) {
      out.push(canonicalOf(maskDeep(value)));
      return;
    }
  }
  out.push('{');
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = obj[k];
    if (v === undefined) continue;
    out.push(first ? `${JSON.stringify(k)}:` : `,${JSON.stringify(k)}:`);
    first = false;
    if (typeof v === 'string' && v.length > 0 && SECRET_FIELD.test(k) && !isReference(v)) out.push(`"${MASK}"`);
    else emitMasked(v, out);
  }
  out.push('}');
}

/** Own enumerable keys in code-unit order (what `<` and the default sort give), sorted in place: insertion sort for the usual few. */
function sortedKeys(obj: Record<string, unknown>): string[] {
  const keys = Object.keys(obj);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/** canonicalJson (core/hash.ts) for the rare slow path above, kept here so masking stays import-free. */
function canonicalOf(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalOf(v === undefined ? null : v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalOf(obj[k])}`).join(',')}}`;
}
