/** Secret masking before storage: real-shaped samples are masked, ordinary code is not. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MASK, maskDeep, maskSecrets } from '../../src/core/mask';

// Real-shaped, made-up values (built from pieces so no scanner mistakes this file for a leak).
const rnd = (alphabet: string, n: number, seed = 7): string => {
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += alphabet[x % alphabet.length];
  }
  return s;
};
const AN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64U = `${AN}-_`;

const secrets: Array<[string, string, string]> = [
  // [label, text, secret that must disappear]
  ['AWS access key id', `aws configure set aws_access_key_id AKIA${rnd(UP, 16)}`, `AKIA${rnd(UP, 16)}`],
  ['AWS temporary key id', `export AWS_ACCESS_KEY_ID=ASIA${rnd(UP, 16, 3)}`, `ASIA${rnd(UP, 16, 3)}`],
  ['AWS secret env', `AWS_SECRET_ACCESS_KEY=${rnd(AN, 40, 5)} aws s3 ls`, rnd(AN, 40, 5)],
  ['GitHub classic PAT', `git clone https://x-access-token:ghp_${rnd(AN, 36)}@github.com/o/r.git`, `ghp_${rnd(AN, 36)}`],
  ['GitHub PAT bare', `gh auth login --with-token <<< ghp_${rnd(AN, 36, 11)}`, rnd(AN, 36, 11)],
  ['GitHub OAuth', `token: gho_${rnd(AN, 36, 12)}`, rnd(AN, 36, 12)],
  ['GitHub fine-grained', `GH_TOKEN=github_pat_11${rnd(AN, 20, 13)}_${rnd(AN, 59, 14)} gh pr list`, rnd(AN, 59, 14)],
  ['Slack bot token', `curl -H "Authorization: Bearer xoxb-${rnd('0123456789', 12)}-${rnd('0123456789', 13)}-${rnd(AN, 24)}" https://slack.com/api/chat.postMessage`, rnd(AN, 24)],
  ['Slack user token in JSON', `{"slack":"xoxp-${rnd('0123456789', 11)}-${rnd(AN, 30, 9)}"}`, rnd(AN, 30, 9)],
  ['Slack webhook', `curl -X POST https://hooks.slack.com/services/T${rnd(UP, 8)}/B${rnd(UP, 10)}/${rnd(AN, 24, 2)} -d '{}'`, rnd(AN, 24, 2)],
  ['Stripe live secret', `stripe.api_key = "sk_live_${rnd(AN, 24)}"`, rnd(AN, 24)],
  ['Stripe restricted', `STRIPE=rk_live_${rnd(AN, 30, 4)}`, rnd(AN, 30, 4)],
  ['OpenAI project key', `OPENAI_API_KEY=sk-proj-${rnd(B64U, 48)} python app.py`, rnd(B64U, 48)],
  ['OpenAI legacy key in code', `client = OpenAI(api_key="sk-${rnd(AN, 48, 21)}")`, rnd(AN, 48, 21)],
  ['Anthropic key', `curl https://api.anthropic.com/v1/messages -H "x-api-key: sk-ant-api03-${rnd(B64U, 93)}AA"`, rnd(B64U, 93)],
  ['Anthropic key bare', `echo sk-ant-api03-${rnd(B64U, 60, 8)} | pbcopy`, rnd(B64U, 60, 8)],
  ['JWT', `curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${rnd(B64U, 43)}' localhost:3000/me`, rnd(B64U, 43)],
  ['JWT bare', `const t = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhY21lIiwiZXhwIjoxfQ.${rnd(B64U, 86, 17)}";`, rnd(B64U, 86, 17)],
  ['Google API key', `https://maps.googleapis.com/maps/api/geocode/json?address=x&key=AIza${rnd(B64U, 35)}`, rnd(B64U, 35)],
  ['GitLab PAT', `git remote set-url origin https://oauth2:glpat-${rnd(B64U, 20)}@gitlab.com/g/p.git`, rnd(B64U, 20)],
  ['npm token', `//registry.npmjs.org/:_authToken=npm_${rnd(AN, 36)}`, rnd(AN, 36)],
  ['Hugging Face token', `huggingface-cli login --token hf_${rnd('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 34)}`, rnd('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 34)],
  ['RSA private key', `-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA${rnd(AN, 64)}\n${rnd(AN, 64, 3)}\n-----END RSA PRIVATE KEY-----\n`, rnd(AN, 64, 3)],
  ['OpenSSH private key', `cat > ~/.ssh/id_ed25519 <<EOF\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA${rnd(AN, 60)}\n-----END OPENSSH PRIVATE KEY-----\nEOF`, rnd(AN, 60)],
  ['PKCS8 key cut off', `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC${rnd(AN, 40, 19)}`, rnd(AN, 40, 19)],
  ['postgres URL', 'psql postgres://app:S3cr3t-Pa55@db.internal:5432/prod -c "select 1"', 'S3cr3t-Pa55'],
  ['postgresql URL in env', 'DATABASE_URL=postgresql://admin:hunter2@localhost/app npm start', 'hunter2'],
  ['mongodb+srv URL', 'mongosh "mongodb+srv://root:Tr0ub4dor@cluster0.abcde.mongodb.net/test"', 'Tr0ub4dor'],
  ['redis URL', "const r = new Redis('redis://:redispass123@cache:6379/0')", 'redispass123'],
  ['amqp URL', 'AMQP_URL=amqp://guest:guestpw9@rabbit:5672/', 'guestpw9'],
  ['https basic auth URL', 'curl https://deploy:Zx9!qwe@artifacts.example.com/upload -T a.tgz', 'Zx9!qwe'],
  ['PGPASSWORD', 'PGPASSWORD=pa55word psql -h db -U app -c "drop table x"', 'pa55word'],
  ['PGPASSWORD quoted', "PGPASSWORD='my secret pw' pg_dump prod > dump.sql", 'my secret pw'],
  ['MYSQL_PWD', 'MYSQL_PWD=rootpw mysql -uroot', 'rootpw'],
  ['mysql -p', 'mysql -u root -pS3cretRoot -h 127.0.0.1 shop -e "DELETE FROM orders"', 'S3cretRoot'],
  ['mysqldump -p quoted', "mysqldump -uadmin -p'dump pw' --all-databases > all.sql", 'dump pw'],
  ['sshpass', 'sshpass -p Winter2024 ssh deploy@host uptime', 'Winter2024'],
  ['redis-cli -a', 'redis-cli -h cache -a r3disAuth FLUSHALL', 'r3disAuth'],
  ['curl -u', 'curl -u admin:Adm1nPass https://jenkins.local/api/json', 'Adm1nPass'],
  ['--password=', 'docker login --username bot --password=D0ckerPw registry.io', 'D0ckerPw'],
  ['--token space', 'vault login --token s.abcdEFGH1234ijkl', 's.abcdEFGH1234ijkl'],
  ['--client-secret', 'az login --service-principal -u app --client-secret "Az~Secret.123" --tenant t', 'Az~Secret.123'],
  ['.env file', `NODE_ENV=production\nDB_PASSWORD=c0rrect-horse\nSESSION_SECRET=${rnd(AN, 32, 30)}\nPORT=3000\n`, 'c0rrect-horse'],
  ['.env file 2', `NODE_ENV=production\nDB_PASSWORD=c0rrect-horse\nSESSION_SECRET=${rnd(AN, 32, 30)}\nPORT=3000\n`, rnd(AN, 32, 30)],
  ['query string token', 'curl "https://api.example.com/v1/items?limit=10&access_token=abc123def456&page=2"', 'abc123def456'],
  ['password= config', 'password=letmein42', 'letmein42'],
  ['JSON password', '{"user":"app","password":"jsonPw!77"}', 'jsonPw!77'],
  ['YAML password', 'database:\n  user: app\n  password: yamlPw99\n', 'yamlPw99'],
  ['YAML client_secret', 'oauth:\n  client_secret: "cl1ent-s3cret"\n', 'cl1ent-s3cret'],
  ['code literal', 'const apiKey = "live-key-0123456789";', 'live-key-0123456789'],
  ['python literal', 'SECRET_KEY = "django-insecure-abc123!@#"', 'django-insecure-abc123!@#'],
  ['Authorization Basic header', 'GET / HTTP/1.1\nAuthorization: Basic dXNlcjpwYXNzd29yZA==\n', 'dXNlcjpwYXNzd29yZA=='],
  ['Authorization Token header', "requests.get(u, headers={'Authorization': 'Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b'})", '9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b'],
  ['x-api-key header', "curl -H 'X-API-Key: k_9f8e7d6c5b4a' https://api.example.com", 'k_9f8e7d6c5b4a'],
  ['SQL CREATE USER', "CREATE USER app WITH PASSWORD 'SqlPw#1';", 'SqlPw#1'],
  ['SQL IDENTIFIED BY', "CREATE USER 'app'@'%' IDENTIFIED BY 'MyPw$2';", 'MyPw$2'],
  ['SQL ALTER ROLE', "ALTER ROLE reporting PASSWORD 'r3port!';", 'r3port!'],
  ['SendGrid key', `SG.${rnd(B64U, 22)}.${rnd(B64U, 43, 2)}`, rnd(B64U, 43, 2)],
];

const negatives: string[] = [
  'const token = getToken();',
  'let password = prompt("Password:");',
  'password = input("pw: ")',
  'const secret = process.env.SECRET;',
  'token: this.token,',
  'interface Login { password: string; token?: string }',
  'def login(username: str, password: str) -> bool:',
  'if (token == expected) return true;',
  'if token != expected: raise',
  'PGPASSWORD=$DB_PASS psql -h db',
  'PGPASSWORD="${PGPASS}" psql',
  'export GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }}',
  'max_tokens=4096',
  '{"max_tokens": 1024, "model": "claude-sonnet-4-5"}',
  'tokenizer = AutoTokenizer.from_pretrained("bert")',
  'author=Jane',
  'cd $PWD && ls',
  'PWD=/home/user/project make',
  'npm run build && npm test',
  'git push -u origin main',
  'ssh git@github.com',
  'git clone git@github.com:org/repo.git',
  'curl http://localhost:8080/api?id=5',
  'mysql -u root -p shop',
  'psql postgres://app@db/prod',
  'psql postgres://$USER:$PGPASSWORD@db/prod',
  'SELECT password_hash FROM users WHERE id = 1',
  'rm -rf build && echo done',
  'The token budget is exhausted; ask the person to raise it.',
  'password: ""',
  'secret: Secret',
  'sk-learn is not a package name; use scikit-learn',
  'docker run -u 1000:1000 alpine id',
  'const keyboard = event.key;',
];

describe('secret masking', () => {
  for (const [label, text, secret] of secrets) {
    it(`masks: ${label}`, () => {
      const out = maskSecrets(text);
      assert.ok(!out.includes(secret), `${label}: still contains the secret: ${out}`);
      assert.ok(out.includes(MASK), `${label}: no mask marker: ${out}`);
    });
  }

  it('keeps the context around a secret (scheme, user, host, command)', () => {
    assert.equal(maskSecrets('psql postgres://app:S3cr3t@db:5432/prod'), 'psql postgres://app:***@db:5432/prod');
    assert.equal(maskSecrets('PGPASSWORD=pa55 psql -h db'), 'PGPASSWORD=*** psql -h db');
    assert.equal(maskSecrets('mysql -uroot -pS3cret shop'), 'mysql -uroot -p*** shop');
    assert.equal(maskSecrets(`use ghp_${rnd(AN, 36)} now`), 'use ghp_*** now');
    assert.equal(maskSecrets(`AKIA${rnd(UP, 16)}`), 'AKIA***');
    assert.equal(maskSecrets("CREATE USER a WITH PASSWORD 'x1';"), "CREATE USER a WITH PASSWORD '***';");
  });

  for (const text of negatives) {
    it(`leaves ordinary text alone: ${text}`, () => {
      assert.equal(maskSecrets(text), text);
    });
  }

  it('masks inside nested JSON values and fields named as secrets, and is idempotent', () => {
    const action = { kind: 'mcp', server: 'db', tool: 'connect', args: { url: 'postgres://u:pw123@h/d', password: 'plainpw', token: '$TOKEN', nested: [{ note: 'PGPASSWORD=abc123 psql' }] } };
    const m = maskDeep(action);
    assert.deepEqual(m, { kind: 'mcp', server: 'db', tool: 'connect', args: { url: 'postgres://u:***@h/d', password: MASK, token: '$TOKEN', nested: [{ note: 'PGPASSWORD=*** psql' }] } });
    assert.equal(action.args.password, 'plainpw', 'the input is not modified');
    assert.deepEqual(maskDeep(m), m);
    for (const [, text] of secrets) assert.equal(maskSecrets(maskSecrets(text)), maskSecrets(text));
  });
});
