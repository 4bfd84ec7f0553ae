// Values a hostile renderer (or a careless paste) might put in any action parameter. Every one
// must be refused before a command is rendered. Shared by the unit and integration suites.
export const INJECTION_CORPUS: readonly string[] = [
  'autotrader-api; rm -rf /',
  'autotrader-api && touch /tmp/pwned',
  'autotrader-api | tee /tmp/pwned',
  'autotrader-api\ntouch /tmp/pwned',
  'autotrader-api\r\nid',
  '$(touch /tmp/pwned)',
  '`touch /tmp/pwned`',
  '${IFS}id',
  "autotrader-api'; id; '",
  'autotrader-api" ; id ; "',
  '--help',
  '-n',
  '-f',
  '--since=yesterday',
  '../../etc/passwd',
  '>/etc/passwd',
  '<(id)',
  'a\u0000b',
  '\u202eipa-redartotua',
  'autotrader‐api', // U+2010 hyphen: looks right, is not
  'ａutotrader-api', // fullwidth a
  ' autotrader-api',
  '*',
  '~root',
  'worker:*',
  'x'.repeat(5000),
  '',
];
