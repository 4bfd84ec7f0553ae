import { describe, expect, it } from 'vitest';
import { JournalFormatter } from './JournalFormatter';

const entry = (n: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    __CURSOR: `s=abc;i=${n}`,
    __REALTIME_TIMESTAMP: String(Date.parse('2026-11-26T14:03:11Z') * 1000 + n),
    _HOSTNAME: 'trader-1',
    SYSLOG_IDENTIFIER: 'python3',
    _PID: '4242',
    MESSAGE: `line ${n}`,
    ...extra,
  });

describe('JournalFormatter', () => {
  it('prints entries as journalctl -o short-iso would, and tracks the last whole entry', () => {
    const f = new JournalFormatter();
    expect(f.push(entry(1) + '\n' + entry(2) + '\n')).toEqual([
      '2026-11-26T14:03:11+0000 trader-1 python3[4242]: line 1',
      '2026-11-26T14:03:11+0000 trader-1 python3[4242]: line 2',
    ]);
    expect(f.cursor).toBe('s=abc;i=2');
  });

  it('keeps the cursor at the last entry received whole when a chunk cuts one', () => {
    const f = new JournalFormatter();
    const text = entry(1) + '\n' + entry(2) + '\n';
    const cut = text.length - 10;
    expect(f.push(text.slice(0, cut))).toHaveLength(1);
    expect(f.cursor).toBe('s=abc;i=1');
    f.end(); // the connection dropped: entry 2 never arrived whole, so it will be fetched again
    expect(f.push(entry(2) + '\n')).toEqual(['2026-11-26T14:03:11+0000 trader-1 python3[4242]: line 2']);
    expect(f.cursor).toBe('s=abc;i=2');
  });

  it('decodes byte-array messages, passes journalctl notices through, and leaves out giant entries', () => {
    const f = new JournalFormatter();
    const bytes = [...Buffer.from('bin\u00e4r')];
    expect(f.push(entry(3, { MESSAGE: bytes, SYSLOG_PID: '7' }) + '\n')).toEqual(['2026-11-26T14:03:11+0000 trader-1 python3[7]: binär']);
    expect(f.push('-- No entries --\n')).toEqual(['-- No entries --']);
    expect(f.push(entry(4, { MESSAGE: 'x'.repeat(1_100_000) }) + '\n')).toEqual(['[opsdeck: a journal entry over 1 MiB was left out]']);
    expect(f.cursor).toBe('s=abc;i=3');
  });
});
