import { describe, expect, it } from 'vitest';
import { FileOffsetFormatter } from './FileOffsetFormatter';

describe('FileOffsetFormatter', () => {
  it('shows lines without the follower prefix and keeps the offset after the last whole line', () => {
    const f = new FileOffsetFormatter();
    expect(f.push('131:12\tfirst line\n131:2')).toEqual(['first line']);
    expect(f.cursor).toBe('131:12');
    // a line split across chunks counts once it is whole
    expect(f.push('5\tsecond\n')).toEqual(['second']);
    expect(f.cursor).toBe('131:25');
  });

  it('drops a line cut by a lost connection (it comes again after the resume) and passes notices through', () => {
    const f = new FileOffsetFormatter();
    f.push('7:10\tkept\n7:20\tcut in tra');
    f.end();
    expect(f.push('7:20\tcut in transit\n')).toEqual(['cut in transit']);
    expect(f.push('/var/log/autotrader/x.log was rotated more than once\n')).toEqual(['/var/log/autotrader/x.log was rotated more than once']);
    expect(f.cursor).toBe('7:20');
  });

  it('never takes a cursor that is not digits:digits from the host', () => {
    const f = new FileOffsetFormatter();
    expect(f.push('1:2; rm -rf /\tx\n$(id):3\ty\n')).toEqual(['1:2; rm -rf /\tx', '$(id):3\ty']);
    expect(f.cursor).toBeNull();
  });
});
