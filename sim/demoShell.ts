import type { ServerChannel } from 'ssh2';
import type { Clock } from './clock';
import { runDemoCommand } from './demoCommand';
import type { DemoHostModel } from './demoHostModel';

const MAX_LINE = 4096;

/**
 * A tiny interactive shell for the console's terminal on a demo host: a prompt, line editing
 * (backspace, Ctrl-C, Ctrl-D) and the same emulated commands as exec, plus `exit`. With a pty
 * the shell echoes and writes CRLF, as a terminal expects.
 */
export async function runDemoShell(model: DemoHostModel, clock: Clock, channel: ServerChannel, pty: boolean): Promise<void> {
  const out = (text: string): void => {
    if (!channel.destroyed) channel.write(pty ? text.replace(/\r?\n/g, '\r\n') : text);
  };
  const prompt = (): void => out(`root@${model.hostname}:~# `);
  const abort = new AbortController();
  channel.on('close', () => abort.abort());
  out(`Opsdeck demo host ${model.hostname}: an emulated shell. Commands: systemctl, journalctl, uptime, hostname, echo, true, exit.\n`);
  prompt();
  let line = '';
  let busy = false;
  const finish = (code: number): void => {
    if (channel.destroyed) return;
    channel.exit(code);
    channel.end();
  };
  const onData = async (chunk: Buffer): Promise<void> => {
    for (const ch of chunk.toString('utf8')) {
      if (busy) continue;
      if (ch === '\r' || ch === '\n') {
        if (pty) out('\n');
        const command = line.trim();
        line = '';
        if (command === 'exit' || command === 'logout') return finish(0);
        if (command !== '') {
          busy = true;
          // Ctrl-C during a follow ends it: a per-command abort
          const commandAbort = new AbortController();
          const stop = (): void => commandAbort.abort();
          abort.signal.addEventListener('abort', stop, { once: true });
          const onCtrlC = (data: Buffer): void => {
            if (data.includes(3)) {
              out('^C\n');
              stop();
            }
          };
          channel.on('data', onCtrlC);
          await runDemoCommand(model, clock, command, { stdout: out, stderr: out, signal: commandAbort.signal });
          channel.off('data', onCtrlC);
          busy = false;
        }
        prompt();
      } else if (ch === '\x7f' || ch === '\b') {
        if (line.length > 0) {
          line = line.slice(0, -1);
          if (pty) out('\b \b');
        }
      } else if (ch === '\x03') {
        line = '';
        out('^C\n');
        prompt();
      } else if (ch === '\x04') {
        if (line === '') return finish(0);
      } else if (ch >= ' ' && line.length < MAX_LINE) {
        line += ch;
        if (pty) out(ch);
      }
    }
  };
  channel.on('data', (chunk: Buffer) => void onData(chunk));
  channel.on('end', () => finish(0));
}
