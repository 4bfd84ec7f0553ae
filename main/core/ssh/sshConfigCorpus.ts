// Test data: ssh_config files shaped like engineers' real ones, each resolved for a few hosts.
// sshConfig.int.test.ts asks OpenSSH (`ssh -G`) for every one and holds both resolvers to
// its answer on every key the console uses. `files` paths are relative to the home folder;
// `/etc/ssh/...` ones go to the case's system folder.

export interface HostQuery {
  host: string;
  user?: string;
  port?: number;
  jump?: string;
}

export interface CorpusCase {
  name: string;
  /** ~/.ssh/config */
  user?: string;
  /** /etc/ssh/ssh_config (absent: an empty file) */
  system?: string;
  files?: Record<string, string>;
  hosts: (string | HostQuery)[];
  vars?: Record<string, string>;
  /** /etc/hosts for the case (canonicalisation) */
  etcHosts?: string;
}

const H = (host: string, o: Omit<HostQuery, 'host'>): HostQuery => ({ host, ...o });

export const CORPUS: CorpusCase[] = [
  // ---- Host patterns
  {
    name: 'comma in a Host line is part of one pattern',
    user: 'Host web1,web2\n  HostName shared.example.com\n  User deploy\n',
    hosts: ['web1', 'web2', 'web1,web2'],
  },
  { name: 'Host patterns split on spaces and tabs', user: 'Host\tweb1 \t web2   web3\n\tHostName 10.1.1.%h\n', hosts: ['web1', 'web3', 'web4'] },
  {
    name: 'negated pattern vetoes the line',
    user: 'Host * !bastion\n  ProxyJump bastion\nHost bastion\n  HostName b.example.com\n',
    hosts: ['app', 'bastion'],
  },
  { name: 'negation first, wildcard after', user: 'Host !db* *\n  User app\nHost *\n  User other\n', hosts: ['db1', 'web1'] },
  { name: '? matches exactly one character', user: 'Host db?\n  Port 2201\nHost db??\n  Port 2202\n', hosts: ['db1', 'db12', 'db', 'db123'] },
  {
    name: 'first value wins across blocks',
    user: 'Host web*\n  User first\nHost web1\n  User second\n  Port 2022\nHost *\n  Port 22\n  User third\n',
    hosts: ['web1', 'web2', 'x'],
  },
  {
    name: 'Host * at the top wins over a later specific block',
    user: 'Host *\n  ServerAliveInterval 15\n  User everyone\nHost special\n  User special\n  ServerAliveInterval 60\n',
    hosts: ['special', 'other'],
  },
  {
    name: 'Host matching is case-sensitive',
    user: 'Host Web1\n  HostName upper.example.com\nHost web1\n  HostName lower.example.com\n',
    hosts: ['web1', 'Web1', 'WEB1'],
  },
  {
    name: 'HostName with %h and %%, lowercased',
    user: 'Host *.p\n  HostName %h.Example.COM\nHost pct\n  HostName pct%%host\n',
    hosts: ['API.p', 'db.p', 'pct'],
  },
  { name: 'HostName an address', user: 'Host db\n  HostName 192.168.10.5\nHost v6\n  HostName ::1\n', hosts: ['db', 'v6'] },
  { name: 'Host name typed as an address', user: 'Host 10.0.0.*\n  User infra\n', hosts: ['10.0.0.7', '10.0.1.7'] },
  { name: 'keywords in any case, Key=Value and Key = Value', user: 'HOST app\n  hostname=app.example.com\n  USER = ops\n  Port= 2222\n', hosts: ['app'] },

  // ---- Match
  {
    name: 'Match user is case-sensitive',
    user: 'Host x y\n  User deploy\nHost y\n  User Deploy\nMatch user Deploy\n  Port 2200\nMatch user deploy\n  Port 2300\n',
    hosts: ['x', 'y'],
  },
  {
    name: 'Match user sees the user given with -l',
    user: 'Host hop\n  HostName hop.example.com\n  User nobody\nMatch user alice\n  Port 2246\n  IdentityFile ~/.ssh/alice_key\n',
    hosts: ['hop', H('hop', { user: 'alice' }), H('hop', { user: 'alice', port: 2000 })],
  },
  {
    name: 'Match host sees HostName, originalhost the name typed',
    user: 'Host short\n  HostName long.example.com\nMatch host long.example.com\n  User viahost\nMatch originalhost short\n  Port 2022\n',
    hosts: ['short', 'long.example.com'],
  },
  {
    name: 'Match host with a comma list and case folding',
    user: 'Match host WEB1,web2\n  User listed\nMatch host !*.internal\n  Port 2200\n',
    hosts: ['web1', 'web2', 'Web2', 'db.internal'],
  },
  { name: 'Match localuser and Match all', user: 'Match localuser root\n  User fromroot\nMatch all\n  ConnectTimeout 5\n', hosts: ['anything'] },
  {
    name: 'Match with several criteria, one false',
    user: 'Match host db* user postgres\n  Port 5433\nHost db1\n  User postgres\nMatch host db* user admin\n  Port 5434\n',
    hosts: ['db1', 'db2'],
  },
  {
    name: 'Match final re-reads the files with the final host name',
    user: 'Host short\n  HostName full.corp.example\nMatch final host *.corp.example\n  User finaluser\n  Port 2222\nHost full.corp.example\n  IdentityFile ~/.ssh/corp\n',
    hosts: ['short', 'other'],
  },
  {
    name: 'Match canonical only in the second pass',
    user: 'CanonicalizeHostname yes\nCanonicalDomains corp.example\nMatch canonical host *.corp.example\n  User canon\nMatch !canonical\n  Port 2200\n',
    hosts: ['db1', 'nowhere'],
    etcHosts: '127.0.0.1 localhost\n10.20.30.40 db1.corp.example. db1.corp.example\n',
  },
  { name: 'Match exec that fails never applies', user: 'Match exec "test -e /nonexistent-opsdeck-file"\n  User viaexec\nHost *\n  User plain\n', hosts: ['a'] },
  { name: 'Match on the same line as a comment', user: 'Match host a # only a\n  User a-user\n', hosts: ['a', 'b'] },

  // ---- Include
  {
    name: 'Include glob in order, dotfiles skipped',
    user: 'Include conf.d/*.conf\nHost *\n  User default\n',
    files: {
      '.ssh/conf.d/20-db.conf': 'Host db\n  User dbuser\n',
      '.ssh/conf.d/10-web.conf': 'Host web db\n  User webuser\n',
      '.ssh/conf.d/.hidden.conf': 'Host *\n  User hidden\n',
      '.ssh/conf.d/notes.txt': 'Host *\n  User notes\n',
    },
    hosts: ['db', 'web', 'x'],
  },
  {
    name: 'Include relative to ~/.ssh even from a nested file',
    user: 'Include sub/a\n',
    files: {
      '.ssh/sub/a': 'Include sub/b\nHost *\n  Port 2001\n',
      '.ssh/sub/b': 'Include ~/third\nHost x\n  User fromb\n',
      third: 'Host x\n  HostName third.example.com\n',
    },
    hosts: ['x', 'y'],
  },
  {
    name: 'Include inside a Host block applies only there',
    user: 'Host bastion\n  Include bastion.conf\nHost *\n  User everyone\n',
    files: { '.ssh/bastion.conf': 'User ops\nPort 2222\n' },
    hosts: ['bastion', 'other'],
  },
  {
    name: 'Include inside a Match block',
    user: 'Match originalhost prod-*\n  Include prod.conf\n',
    files: { '.ssh/prod.conf': 'User produser\nIdentitiesOnly yes\nHost prod-db\n  Port 5022\n' },
    hosts: ['prod-web', 'prod-db', 'dev-web'],
  },
  {
    name: 'a Match in an included file does not leak into the includer',
    user: 'Host a\n  Include inc\n  Port 2001\n',
    files: { '.ssh/inc': 'Match host zzz\n  User never\n' },
    hosts: ['a', 'b'],
  },
  { name: 'Include of a missing file is fine', user: 'Include nothere/*.conf missing.conf\nHost x\n  User x\n', hosts: ['x'] },
  {
    name: 'Include several files per line',
    user: 'Include ~/extra-a extra-b\n',
    files: { 'extra-a': 'Host x\n  User a\n', '.ssh/extra-b': 'Host x\n  User b\n  Port 2\n' },
    hosts: ['x'],
  },

  // ---- ProxyCommand / ProxyJump
  {
    name: 'ProxyCommand kept as written: quotes and -o Key=value',
    user: `Host i-* mi-*\n  ProxyCommand sh -c "aws ssm start-session --target %h --document-name AWS-StartSSHSession --parameters 'portNumber=%p'"\n  User ec2-user\nHost viaj\n  ProxyCommand ssh -o StrictHostKeyChecking=accept-new -o 'UserKnownHostsFile=/dev/null' -W %h:%p jump.example.com\n`,
    hosts: ['i-0abc123', 'viaj'],
  },
  { name: 'ProxyCommand with a # in it keeps the rest of the line', user: 'Host c\n  ProxyCommand nc %h %p # via netcat\n', hosts: ['c'] },
  { name: 'ProxyCommand=none and ProxyCommand none', user: 'Host a\n  ProxyCommand=none\nHost *\n  ProxyCommand nc %h %p\n', hosts: ['a', 'b'] },
  { name: 'ProxyCommand before ProxyJump wins', user: 'Host a\n  ProxyCommand nc %h %p\n  ProxyJump j1\n', hosts: ['a'] },
  { name: 'ProxyJump before ProxyCommand wins', user: 'Host a\n  ProxyJump j1\n  ProxyCommand nc %h %p\n', hosts: ['a'] },
  {
    name: 'ProxyJump none then ProxyCommand',
    user: 'Host a\n  ProxyJump none\n  ProxyCommand nc %h %p\nHost b\n  ProxyCommand none\n  ProxyJump j1\n',
    hosts: ['a', 'b'],
  },
  {
    name: 'ProxyJump forms: user@host:port, ssh://, addresses',
    user: 'Host a\n  ProxyJump alice@hop:2246\nHost b\n  ProxyJump ssh://bob@hop2:2200\nHost c\n  ProxyJump 10.0.0.1:2222\nHost d\n  ProxyJump root@[fe80::1]:22\n',
    hosts: ['a', 'b', 'c', 'd'],
  },
  { name: 'ProxyJump chain', user: 'Host deep\n  ProxyJump edge,alice@mid:2200,inner\nHost edge\n  HostName edge.example.com\n', hosts: ['deep', 'edge'] },
  {
    name: 'ProxyJump given with -J wins over the file',
    user: 'Host a\n  ProxyJump fromfile\n  ProxyCommand nc %h %p\n',
    hosts: [H('a', { jump: 'cmdline-hop' }), H('a', { jump: 'h1,h2' })],
  },

  // ---- quoting, comments, whitespace
  {
    name: 'single and double quotes around arguments',
    user: `Host q\n  User 'ops'\n  IdentityFile "~/.ssh/my key"\n  IdentityFile '~/.ssh/other key'\n  HostName "q.example.com"\n`,
    hosts: ['q'],
  },
  { name: '# inside a word is not a comment', user: 'Host h\n  IdentityFile ~/.ssh/id#1\n  User ops#2 # this is a comment\n', hosts: ['h'] },
  { name: 'comment lines, indented comments and blank lines', user: '# top\n\n   # indented\nHost x # trailing\n\t# tab comment\n  User x\n\n', hosts: ['x'] },
  { name: 'CRLF line ends', user: 'Host win\r\n  HostName win.example.com\r\n  User Administrator\r\n  Port 2222\r\n', hosts: ['win'] },
  { name: 'backslash escapes', user: 'Host e\n  IdentityFile ~/.ssh/with\\ space\n  User "a\\"b"\n', hosts: ['e'] },
  { name: 'trailing whitespace and form feed', user: 'Host t   \n  User spaced\t \f\n', hosts: ['t'] },

  // ---- what ssh refuses
  { name: 'an unknown keyword makes ssh refuse the file', user: 'Host x\n  User x\n  UseKeychain yes\n', hosts: ['x'] },
  { name: 'IgnoreUnknown lets it through', user: 'IgnoreUnknown UseKeychain,AddKeysToAgentz\nHost x\n  UseKeychain yes\n  User x\n', hosts: ['x'] },
  { name: 'an unknown keyword in a block that does not apply still counts', user: 'Host never-used\n  Frobnicate yes\nHost x\n  User x\n', hosts: ['x'] },
  { name: 'IgnoreUnknown after the unknown keyword is too late', user: 'Host x\n  UseKeychain yes\nIgnoreUnknown UseKeychain\n', hosts: ['x'] },
  { name: 'unbalanced quotes', user: 'Host x\n  User "ops\n', hosts: ['x'] },
  { name: 'extra arguments', user: 'Host x\n  User a b\n', hosts: ['x'] },
  { name: 'bad port', user: 'Host x\n  Port 99999\n', hosts: ['x'] },
  { name: 'port by service name', user: 'Host x\n  Port ssh\n', hosts: ['x'] },
  { name: 'keyword without argument', user: 'Host x\n  User\n', hosts: ['x'] },
  { name: 'deprecated keywords are accepted', user: 'Protocol 2\nUseRoaming no\nHost x\n  RSAAuthentication yes\n  User x\n', hosts: ['x'] },
  { name: 'bad StrictHostKeyChecking value', user: 'Host x\n  StrictHostKeyChecking maybe\n', hosts: ['x'] },

  // ---- environment and tokens
  {
    name: '${ENV} in IdentityAgent, UserKnownHostsFile, IdentityFile',
    user: 'Host e\n  IdentityAgent ${XDG_RUNTIME_DIR}/agent.sock\n  UserKnownHostsFile ${HOME}/.ssh/kh_${TEAM}\n  IdentityFile ${HOME}/.ssh/id_${TEAM}\n',
    vars: { XDG_RUNTIME_DIR: '/run/user/0', TEAM: 'payments' },
    hosts: ['e'],
  },
  { name: 'an unset ${ENV} is refused', user: 'Host e\n  UserKnownHostsFile ${OPSDECK_NOT_SET}/kh\n', hosts: ['e'] },
  {
    name: 'IdentityAgent forms',
    user: 'Host a\n  IdentityAgent none\nHost b\n  IdentityAgent SSH_AUTH_SOCK\nHost c\n  IdentityAgent $MY_AGENT\nHost d\n  IdentityAgent ~/.1password/agent.sock\nHost e\n  IdentityAgent /run/%u/%h.sock\n',
    vars: { SSH_AUTH_SOCK: '/tmp/agent.x', MY_AGENT: '/tmp/my.agent' },
    hosts: ['a', 'b', 'c', 'd', 'e'],
  },
  {
    name: 'tokens in UserKnownHostsFile',
    user: 'Host *\n  HostName %h.example.com\n  User u1\n  Port 2022\n  UserKnownHostsFile /kh/%h/%p/%r/%u/%n /kh/%C /kh/%k/%%/%i/%d %l-%L\n',
    hosts: ['tok'],
  },
  {
    name: 'HostKeyAlias and %k',
    user: 'Host lb*\n  HostKeyAlias Shared-LB\n  UserKnownHostsFile ~/.ssh/kh_%k\nHost other\n  UserKnownHostsFile ~/.ssh/kh_%k\n',
    hosts: ['lb1', 'lb2', 'other'],
  },
  {
    name: 'identity files: tokens kept raw, duplicates dropped, defaults when none',
    user: 'Host a\n  IdentityFile ~/.ssh/%r@%h\n  IdentityFile ~/.ssh/%r@%h\n  IdentityFile %d/k_%u_%l\nHost b\n  User b\n',
    hosts: ['a', 'b'],
  },

  // ---- known hosts
  {
    name: 'GlobalKnownHostsFile list and none',
    user: 'Host a\n  GlobalKnownHostsFile /etc/ssh/kh_team ~/.ssh/kh_global\nHost b\n  GlobalKnownHostsFile none\n  UserKnownHostsFile none\n',
    hosts: ['a', 'b', 'c'],
  },
  {
    name: 'UserKnownHostsFile list, first line wins',
    user: 'Host a\n  UserKnownHostsFile ~/.ssh/kh1 ~/.ssh/kh2 /shared/kh3\nHost *\n  UserKnownHostsFile ~/.ssh/other\n',
    hosts: ['a', 'b'],
  },
  { name: 'none must stand alone', user: 'Host a\n  UserKnownHostsFile none ~/.ssh/kh\n', hosts: ['a'] },

  // ---- canonicalisation (names resolved from the case's /etc/hosts)
  {
    name: 'CanonicalizeHostname with CanonicalDomains',
    user: 'CanonicalizeHostname yes\nCanonicalDomains corp.example prod.example\nHost *.prod.example\n  User produser\nHost db1\n  User typed\n',
    etcHosts: '127.0.0.1 localhost\n10.20.30.41 db1.prod.example. db1.prod.example\n10.20.30.42 web1.corp.example. web1.corp.example\n',
    hosts: ['db1', 'web1', 'nothere', 'a.b.c'],
  },
  {
    name: 'CanonicalizeHostname is skipped behind a proxy unless always',
    user: 'CanonicalDomains corp.example\nHost viap\n  CanonicalizeHostname yes\n  ProxyCommand nc %h %p\nHost viaa\n  CanonicalizeHostname always\n  ProxyJump hop\nHost *\n  HostName web1\n',
    etcHosts: '127.0.0.1 localhost\n10.20.30.42 web1.corp.example. web1.corp.example\n',
    hosts: ['viap', 'viaa'],
  },
  {
    name: 'CanonicalizeMaxDots and fallback',
    user: 'CanonicalizeHostname yes\nCanonicalDomains corp.example\nCanonicalizeMaxDots 0\n',
    etcHosts: '127.0.0.1 localhost\n10.20.30.42 web1.corp.example. web1.corp.example\n',
    hosts: ['web1'],
  },
  {
    name: 'CanonicalizeFallbackLocal no refuses an unknown name',
    user: 'CanonicalizeHostname yes\nCanonicalDomains corp.example\nCanonicalizeFallbackLocal no\n',
    etcHosts: '127.0.0.1 localhost\n10.20.30.42 web1.corp.example. web1.corp.example\n',
    hosts: ['web1', 'ghost'],
  },

  // ---- the system-wide file
  {
    name: 'a bastion named only in the system file',
    user: 'Host app\n  HostName app.corp.example\n',
    system: 'Host *.corp.example !bastion.corp.example\n  ProxyJump bastion.corp.example\nHost bastion.corp.example\n  User jump\n',
    hosts: ['app', 'app.corp.example', 'bastion.corp.example'],
  },
  {
    name: 'user file before system file, first value wins',
    user: 'Host *\n  User mine\n  ServerAliveInterval 10\n',
    system: 'Host *\n  User company\n  ServerAliveInterval 30\n  ServerAliveCountMax 5\n  StrictHostKeyChecking yes\n',
    hosts: ['x'],
  },
  {
    name: 'system ssh_config.d with a relative Include',
    system: 'Include ssh_config.d/*.conf\nHost *\n  SendEnv LANG LC_*\n  HashKnownHosts yes\n  GSSAPIAuthentication yes\n',
    files: { '/etc/ssh/ssh_config.d/10-corp.conf': 'Host *.corp\n  Port 2222\n  GlobalKnownHostsFile /etc/ssh/corp_known_hosts\n' },
    hosts: ['db.corp', 'home'],
  },
  {
    name: 'system file Host block and a user Match',
    user: 'Match user deploy\n  IdentityFile ~/.ssh/deploy\n',
    system: 'Host ci-*\n  User deploy\n  IdentitiesOnly yes\n',
    hosts: ['ci-1', 'dev'],
  },
  {
    name: 'IdentityFile from the system file keeps ~',
    system: 'Host *\n  IdentityFile ~/.ssh/corp_ed25519\n',
    user: 'Host x\n  IdentityFile ~/.ssh/x\n',
    hosts: ['x', 'y'],
  },

  // ---- what the console reads
  {
    name: 'IdentitiesOnly, CertificateFile, PKCS11Provider, GSSAPI',
    user: 'Host signed\n  IdentitiesOnly yes\n  IdentityFile ~/.ssh/id_ed25519\n  CertificateFile ~/.ssh/id_ed25519-cert.pub\nHost token\n  PKCS11Provider /usr/lib/opensc-pkcs11.so\nHost krb\n  GSSAPIAuthentication yes\n',
    hosts: ['signed', 'token', 'krb'],
  },
  {
    name: 'StrictHostKeyChecking values',
    user: 'Host a\n  StrictHostKeyChecking off\nHost b\n  StrictHostKeyChecking accept-new\nHost c\n  StrictHostKeyChecking yes\nHost d\n  StrictHostKeyChecking ask\nHost e\n  StrictHostKeyChecking False\n',
    hosts: ['a', 'b', 'c', 'd', 'e'],
  },
  {
    name: 'times with units',
    user: 'Host a\n  ConnectTimeout 1m\n  ServerAliveInterval 30s\n  ServerAliveCountMax 4\nHost b\n  ConnectTimeout none\n  ServerAliveInterval 1h2m3s\n',
    hosts: ['a', 'b'],
  },
  {
    name: 'a typical laptop config',
    user: `# work
Host bastion
    HostName bastion.prod.acme.io
    User alice
    IdentityFile ~/.ssh/acme_ed25519
    IdentitiesOnly yes

Host prod-* !prod-bastion
    ProxyJump bastion
    User deploy
    IdentityFile ~/.ssh/acme_ed25519

Host prod-db-*
    Port 2222
    LocalForward 5432 localhost:5432

Host github.com
    User git
    IdentityFile ~/.ssh/github

Host *
    AddKeysToAgent yes
    ServerAliveInterval 60
    ServerAliveCountMax 3
    ControlMaster auto
    ControlPath ~/.ssh/cm-%r@%h:%p
    ControlPersist 10m
`,
    hosts: ['bastion', 'prod-web-1', 'prod-db-2', 'prod-bastion', 'github.com', 'random'],
  },
  {
    name: 'an SRE config with Match and cloud hosts',
    user: `Host *.i
    User ubuntu
    HostName %h.internal.example
    IdentityFile ~/.ssh/cloud_%r
Match host *.internal.example !user root
    ProxyCommand sh -c "exec nc -X 5 -x 127.0.0.1:1080 %h %p"
Host legacy-*
    HostKeyAlgorithms +ssh-rsa
    PubkeyAcceptedAlgorithms +ssh-rsa
    KexAlgorithms +diffie-hellman-group14-sha1
    User root
Host *
    UserKnownHostsFile ~/.ssh/known_hosts ~/.ssh/known_hosts.d/%k
    SendEnv LANG LC_*
`,
    hosts: ['api.i', 'legacy-box', H('api.i', { user: 'root' })],
  },
  {
    name: 'a hop with user@host:port in a Match user config',
    user: 'Host hop\n  HostName hop.example.com\nMatch user alice\n  IdentityFile ~/.ssh/alice\n  Port 2246\nMatch originalhost hop user bob\n  ProxyCommand nc %h %p\n',
    hosts: [H('hop', { user: 'alice', port: 2246 }), H('hop', { user: 'bob' }), 'hop'],
  },
  {
    name: 'a config generated by a tool, with tabs and equals',
    user: 'Host\tgen-1\n\tHostName\t10.9.0.1\n\tUser=admin\n\tPort\t= 2200\n\tIdentityFile\t"~/.ssh/gen key"\n\tStrictHostKeyChecking=no\n',
    hosts: ['gen-1'],
  },
];
