// The secret corpus: lines as they appear in health answers, logs, configs, shell history and
// curl output, each carrying one secret of a real provider's shape (the shapes the public
// secret-scanning rule sets, gitleaks and trufflehog, detect), and innocent look-alikes that
// must pass unchanged (order ids, hashes, UUIDs, host names, ARNs, image digests). The secret
// values are generated from a fixed seed, so no real-looking key is committed and the corpus is
// the same on every run. Shared by the Redactor's test and the end-to-end suite.

export interface SecretCase {
  /** what kind of secret, for the report */
  readonly kind: string;
  readonly text: string;
  /** the part that must never be shown */
  readonly secret: string;
}

function generator(seed: number) {
  let state = seed;
  const next = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return (alphabet: string, length: number): string => Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
}

const gen = generator(20261206);
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const UPNUM = UPPER + DIGITS;
const LOWNUM = LOWER + DIGITS;
const HEX = '0123456789abcdef';
const URLSAFE = `${ALNUM}_-`;
const B64 = `${ALNUM}+/`;
const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';

const an = (n: number) => gen(ALNUM, n);
const hex = (n: number) => gen(HEX, n);
const up = (n: number) => gen(UPNUM, n);

/** A case whose secret is the whole token. */
const token = (kind: string, secret: string, line: (s: string) => string): SecretCase => ({ kind, text: line(secret), secret });

const awsKey = `AKIA${up(16)}`;
const awsSecret = gen(B64, 40);

export const SECRET_CASES: readonly SecretCase[] = [
  // cloud providers
  token('aws access key id', awsKey, (s) => `aws configure set aws_access_key_id ${s}`),
  token('aws access key id', `ASIA${up(16)}`, (s) => `assumed role, temporary key ${s} expires in 1h`),
  token('aws access key id', `AKIA${up(16)}`, (s) => `{"AccessKeyId": "${s}"}`),
  token('aws access key id', `AROA${up(16)}`, (s) => `role id ${s}`),
  { kind: 'aws key split by a zero-width space', text: `key ${awsKey.slice(0, 4)}\u200B${awsKey.slice(4)} in use`, secret: awsKey.slice(4) },
  {
    kind: 'aws key in full-width letters',
    text: `key ${[...awsKey].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('')} in use`,
    secret: [...awsKey.slice(4)].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join(''),
  },
  token('aws secret access key', awsSecret, (s) => `aws_secret_access_key = ${s}`),
  token('aws secret access key', gen(B64, 40), (s) => `aws_secret_access_key ${s}`),
  token('aws secret access key', gen(B64, 40), (s) => `AWS_SECRET_ACCESS_KEY: "${s}"`),
  token('alibaba access key', `LTAI${an(20)}`, (s) => `aliyun key ${s}`),
  token('google api key', `AIza${gen(URLSAFE, 35)}`, (s) => `maps?key=${s}`),
  token('google api key', `AIza${gen(URLSAFE, 35)}`, (s) => `geocoder failed with ${s}: quota`),
  token('google oauth client secret', `GOCSPX-${gen(URLSAFE, 28)}`, (s) => `client secret ${s}`),
  token('google oauth access token', `ya29.${gen(URLSAFE, 60)}`, (s) => `using ${s}`),
  token('gcp service account key', gen(B64, 64), (s) => `"private_key": "${s}"`),
  token('digitalocean token', `dop_v1_${hex(64)}`, (s) => `doctl auth init -t ${s}`),
  token('digitalocean oauth', `doo_v1_${hex(64)}`, (s) => `refresh with ${s}`),
  token('heroku api key', `HRKU-${gen(URLSAFE, 60)}`, (s) => `heroku token ${s}`),
  token('vault token', `hvs.${gen(URLSAFE, 90)}`, (s) => `VAULT_TOKEN ${s}`),
  token('vault batch token', `hvb.${gen(URLSAFE, 120)}`, (s) => `issued ${s}`),
  token('terraform cloud token', `${gen(LOWNUM, 14)}.atlasv1.${gen(URLSAFE, 67)}`, (s) => `credentials "app.terraform.io" { token = "${s}" }`),
  token('databricks token', `dapi${gen('abcdefgh0123456789', 32)}`, (s) => `databricks configure ${s}`),
  token('doppler token', `dp.pt.${an(43)}`, (s) => `doppler ${s}`),
  token('supabase token', `sbp_${hex(40)}`, (s) => `supabase login ${s}`),
  token('pulumi token', `pul-${hex(40)}`, (s) => `PULUMI_ACCESS_TOKEN ${s}`),
  token('new relic key', `NRAK-${up(27)}`, (s) => `newrelic ${s}`),
  token('grafana service account token', `glsa_${an(32)}_${hex(8)}`, (s) => `grafana ${s}`),
  token('grafana cloud token', `glc_${gen(B64, 48)}`, (s) => `grafana-cloud ${s}`),
  token('dynatrace token', `dt0c01.${up(24)}.${up(64)}`, (s) => `dynatrace ${s}`),
  token('cloudflare origin ca key', `v1.0-${hex(24)}-${hex(146)}`, (s) => `origin ca ${s}`),
  token('fly.io token', `fo1_${gen(URLSAFE, 43)}`, (s) => `fly ${s}`),
  token('azure storage key', `${gen(B64, 86)}==`, (s) => `DefaultEndpointsProtocol=https;AccountName=at;AccountKey=${s};EndpointSuffix=core.windows.net`),
  token('azure sas key', `${gen(B64, 43)}=`, (s) => `Endpoint=sb://at.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=${s}`),
  // source hosting and package registries
  token('github pat', `ghp_${an(36)}`, (s) => `git clone https://${s}@github.com/acme/at`),
  token('github oauth', `gho_${an(36)}`, (s) => `gh auth ${s}`),
  token('github user-to-server', `ghu_${an(36)}`, (s) => `token ${s}`),
  token('github server-to-server', `ghs_${an(36)}`, (s) => `installation ${s}`),
  token('github refresh', `ghr_${an(76)}`, (s) => `refresh ${s}`),
  token('github fine-grained pat', `github_pat_${an(22)}_${an(59)}`, (s) => `GH_TOKEN=${s}`),
  token('gitlab pat', `glpat-${gen(URLSAFE, 20)}`, (s) => `gitlab ${s}`),
  token('gitlab deploy token', `gldt-${gen(URLSAFE, 20)}`, (s) => `deploy with ${s}`),
  token('gitlab pipeline trigger', `glptt-${hex(40)}`, (s) => `trigger ${s}`),
  token('gitlab runner token', `GR1348941${gen(URLSAFE, 20)}`, (s) => `gitlab-runner register --token ${s}`),
  token('bitbucket app password', `ATBB${an(32)}`, (s) => `bitbucket ${s}`),
  token('npm token', `npm_${an(36)}`, (s) => `//registry.npmjs.org/:_authToken=${s}`),
  token('npm token', `npm_${an(36)}`, (s) => `npm publish failed for ${s}`),
  token('pypi token', `pypi-AgEIcHlwaS5vcmc${gen(URLSAFE, 70)}`, (s) => `twine upload -p ${s}`),
  token('docker hub pat', `dckr_pat_${gen(URLSAFE, 27)}`, (s) => `docker login -p ${s}`),
  token('rubygems key', `rubygems_${hex(48)}`, (s) => `gem push ${s}`),
  // chat, collaboration, observability
  token('slack bot token', `xoxb-${gen(DIGITS, 12)}-${gen(DIGITS, 13)}-${an(24)}`, (s) => `slack ${s}`),
  token('slack user token', `xoxp-${gen(DIGITS, 12)}-${gen(DIGITS, 12)}-${gen(DIGITS, 13)}-${hex(32)}`, (s) => `slack ${s}`),
  token('slack app token', `xapp-1-A${up(10)}-${gen(DIGITS, 13)}-${hex(64)}`, (s) => `socket mode ${s}`),
  token('slack webhook', an(24), (s) => `posting to https://hooks.slack.com/services/T${up(8)}/B${up(10)}/${s}`),
  token('discord webhook', gen(URLSAFE, 68), (s) => `posting to https://discord.com/api/webhooks/${gen(DIGITS, 18)}/${s}`),
  token('discord bot token', `M${gen(URLSAFE, 23)}.${gen(URLSAFE, 6)}.${gen(URLSAFE, 27)}`, (s) => `discord ${s}`),
  token('telegram bot token', `${gen(DIGITS, 10)}:AA${gen(URLSAFE, 33)}`, (s) => `https://api.telegram.org/bot${s}/sendMessage`),
  token('atlassian api token', `ATATT3${gen(URLSAFE, 180)}`, (s) => `jira ${s}`),
  token('linear api key', `lin_api_${an(40)}`, (s) => `linear ${s}`),
  token('postman api key', `PMAK-${hex(24)}-${hex(34)}`, (s) => `postman ${s}`),
  token('notion token', `ntn_${an(46)}`, (s) => `notion ${s}`),
  token('notion legacy token', `secret_${an(43)}`, (s) => `notion ${s}`),
  token('figma token', `figd_${gen(URLSAFE, 40)}`, (s) => `figma ${s}`),
  token('sentry auth token', `sntrys_${gen(B64, 120)}`, (s) => `sentry-cli --auth-token ${s}`),
  token('sentry user token', `sntryu_${hex(64)}`, (s) => `sentry ${s}`),
  // payments and commerce
  token('stripe live secret key', `sk_live_${an(24)}`, (s) => `stripe charge failed with ${s}`),
  token('stripe restricted key', `rk_live_${an(24)}`, (s) => `using ${s} for refunds`),
  token('stripe test key', `sk_test_${an(24)}`, (s) => `Stripe.api_key = "${s}"`),
  token('stripe webhook secret', `whsec_${an(32)}`, (s) => `endpoint secret ${s}`),
  token('square access token', `sq0atp-${gen(URLSAFE, 22)}`, (s) => `square ${s}`),
  token('square oauth secret', `sq0csp-${gen(URLSAFE, 43)}`, (s) => `square ${s}`),
  token('square production token', `EAAA${gen(URLSAFE, 60)}`, (s) => `square ${s}`),
  token('facebook access token', `EAAC${an(120)}`, (s) => `graph ${s}`),
  token('shippo token', `shippo_live_${hex(40)}`, (s) => `shippo ${s}`),
  token('shopify access token', `shpat_${hex(32)}`, (s) => `X-Shopify-Access-Token ${s}`),
  token('shopify shared secret', `shpss_${hex(32)}`, (s) => `shopify ${s}`),
  token('airtable pat', `pat${an(14)}.${hex(64)}`, (s) => `airtable ${s}`),
  // mail and messaging
  token('sendgrid key', `SG.${gen(URLSAFE, 22)}.${gen(URLSAFE, 43)}`, (s) => `sendgrid ${s}`),
  token('mailgun key', `key-${gen(LOWNUM, 32)}`, (s) => `mailgun ${s}`),
  token('mailchimp key', `${hex(32)}-us12`, (s) => `mailchimp ${s}`),
  token('twilio api key', `SK${hex(32)}`, (s) => `twilio ${s}`),
  // AI providers
  token('openai project key', `sk-proj-${gen(URLSAFE, 100)}`, (s) => `openai ${s}`),
  token('openai legacy key', `sk-${an(20)}T3BlbkFJ${an(20)}`, (s) => `openai ${s}`),
  token('anthropic key', `sk-ant-api03-${gen(URLSAFE, 93)}AA`, (s) => `anthropic ${s}`),
  token('groq key', `gsk_${an(52)}`, (s) => `groq ${s}`),
  token('hugging face token', `hf_${gen(UPPER + LOWER, 34)}`, (s) => `huggingface-cli login --token ${s}`),
  token('replicate token', `r8_${an(37)}`, (s) => `replicate ${s}`),
  token('perplexity key', `pplx-${an(48)}`, (s) => `perplexity ${s}`),
  // keys that are files
  token('age secret key', `AGE-SECRET-KEY-1${gen(BECH32, 58)}`, (s) => `# ${s}`),
  token('mapbox secret token', `sk.eyJ${gen(URLSAFE, 60)}.${gen(URLSAFE, 22)}`, (s) => `mapbox ${s}`),
  token('1password secret key', `A3-${up(6)}-${up(11)}-${up(5)}-${up(5)}-${up(5)}`, (s) => `secret key ${s}`),
  token('pem private key', gen(B64, 64), (s) => `-----BEGIN RSA PRIVATE KEY-----${s}-----END RSA PRIVATE KEY-----`),
  token('jwt', `eyJ${gen(URLSAFE, 30)}.eyJ${gen(URLSAFE, 40)}.${gen(URLSAFE, 43)}`, (s) => `session ${s} accepted`),
  // credentials in URLs and headers
  token('url password', 'r3d1sPass', (s) => `redis://default:${s}@10.0.0.5:6379/0`),
  token('url password without user', `${an(16)}`, (s) => `redis://:${s}@cache.internal:6379`),
  token('url password with an at sign', 'p@ssw0rd', (s) => `https://user:${s}@h.example.com/x`),
  token('url password', `${an(12)}`, (s) => `mongodb+srv://trader:${s}@cluster0.example.mongodb.net/at`),
  token('url password', `${an(10)}`, (s) => `amqp://guest:${s}@rabbit:5672/`),
  token('authorization header', `00${gen(URLSAFE, 40)}`, (s) => `Authorization: SSWS ${s}`),
  token('authorization header', gen(B64, 32), (s) => `curl -H "Authorization: Basic ${s}" http://localhost:8000`),
  token('authorization header', gen(URLSAFE, 40), (s) => `Authorization: Bearer ${s}`),
  token('api key header', an(32), (s) => `X-Api-Key: ${s}`),
  token('cookie', an(32), (s) => `Set-Cookie: sessionid=${s}; HttpOnly`),
  // secrets by name
  token('password by name', 'hunter2hunter2', (s) => `password ${s}`),
  token('password by name', 'correct-horse-42', (s) => `login with password is ${s}`),
  token('password by name', 'P@ssw0rd123', (s) => `Server=db;User Id=sa;Password=${s};`),
  token('client secret by name', an(32), (s) => `client_secret=${s}`),
  token('secret in yaml', `${an(10)}=${an(10)}_${an(10)}`, (s) => `  discord_client_secret: "${s}"`),
  token('private key by name', `0x${hex(64)}`, (s) => `PRIVATE_KEY=${s}`),
  token('token by name', `${an(20)}`, (s) => `export API_TOKEN="${s}"`),
  // IBKR accounts
  token('ibkr account', `U${gen(DIGITS, 7)}`, (s) => `order ${s} rejected: insufficient margin`),
  token('ibkr paper account', `DU${gen(DIGITS, 7)}`, (s) => s),
  token('ibkr paper account', `DU${gen(DIGITS, 7)}`, (s) => `breaker ${s} OPEN`),
  token('ibkr advisor account', `F${gen(DIGITS, 7)}`, (s) => `FA account: ${s} rebalanced`),
  token('ibkr account', `U${gen(DIGITS, 8)}`, (s) => `positions for ${s} reconciled`),
  token('alpaca key id', `PK${up(18)}`, (s) => `APCA-API-KEY-ID: ${s}`),
  token('infura key', hex(32), (s) => `https://mainnet.infura.io/v3/${s}`),
];

/** Ordinary text that looks like a secret to a careless rule; it must be shown as it is. */
export const INNOCENT_CASES: readonly string[] = [
  // ids
  ...Array.from({ length: 6 }, () => `request ${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)} done in 12 ms`),
  `order_id=ord_${hex(12)} filled 10 @ 187.20`,
  `clientOrderId at-20261126-000042 accepted`,
  `ORD-2026-000123 cancelled by user`,
  `order 12345678 filled`,
  `order #4821 partially filled (3/10)`,
  `trade id 9f3a2c1b matched`,
  `ULID 01ARZ3NDEKTSV4RRFFQ69G5FAV`,
  `job 7c9e6679-7425-40de-944b-e07fc1f90ae7 queued`,
  `span 00f067aa0ba902b7 trace 4bf92f3577b34da6a3ce929d0e0e4736`,
  `x-request-id: req_8c2d9e1f7a6b`,
  // hashes and digests
  ...Array.from({ length: 4 }, () => `commit ${hex(40)}`),
  ...Array.from({ length: 3 }, () => `sha256:${hex(64)}`),
  `HEAD is now at 9fceb02 pin the toolchain`,
  `md5 ${hex(32)}  autotrader.tar.gz`,
  `ghcr.io/acme/autotrader@sha256:${hex(64)}`,
  `etag "${hex(32)}"`,
  `integrity sha512-${gen(B64, 86)}==`,
  `tx 0x${hex(64)} confirmed in block 19283746`,
  `wallet 0x${hex(40)} balance 1.2 ETH`,
  `container ${hex(12)} restarted`,
  // hosts, units, paths, cloud resources
  `trader-1.prod.example.com`,
  `ip-10-0-1-23.ec2.internal`,
  `autotrader-api.service`,
  `autotrader-7d9f8b6c5-x2k4z`,
  `arn:aws:iam::123456789012:role/autotrader-ingestion`,
  `instance i-0abcd1234ef567890 in us-east-1a`,
  `ami-0c55b159cbfafe1f0`,
  `vpc-0a1b2c3d subnet-0f9e8d7c`,
  `s3://acme-autotrader-logs/2026/11/26/`,
  `https://api.example.com/v1/orders?limit=100&cursor=abc123`,
  `http://127.0.0.1:8000/api/health/overview`,
  `ssh -p 2222 deploy@trader-1`,
  `root@10.0.0.5`,
  `oncall@example.com paged`,
  `/etc/opsdeck/token`,
  `/var/lib/autotrader/keys/`,
  `postgres://db.internal:5432/autotrader`,
  `redis://cache.internal:6379/0`,
  // log lines, journal and systemctl
  `Nov 26 12:00:01 trader-1 autotrader[123]: circuit breaker OPEN for coingecko_api`,
  `2026-11-26T14:16:15.123Z autotrader-api[1234]: GET /api/health/overview 200 12ms`,
  `   Active: active (running) since Thu 2026-11-26 14:01:02 UTC; 15min ago`,
  `     Main PID: 48211 (python3)`,
  `worker:scanner:queue 42`,
  `coingecko_api latency p95 2400 ms over 2000`,
  `rate limit 450/500 for alpaca_paper`,
  `success rate 0.97 below 0.99`,
  `version 1.2.3-rc.1+build.5`,
  `node v20.19.0 (x64)`,
  `python3.11 -m autotrader`,
  `build U1234567 finished`,
  `flight UA1234 delayed`,
  `F-16 in the hangar`,
  `U2 tour 2026`,
  `PKGBUILD updated`,
  `AKIA appears in the docs as a prefix`,
  `task_test_abcdefghijklmnopqrstuvwxyz0123`,
  `scikit-learn sk-learn 1.5.0`,
  `key-value store ready`,
  `primary key violation on orders_pkey`,
  // text about secrets, not secrets
  `password reset required for bob`,
  `password expired`,
  `token refresh failed, retrying`,
  `api key validation failed for coingecko`,
  `secret rotation due in 3 days`,
  `token_expires_at=2026-11-27T00:00:00Z`,
  `TOKEN_FILE=/etc/opsdeck/token`,
  `echo $COINGECKO_API_KEY`,
  `curl -H "APCA-API-KEY-ID: $ALPACA_API_KEY" https://paper-api.alpaca.markets/v2/account`,
  `Authorization: Bearer $TOKEN`,
  `password: ""`,
  `tokenizer v2.0.1 loaded`,
  `secretary 42 notified`,
  `passwords must have 12 characters`,
  `the token is stored in the keyring`,
  `credentials loaded from the environment`,
  `for var in COINGECKO_API_KEY ALPACA_API_KEY GROQ_API_KEY; do`,
  `secret key-rotation-policy applied`,
  // numbers and figures
  `4111 1111 1111 1111`,
  `+1 (555) 010-9999`,
  `10.0.0.1:8080`,
  `latency_p95_ms: 2400`,
  `used 450 of 500 requests per minute`,
  `uptime 12d 4h 33m`,
  `load average: 0.42, 0.51, 0.60`,
  `disk /dev/nvme0n1p1 87% used`,
  `memory 12.4 GiB of 15.6 GiB`,
  // text with non-ASCII characters
  `café naïve résumé 東京`,
  `Temperatur 21 °C, Größe 3 m²`,
  `ﬁle ligature and full-width ＡＢＣ`,
  `evil\u202Egnp.exe`,
  `AK\u200DIA short`,
  `emoji ✅ ok ❌ failed`,
  `base64 aGVsbG8gd29ybGQ=`,
  `uuid ${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
];
