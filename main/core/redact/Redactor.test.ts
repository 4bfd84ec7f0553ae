import { describe, expect, it } from 'vitest';
import { LineRedactor, REDACTED, Redactor, isSecretName, memoizeRedact } from './Redactor';

const redactor = new Redactor();

// Each case: a line as it appears in logs, shell history, configs or curl output, and the
// secret inside it that must never be shown.
const SECRETS: ReadonlyArray<readonly [string, string]> = [
  // IBKR FA account patterns (runbook: Security Check Failures)
  ['2026-11-26 14:03:11 INFO order routed fa=DU1234567 qty=10', 'DU1234567'],
  ['placing allocation FA=AllocGroupAlpha for AAPL', 'AllocGroupAlpha'],
  ['FA account: F1234567 rebalanced', 'F1234567'],
  ['fa_account_id=U7654321', 'U7654321'],
  ['ibkr: sub-account U2345678 margin ok', 'U2345678'],
  ['{"fa_group": "growth", "accounts": ["DU1111111", "DU2222222"]}', 'DU2222222'],
  ['IBKR account DU9876543 connected via gateway', 'DU9876543'],
  // API keys by the runbook's variable names
  ['COINGECKO_API_KEY=CG-x8Qw2rT5yU7iO9pA1sD3', 'CG-x8Qw2rT5yU7iO9pA1sD3'],
  ['export ALPACA_API_KEY="PKZ7Q2W8E4R6T1Y3U5I9"', 'PKZ7Q2W8E4R6T1Y3U5I9'],
  ["ALPACA_SECRET_KEY='sEcReT/with+slash=='", 'sEcReT/with+slash=='],
  ['GROQ_API_KEY=gsk_abcdefghijklmnopqrstuvwxyz0123', 'gsk_abcdefghijklmnopqrstuvwxyz0123'],
  ['ETHERSCAN_API_KEY: 7Y3KQ9ZP2M8X6C4V1B5N0', '7Y3KQ9ZP2M8X6C4V1B5N0'],
  ['Environment=ETHERSCAN_API_KEY=abc123def456', 'abc123def456'],
  ['ETHEREUM_RPC_URL=https://rpcuser:rpcpass99@rpc.internal:8545', 'rpcpass99'],
  ['ETHEREUM_RPC_URL=https://mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161', '9aa3d95b3bc440fa88ea12eaa4456161'],
  ['using https://eth-mainnet.g.alchemy.com/v2/Xy7_k2LmN0pQrStUvWxYz123', 'Xy7_k2LmN0pQrStUvWxYz123'],
  // Alpaca headers as curl -v prints them and as the runbook writes them
  ['> APCA-API-KEY-ID: PKABCDEFGHIJKLMNOPQR', 'PKABCDEFGHIJKLMNOPQR'],
  ['curl -H "APCA-API-SECRET-KEY: hunter2secretvalue" https://paper-api.alpaca.markets', 'hunter2secretvalue'],
  // Questrade refresh token file
  [
    '{"access_token": "C3lTUKuNQrAAmSD/TPjuV/HI7aNrAwDp", "refresh_token": "aSBe7wAAdx88QTbwut0tiu3SYic3ox8F", "api_server": "https://api01.iq.questrade.com/"}',
    'aSBe7wAAdx88QTbwut0tiu3SYic3ox8F',
  ],
  ['{"access_token": "C3lTUKuNQrAAmSD/TPjuV/HI7aNrAwDp"}', 'C3lTUKuNQrAAmSD/TPjuV/HI7aNrAwDp'],
  // generic names
  ['DB_PASSWORD=correct-horse-battery', 'correct-horse-battery'],
  ['password=hunter2', 'hunter2'],
  ['  password: "p@ss w0rd"', 'p@ss w0rd'],
  ['WEBHOOK_SECRET=whsec_123456789', 'whsec_123456789'],
  ['SLACK_TOKEN=tok-98765', 'tok-98765'],
  ['GET /v1/prices?symbol=BTC&apikey=QWERTY12345&limit=5', 'QWERTY12345'],
  ['connecting with apiKey=abcdEFGH1234', 'abcdEFGH1234'],
  ['MY_SERVICE_KEY = spaced-value-42', 'spaced-value-42'],
  // common formats, wherever they appear
  ['aws configured with AKIAIOSFODNN7EXAMPLE in us-east-1', 'AKIAIOSFODNN7EXAMPLE'],
  ['cloning with ghp_16C7e42F292c6912E7710c838347Ae178B4a into /opt', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
  ['notify via xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'],
  [
    'session eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U accepted',
    'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  ],
  ['Authorization: Bearer abc.def.ghi-jkl_mno', 'abc.def.ghi-jkl_mno'],
  ['curl -H "Authorization: Basic dXNlcjpwYXNz" http://localhost:8000', 'dXNlcjpwYXNz'],
  ['retrying with bearer 0123456789abcdef0123', '0123456789abcdef0123'],
  ['redis://default:r3d1sPass@10.0.0.5:6379/0', 'r3d1sPass'],
  ['postgres://trader:tr4der!@db:5432/autotrader', 'tr4der!'],
  ['OPENAI key sk-proj-abcdefghijklmnopqrstuvwx', 'sk-proj-abcdefghijklmnopqrstuvwx'],
  // what the test fleet's autotrader services really log and keep in their environment file
  ['2026-11-26 14:03:11,201 INFO workers: alerts worker webhook token=Bearer sk-opsdeck-testbed-0123456789abcdef', 'sk-opsdeck-testbed-0123456789abcdef'],
  ['INFO ingestion: blockscout request headers Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.b3BzZGVjay10ZXN0YmVk.c2lnbmF0dXJl', 'b3BzZGVjay10ZXN0YmVk'],
  ['INFO ingestion: coingecko client configured COINGECKO_API_KEY=CG-opsdeckTestbedKey7Qm2xR9', 'CG-opsdeckTestbedKey7Qm2xR9'],
  ['INFO ingestion: ibkr gateway session opened fa=DU1234567 port=4001', 'DU1234567'],
  ['IBKR_FA_ACCOUNT=DU1234567', 'DU1234567'],
  ['  "fa_account": "DU1234567",', 'DU1234567'],
  ['ALPACA_SECRET_KEY=opsdeck-testbed-alpaca-secret-9f1c2d3e4b5a', 'opsdeck-testbed-alpaca-secret-9f1c2d3e4b5a'],
  ['ALPACA_API_KEY=PKOPSDECKTESTBED00042', 'PKOPSDECKTESTBED00042'],
];

// Ordinary ops text: timestamps, PIDs, commit hashes, unit names, journal and systemctl output,
// and the runbook's own snippets, which name secret variables but hold no secret.
const ORDINARY = [
  '2026-11-26T14:16:15.123Z autotrader-api[1234]: GET /api/health/overview 200 12ms',
  'Nov 26 14:16:15 host-1 systemd[1]: Started autotrader-ingestion.service - Autotrader ingestion.',
  '     Main PID: 48211 (python3)',
  '   Active: active (running) since Thu 2026-11-26 14:01:02 UTC; 15min ago',
  'commit e83296e4f1c2b7a9d0e3f5a6b8c1d2e3f4a5b6c7',
  'HEAD is now at 9fceb02 Skeleton: pinned toolchain',
  'worker:scanner:queue 42',
  'update_frequency_seconds: 60  # raised during the incident',
  'ibkr_fa_scrubbing: true',
  'echo $COINGECKO_API_KEY',
  'curl -H "APCA-API-KEY-ID: $ALPACA_API_KEY" https://paper-api.alpaca.markets/v2/account',
  'grep -i "fa=" /var/log/autotrader/*.log',
  'export WORKER_COUNT=4',
  'systemctl restart autotrader-workers',
  'journalctl -u autotrader-ingestion --since "1 hour ago" | grep ERROR',
  'tcp   LISTEN 0  128  127.0.0.1:4001  0.0.0.0:*  users:(("java",pid=2301,fd=45))',
  'sha256:4f9c2e1d8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0',
  'circuit breaker coingecko_api OPEN failures=5 recovery_timeout=60',
  'rate limit usage 82% (410/500) reset in 34s',
  'build U1234567 finished', // an account-shaped code with no IBKR or account words around it
  '    "token_expires_at": "2026-11-20T00:00:00Z",',
  'api_key_validation: true',
  '"questrade": { "status": "error", "token_expires_at": "2026-11-20T00:00:00Z" }',
  'QUESTRADE_TOKEN_FILE=/root/.config/autotrader/questrade_token.json',
  'require_auth: false',
];

describe('Redactor', () => {
  it.each(SECRETS)('hides the secret in %s', (line, secret) => {
    const out = redactor.redact(line);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it.each(ORDINARY)('leaves ordinary text alone: %s', (line) => {
    expect(redactor.redact(line)).toBe(line);
  });

  it('keeps the name of a redacted variable so the reader knows what was there', () => {
    expect(redactor.redact('export ALPACA_SECRET_KEY="abc123"')).toBe(`export ALPACA_SECRET_KEY=${REDACTED}`);
    expect(redactor.redact('order fa=DU1234567 filled')).toBe(`order fa=${REDACTED} filled`);
    expect(redactor.redact('https://bob:pw@rpc.example:8545/')).toBe(`https://${REDACTED}@rpc.example:8545/`);
  });

  it('hides every line of a PEM private key block and keeps the text around it', () => {
    const text = [
      'deploy key follows:',
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
      'QyNTUxOQAAACDx2Tq6aQ4bJ0w1Yh0p2l7yU0w8s9p7m6n5b4v3c2x1zQAAAJgAAAAAAAAA',
      '-----END OPENSSH PRIVATE KEY-----',
      'done at 14:16:15',
    ].join('\n');
    const out = redactor.redact(text);
    expect(out).not.toContain('b3BlbnNzaC1rZXktdjE');
    expect(out).not.toContain('QyNTUxOQAAACDx2Tq6aQ4bJ0w1');
    expect(out.split('\n')).toEqual([
      'deploy key follows:',
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      REDACTED,
      REDACTED,
      '-----END OPENSSH PRIVATE KEY-----',
      'done at 14:16:15',
    ]);
    const rsa = redactor.redact('key="-----BEGIN RSA PRIVATE KEY-----MIIEow-----END RSA PRIVATE KEY-----" ok');
    expect(rsa).not.toContain('MIIEow');
  });

  it('hides the rest of the text after a private key that never ends', () => {
    const out = redactor.redact('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg\nMore\n');
    expect(out).not.toContain('MHcCAQEEIBkg');
    expect(out).not.toContain('More');
  });

  it('names secrets by their segments, not by substrings', () => {
    expect(isSecretName('ALPACA_API_KEY')).toBe(true);
    expect(isSecretName('APCA-API-KEY-ID')).toBe(true);
    expect(isSecretName('refreshToken')).toBe(true);
    expect(isSecretName('monkey')).toBe(false);
    expect(isSecretName('WORKER_COUNT')).toBe(false);
    expect(isSecretName('update_frequency_seconds')).toBe(false);
    expect(isSecretName('token_expires_at')).toBe(false);
    expect(isSecretName('ALPACA_API_KEY_ID')).toBe(true);
  });

  it('survives megabyte-long hostile lines and still redacts what follows them', () => {
    // Inputs shaped against each pattern's prefix. The patterns are written to be linear (see
    // the note at the top of Redactor.ts); if one regressed to quadratic, this test would hang
    // past vitest's timeout instead of passing.
    const hostile = [
      'a-'.repeat(500_000),
      'a.'.repeat(500_000) + '://',
      '"a":'.repeat(250_000),
      'x'.repeat(1_000_000),
      'fa='.repeat(300_000),
      'KEY_'.repeat(250_000) + ' ',
      'eyJa.'.repeat(200_000),
      ' \t'.repeat(500_000) + '=',
      'a='.repeat(500_000),
      'Environment=A=B=' + 'c='.repeat(500_000),
    ];
    for (const line of hostile) {
      const out = redactor.redact(`${line} password=s3cr3t`);
      expect(out.endsWith(`password=${REDACTED}`)).toBe(true);
    }
  });
});

describe('text no rule can match (Redactor.redact returns it without running the rules)', () => {
  // Strings a health API sends fresh every poll. redactLine runs every rule with no short cut,
  // so if a rule is ever added that could change such text, this fails and says which.
  const random = (seed: number) => () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const next = random(7);
  const alphabet = '0123456789 -_:=./@"\',;&()[]{}+#$%!?*<>|~\t\n\u00e9\u0130\u212a';
  const letterFree = Array.from({ length: 2000 }, () =>
    Array.from({ length: 1 + Math.floor(next() * 40) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
  );
  // what a future rule for numbers (cards, phone numbers, addresses) would match
  letterFree.push('4111111111111111', '4111 1111 1111 1111', '123-45-6789', '+1 (555) 010-9999', '10.0.0.1:8080', '0x12', '"": ""', '_=1');
  const timestamps = Array.from({ length: 500 }, () => new Date(Math.floor(next() * 4e12)).toISOString());
  timestamps.push('2026-11-26T23:55:03Z', '2026-11-26T23:55:03.123456+05:30', '2026-11-26T23:55:03-08:00');
  it.each([
    ['letter-free strings', letterFree],
    ['ISO-8601 timestamps', timestamps],
  ])('the rules leave %s unchanged', (_kind, texts) => {
    const changed = texts.filter((text) => text.split('\n').some((line) => redactor.redactLine(line, { inPrivateKey: false }) !== line));
    expect(changed).toEqual([]);
    expect(texts.filter((text) => redactor.redact(text) !== text)).toEqual([]);
  });

  it('still runs the rules on text that only looks close', () => {
    expect(redactor.redact('2026-11-26T23:55:03Z token=abc123')).toBe(`2026-11-26T23:55:03Z token=${REDACTED}`);
    expect(redactor.redact('T=1 key=12345678')).toBe(`T=1 key=${REDACTED}`);
    expect(redactor.redact('ghp_123456789012345678901234567890123456')).toBe(REDACTED);
  });
});

describe('LineRedactor', () => {
  const text = [
    '2026-11-26T14:16:15Z start',
    'export ALPACA_API_KEY="PKZ7Q2W8E4R6T1Y3U5I9"',
    'order fa=DU1234567 placed',
    '-----BEGIN PRIVATE KEY-----',
    'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
    '-----END PRIVATE KEY-----',
    'done',
  ].join('\n');

  it('gives the same result as whole-text redaction wherever the stream is cut', () => {
    const whole = redactor.redact(text).split('\n');
    for (let cut = 0; cut <= text.length; cut++) {
      const stream = new LineRedactor(redactor);
      const lines = [...stream.push(text.slice(0, cut)), ...stream.push(text.slice(cut)), ...stream.end()];
      expect(lines).toEqual(whole);
    }
  });

  it('releases only whole lines and keeps the unterminated tail until more arrives', () => {
    const stream = new LineRedactor(redactor);
    expect(stream.push('GROQ_API_KEY=gsk_abcdefghij')).toEqual([]);
    expect(stream.push('klmnopqrstuvwxyz\r\nnext')).toEqual([`GROQ_API_KEY=${REDACTED}`]);
    expect(stream.end()).toEqual(['next']);
    expect(stream.end()).toEqual([]);
  });

  it('cuts an over-long line with a visible marker and never shows half a secret', () => {
    const stream = new LineRedactor(redactor, { maxLineLength: 40 });
    const line = 'ok 2026 ' + 'TOKEN=' + 'z'.repeat(60) + ' tail';
    const [out] = stream.push(line + '\n');
    expect(out).toBe('ok 2026  … [39 more characters cut]');
    expect(stream.push('next line\n')).toEqual(['next line']);
  });
});

describe('redactDeep', () => {
  it('scrubs every string of structured data, keys included, and keeps numbers and shape', async () => {
    const { redactDeep } = await import('./Redactor');
    const redactor = new Redactor();
    const hostile = {
      detail: 'login failed for fa=DU1234567',
      list: ['ok', 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz123456'],
      'GROQ_API_KEY=gsk_0123456789abcdefghijklmnopqrstuvwxyz': 3,
      n: 42,
      nested: { ok: true, none: null },
    };
    const out = JSON.stringify(redactDeep(hostile, (text) => redactor.redact(text)));
    expect(out).not.toContain('DU1234567');
    expect(out).not.toContain('abcdefghijklmnopqrstuvwxyz123456');
    expect(out).not.toContain('gsk_0123456789');
    expect(out).toContain('"n":42');
    expect(out).toContain('"nested":{"ok":true,"none":null}');
  });

  it('a field a hostile API names "__proto__" stays a field with its value redacted, and the prototype is untouched', async () => {
    const { redactDeep } = await import('./Redactor');
    const redactor = new Redactor();
    const hostile = JSON.parse('{"__proto__": {"detail": "fa=DU1234567", "polluted": true}, "ok": ["a"]}') as Record<string, unknown>;
    const out = redactDeep(hostile, (text) => redactor.redact(text)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(['__proto__', 'ok']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"detail":"fa=[REDACTED]","polluted":true},"ok":["a"]}');
  });
});

describe('memoizeRedact (the health poller redacts through it)', () => {
  it('answers exactly as the Redactor does, secrets included, the first time and every time after', () => {
    const memo = memoizeRedact((text) => redactor.redact(text));
    for (let round = 0; round < 3; round++) {
      for (const [line, secret] of SECRETS) {
        const out = memo(line);
        expect(out).toBe(redactor.redact(line));
        expect(out).not.toContain(secret);
      }
    }
  });

  it('redacts a repeated string once, and a string longer than the limit every time', () => {
    const seen: string[] = [];
    const memo = memoizeRedact((text) => (seen.push(text), redactor.redact(text)), { maxLength: 40 });
    const long = `detail ${'x'.repeat(40)} token=abcdef123456`;
    for (let i = 0; i < 5; i++) {
      expect(memo('HEALTHY')).toBe('HEALTHY');
      expect(memo(long)).not.toContain('abcdef123456');
    }
    expect(seen.filter((s) => s === 'HEALTHY')).toHaveLength(1);
    expect(seen.filter((s) => s === long)).toHaveLength(5);
  });

  it('holds a fixed number of strings: a stream of one-off strings (timestamps) pushes old ones out', () => {
    const seen: string[] = [];
    const memo = memoizeRedact((text) => (seen.push(text), text), { entries: 10 });
    memo('first');
    for (let i = 0; i < 100; i++) memo(`2026-11-26T17:00:${String(i).padStart(2, '0')}Z`);
    memo('first');
    // asked again: it was dropped with its generation, so at most 2 x 10 strings are held
    expect(seen.filter((s) => s === 'first')).toHaveLength(2);
  });
});
