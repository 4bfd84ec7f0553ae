import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../redact/Redactor';
import { AsciicastRecorder } from './AsciicastRecorder';

describe('AsciicastRecorder', () => {
  it('writes asciicast v2 and redacts a secret even when it arrives split across chunks', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cast-')), 'x.cast');
    let now = 1_000_000;
    const rec = new AsciicastRecorder(path, new Redactor(), now, { cols: 100, rows: 30 }, () => now);
    rec.output('$ cat /etc/autotrader/env\r\nALPACA_SECRET_KEY=abc');
    now += 1500;
    rec.output('def123\r\nok\r\n');
    rec.resize(120, 40);
    rec.output('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n$ ');
    await rec.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ version: 2, width: 100, height: 30, timestamp: 1000, env: { TERM: 'xterm-256color' } });
    const text = lines.slice(1).filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    expect(text).not.toContain('abcdef123');
    expect(text).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA');
    expect(text).toContain('ALPACA_SECRET_KEY=[REDACTED]');
    expect(text).toContain('ok\r\n');
    // the prompt without a newline is flushed at close
    expect(text.endsWith('$ ')).toBe(true);
    expect(lines.find((e) => e[1] === 'r')).toEqual([1.5, 'r', '120x40']);
    expect(lines[1][0]).toBe(0);
  });
});
