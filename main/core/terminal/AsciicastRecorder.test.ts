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
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ version: 2, width: 100, height: 30, timestamp: 1000, env: { TERM: 'xterm-256color' } });
    const text = lines
      .slice(1)
      .filter((e) => e[1] === 'o')
      .map((e) => e[2])
      .join('');
    expect(text).not.toContain('abcdef123');
    expect(text).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA');
    expect(text).toContain('ALPACA_SECRET_KEY=[REDACTED]');
    expect(text).toContain('ok\r\n');
    // the prompt without a newline is flushed at close
    expect(text.endsWith('$ ')).toBe(true);
    expect(lines.find((e) => e[1] === 'r')).toEqual([1.5, 'r', '120x40']);
    expect(lines[1][0]).toBe(0);
  });

  it('never splits a secret across the cut of an over-long line', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cast-')), 'x.cast');
    const rec = new AsciicastRecorder(path, new Redactor(), 0, { cols: 80, rows: 24 }, () => 0);
    // 4075 characters of noise, then a secret known only by its name, typed out one character at
    // a time as a slow terminal delivers it: the 4096th character falls inside its value
    rec.output(`${'y'.repeat(4074)} `);
    for (const ch of 'ALPACA_SECRET_KEY=abcdef123456 more') rec.output(ch);
    await rec.close();
    const text = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l)[2])
      .join('');
    expect(text).not.toContain('def123456');
    expect(text).toContain('ALPACA_SECRET_KEY=[REDACTED]');
  });

  it('stops recording on a write failure instead of crashing the process', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cast-')), 'missing-folder', 'x.cast');
    const rec = new AsciicastRecorder(path, new Redactor(), 0, { cols: 80, rows: 24 }, () => 0);
    rec.output('hello\n');
    await rec.close();
    expect(rec.failure).toMatch(/^recording stopped: ENOENT/);
  });
});
