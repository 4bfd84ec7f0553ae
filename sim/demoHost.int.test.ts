import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEndpointBody } from '../common/health';
import { spareCommand, spareInput } from '../main/core/ssh/execWrapper';
import { startDemoFleet, type DemoFleet, type DemoHostInfo } from './demoHost';
import { generateEd25519KeyPair } from './sshKeys';

const { Client } = ssh2;
type Client = InstanceType<typeof Client>;
let fleet: DemoFleet;
const clients: Client[] = [];

beforeAll(async () => {
  fleet = await startDemoFleet({ hosts: 2, journalIntervalMs: 0 });
});

afterAll(async () => {
  for (const c of clients) c.end();
  await fleet.stop();
});

/** Host-key check as the console does it: the key must be the one in the known_hosts line. */
function verifierFor(host: DemoHostInfo) {
  const expected = Buffer.from(host.hostKeyLine.split(' ')[2] ?? '', 'base64');
  return (key: Buffer) => key.equals(expected);
}

function connect(host: DemoHostInfo, opts: { privateKey?: string; verifyAgainst?: DemoHostInfo } = {}): Promise<Client> {
  const client = new Client();
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect({
      host: '127.0.0.1',
      port: host.port,
      username: 'demo',
      privateKey: opts.privateKey ?? fleet.clientKeyPem,
      hostVerifier: verifierFor(opts.verifyAgainst ?? host),
      readyTimeout: 5000,
    });
  });
}

interface Exec {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function exec(client: Client, command: string, input?: string): Promise<Exec> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, ch) => {
      if (err) return reject(err);
      if (input !== undefined) ch.end(input);
      const result: Exec = { code: null, signal: null, stdout: '', stderr: '' };
      ch.on('data', (d: Buffer) => (result.stdout += d.toString()));
      ch.stderr.on('data', (d: Buffer) => (result.stderr += d.toString()));
      ch.on('exit', (code: number | null, signal?: string) => {
        result.code = code;
        result.signal = signal ?? null;
      });
      ch.on('close', () => resolve(result));
    });
  });
}

function forward(client: Client, host: string, port: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) => client.forwardOut('127.0.0.1', 0, host, port, (err, ch) => (err ? reject(err) : resolve(ch))));
}

/** One HTTP/1.1 request over a raw forward channel: what the console's undici connector does. */
function httpOver(channel: ClientChannel, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let raw = '';
    channel.on('data', (d: Buffer) => (raw += d.toString()));
    channel.on('error', reject);
    channel.on('close', () => {
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body });
    });
    channel.end(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
  });
}

describe('demo SSH hosts', () => {
  it('each host has its own host key, accepts this run’s client key and refuses any other', async () => {
    const [one, two] = fleet.hosts as [DemoHostInfo, DemoHostInfo];
    expect(one.hostKeyLine).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${one.port} ssh-ed25519 [A-Za-z0-9+/=]+$`));
    expect(one.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(one.hostKeyLine).not.toBe(two.hostKeyLine.replace(String(two.port), String(one.port)));
    await expect(connect(one, { verifyAgainst: two })).rejects.toThrow(/host key|verification/i);
    const stranger = generateEd25519KeyPair().private;
    await expect(connect(one, { privateKey: stranger })).rejects.toThrow(/authentication methods failed/);
    const client = await connect(one);
    expect(await exec(client, 'hostname')).toMatchObject({ code: 0, stdout: 'demo-1\n' });
  });

  it('runs true, echo, uptime and hostname', async () => {
    const client = await connect(fleet.hosts[1] as DemoHostInfo);
    expect(await exec(client, 'true')).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await exec(client, `echo 'hello  world' "a b" c`)).toMatchObject({ code: 0, stdout: 'hello  world a b c\n' });
    expect(await exec(client, 'echo -n x')).toMatchObject({ stdout: 'x' });
    expect((await exec(client, 'uptime')).stdout).toMatch(/^ \d\d:\d\d:\d\d up 3 days,\s+2:1\d,\s+1 user,\s+load average: \d\.\d\d, \d\.\d\d, \d\.\d\d\n$/);
    expect(await exec(client, 'hostname')).toMatchObject({ code: 0, stdout: 'demo-2\n' });
  });

  it('systemctl restart changes the MainPID and leaves start/stop lines in the unit’s journal', async () => {
    const client = await connect(fleet.hosts[0] as DemoHostInfo);
    const pid = async () => (await exec(client, 'systemctl show -p MainPID --value autotrader-workers')).stdout.trim();
    const before = await pid();
    expect(before).toMatch(/^[1-9]\d*$/);
    expect(await exec(client, "systemctl restart 'autotrader-workers'")).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const after = await pid();
    expect(after).toMatch(/^[1-9]\d*$/);
    expect(after).not.toBe(before);
    const journal = await exec(client, 'journalctl -u autotrader-workers -n 5 --no-pager');
    expect(journal.code).toBe(0);
    const lines = journal.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^[A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d demo-1 systemd\[1\]: Starting autotrader-workers\.service/);
    expect(lines[3]).toMatch(new RegExp(`demo-1 autotrader-workers\\[${after}\\]: INFO workers: workers starting pid=${after} WORKER_COUNT=2 `));
    const show = await exec(client, 'systemctl show --property=ActiveState,NRestarts autotrader-workers.service');
    expect(show.stdout).toBe('ActiveState=active\nNRestarts=1\n');
  });

  it('systemctl stop, is-active, status and start report the unit’s state with systemd’s exit codes', async () => {
    const client = await connect(fleet.hosts[1] as DemoHostInfo);
    expect(await exec(client, 'systemctl stop autotrader-api')).toMatchObject({ code: 0 });
    expect(await exec(client, 'systemctl is-active autotrader-api')).toMatchObject({ code: 3, stdout: 'inactive\n' });
    expect(await exec(client, 'systemctl show -p MainPID --value autotrader-api')).toMatchObject({ stdout: '0\n' });
    const stopped = await exec(client, 'systemctl status autotrader-api');
    expect(stopped.code).toBe(3);
    expect(stopped.stdout).toMatch(/^○ autotrader-api\.service - .*\n\s+Loaded: loaded .*\n\s+Active: inactive \(dead\)/);
    expect(await exec(client, 'systemctl start autotrader-api.service')).toMatchObject({ code: 0 });
    expect(await exec(client, 'systemctl is-active autotrader-api')).toMatchObject({ code: 0, stdout: 'active\n' });
    const running = await exec(client, 'systemctl status autotrader-api');
    expect(running.code).toBe(0);
    expect(running.stdout).toMatch(/Active: active \(running\) since .*\n\s+Main PID: \d+ \(uvicorn\)/);
    expect(await exec(client, 'systemctl is-active autotrader-*')).toMatchObject({ code: 0, stdout: 'active\nactive\nactive\n' });
  });

  it('refuses unknown units the way systemctl does', async () => {
    const client = await connect(fleet.hosts[0] as DemoHostInfo);
    expect(await exec(client, 'systemctl restart nginx')).toMatchObject({
      code: 5,
      stderr: 'Failed to restart nginx.service: Unit nginx.service not found.\n',
    });
    expect(await exec(client, 'systemctl status sshd')).toMatchObject({ code: 4, stderr: 'Unit sshd.service could not be found.\n' });
  });

  it.each([
    ['ls -la /', 'ls'],
    ['rm -rf /', 'rm'],
    ['cat /etc/passwd | head', '|'],
    ['echo $HOME', '$HOME'],
    ['systemctl daemon-reload', 'systemctl daemon-reload'],
    ['journalctl --vacuum-size=1M', 'journalctl --vacuum-size'],
    ['echo hi > /tmp/x', '>'],
    ['sudo systemctl restart autotrader-api', 'sudo'],
  ])('refuses %s with exit 127 and says it is not emulated', async (command, what) => {
    const client = await connect(fleet.hosts[0] as DemoHostInfo);
    expect(await exec(client, command)).toMatchObject({ code: 127, stdout: '', stderr: `opsdeck demo host: '${what}' is not emulated in the demo\n` });
  });

  it('runs sequences and the console’s sh -c exec wrapper around an emulated command', async () => {
    const client = await connect(fleet.hosts[0] as DemoHostInfo);
    expect(await exec(client, 'true && echo yes || echo no; echo done')).toMatchObject({ code: 0, stdout: 'yes\ndone\n' });
    expect(await exec(client, 'ls && echo never')).toMatchObject({ code: 127, stdout: '' });
    const wrapped = `sh -c 'exec 3<&0 </dev/null\n"\${SHELL:-/bin/sh}" -c "$1" 3<&- &\nwait' opsdeck-exec 'systemctl is-active autotrader-ingestion'`;
    expect(await exec(client, wrapped)).toMatchObject({ code: 0, stdout: 'active\n' });
  });

  it('says it is ready as the spare wrapper does, runs the command handed to it on stdin, and nothing when stdin closes first', async () => {
    const client = await connect(fleet.hosts[0] as DemoHostInfo);
    const endLine = '0123456789abcdef0123456789abcdef';
    const input = spareInput('systemctl is-active autotrader-ingestion', endLine);
    expect(await exec(client, spareCommand(endLine), input)).toMatchObject({ code: 0, stdout: `${endLine}\nactive\n`, stderr: '' });
    expect(await exec(client, spareCommand(endLine), '')).toMatchObject({ code: 0, stdout: `${endLine}\n`, stderr: '' });
  });

  it('restarting autotrader-ingestion on a demo host clears the stale freshness in its simulator', async () => {
    fleet.sim.model.setScenario('freshness-stale');
    const freshness = async () => {
      const parsed = parseEndpointBody('freshness', await (await fetch(`${fleet.simUrl}/api/health/freshness`)).json());
      return parsed.items.coingecko;
    };
    expect(await freshness()).toMatchObject({ ok: true, value: { freshness: 'stale', error_rate: 0.12 } });
    const client = await connect(fleet.hosts[1] as DemoHostInfo);
    expect(await exec(client, 'systemctl restart autotrader-ingestion')).toMatchObject({ code: 0 });
    expect(await freshness()).toMatchObject({ ok: true, value: { freshness: 'fresh' } });
    expect(fleet.sim.model.scenario).toBe('normal');
  });

  it('journalctl -f streams new lines until the channel is signalled', async () => {
    const client = await connect(fleet.hosts[0] as DemoHostInfo);
    const other = await connect(fleet.hosts[0] as DemoHostInfo);
    const result = await new Promise<Exec>((resolve, reject) => {
      client.exec('journalctl -u autotrader-ingestion -f -n 1', (err, ch) => {
        if (err) return reject(err);
        const r: Exec = { code: null, signal: null, stdout: '', stderr: '' };
        ch.on('data', (d: Buffer) => {
          r.stdout += d.toString();
          if (r.stdout.split('\n').length === 2) void exec(other, 'systemctl restart autotrader-ingestion');
          if (r.stdout.includes('ingestion starting')) ch.signal('TERM');
        });
        ch.on('exit', (code: number | null, signal?: string) => Object.assign(r, { code, signal: signal ?? null }));
        ch.on('close', () => resolve(r));
      });
    });
    expect(result.stdout).toMatch(/Stopping autotrader-ingestion\.service/);
    expect(result.stdout).toMatch(/INFO ingestion: ingestion starting pid=\d+ /);
    expect(result.signal).toBe('SIGTERM');
  });

  it('forwards to its simulator (by its address or as localhost:8000) and refuses anything else', async () => {
    const client = await connect(fleet.hosts[0] as DemoHostInfo);
    const sim = new URL(fleet.simUrl);
    for (const [host, port] of [
      [sim.hostname, Number(sim.port)],
      ['localhost', 8000],
    ] as const) {
      const res = await httpOver(await forward(client, host, port), '/api/health/circuit-breakers');
      expect(res.status).toBe(200);
      const parsed = parseEndpointBody('circuitBreakers', JSON.parse(res.body));
      expect(Object.keys(parsed.items)).toEqual(['coingecko_api', 'dexscreener_api', 'blockscout_api', 'ethereum_rpc']);
    }
    // a real local service the forward must not reach
    let requests = 0;
    const bystander: Server = createServer((_req, res) => {
      requests += 1;
      res.end('secret');
    });
    await new Promise<void>((resolve) => bystander.listen(0, '127.0.0.1', resolve));
    try {
      const port = (bystander.address() as AddressInfo).port;
      await expect(forward(client, '127.0.0.1', port)).rejects.toThrow(/Channel open failure/);
      await expect(forward(client, '10.0.0.1', 8000)).rejects.toThrow(/Channel open failure/);
      await expect(forward(client, '127.0.0.1', (fleet.hosts[1] as DemoHostInfo).port)).rejects.toThrow(/Channel open failure/);
      expect(requests).toBe(0);
    } finally {
      bystander.close();
    }
  });

  it('gives the terminal a shell with a prompt that runs the same commands', async () => {
    const client = await connect(fleet.hosts[1] as DemoHostInfo);
    const output = await new Promise<string>((resolve, reject) => {
      client.shell({ term: 'xterm-256color', cols: 80, rows: 24 }, (err, ch) => {
        if (err) return reject(err);
        let out = '';
        const script = ['hostname\r', 'exit\r'];
        ch.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.endsWith('# ')) ch.write(script.shift() ?? '');
        });
        ch.on('close', () => resolve(out));
      });
    });
    expect(output).toContain('root@demo-2:~# hostname\r\ndemo-2\r\nroot@demo-2:~# exit\r\n');
  });
});
