import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type Sshd } from './sshd';

const run = promisify(execFile);

/** The OpenSSH client, strict about the host key, using only the fixture's files. */
function sshArgs(sshd: Sshd, knownHosts = sshd.knownHostsPath): string[] {
  return [
    '-F',
    '/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'ConnectTimeout=5',
    '-i',
    sshd.clientKeyPath,
    '-p',
    String(sshd.port),
    `${sshd.user}@${sshd.address}`,
  ];
}

describe('loopback sshd fixture', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('accepts the generated client key and pins its host key in known_hosts for the OpenSSH client', async () => {
    const { stdout } = await run('ssh', [...sshArgs(sshd), 'echo hello-$((6*7))']);
    expect(stdout).toBe('hello-42\n');
    expect(sshd.hostKeyLine).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 AAAA`));
    expect(sshd.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it("hides the machine's /root so its slow .bashrc does not run on every exec", async () => {
    const { stdout } = await run('ssh', [...sshArgs(sshd), 'ls -A /root | wc -l']);
    expect(stdout.trim()).toBe('0');
  });

  it('restart drops live sessions and comes back on the same port', async () => {
    const port = sshd.port;
    const live = spawn('ssh', [...sshArgs(sshd), 'sleep 60'], { stdio: 'ignore' });
    // wait until the session exists on the server side
    for (let i = 0; i < 100; i++) {
      const { stdout } = await run('pgrep', ['-f', '^sleep 60$']).catch(() => ({ stdout: '' }));
      if (stdout.trim()) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const ended = new Promise<number | null>((r) => live.once('exit', (code) => r(code)));
    await sshd.restart();
    expect(await ended).toBe(255);
    expect(sshd.port).toBe(port);
    const { stdout } = await run('ssh', [...sshArgs(sshd), 'echo back']);
    expect(stdout).toBe('back\n');
  });

  it('replaceHostKey makes the strict OpenSSH client refuse the old known_hosts', async () => {
    const before = sshd.hostKeyFingerprint;
    const { hostKeyFingerprint } = await sshd.replaceHostKey();
    expect(hostKeyFingerprint).not.toBe(before);
    const err = await run('ssh', [...sshArgs(sshd), 'true']).then(
      () => null,
      (e: { stderr: string }) => e.stderr,
    );
    expect(err).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/);
  });
});
