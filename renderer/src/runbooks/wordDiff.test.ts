import { describe, expect, it } from 'vitest';
import { wordDiff } from './wordDiff';

const marked = (side: Array<{ text: string; same: boolean }>) => side.filter((w) => !w.same).map((w) => w.text);

describe('line beside command', () => {
  it('marks nothing when the action runs the line as written', () => {
    const d = wordDiff('systemctl restart autotrader-api', 'systemctl restart autotrader-api');
    expect(marked(d.line)).toEqual([]);
    expect(marked(d.command)).toEqual([]);
  });

  it('marks a trailing comment that Copy would carry but Run does not', () => {
    const d = wordDiff('systemctl restart autotrader-ingestion # ; rm -rf /', 'systemctl restart autotrader-ingestion');
    expect(marked(d.line)).toEqual(['#', ';', 'rm', '-rf', '/']);
    expect(marked(d.command)).toEqual([]);
  });

  it('marks words the action adds or changes', () => {
    const d = wordDiff('journalctl -u autotrader-api -n 100', 'journalctl -u autotrader-api -n 100 --no-pager -o short-iso');
    expect(marked(d.line)).toEqual([]);
    expect(marked(d.command)).toEqual(['--no-pager', '-o', 'short-iso']);
    const e = wordDiff('redis-cli DEL worker:a', "sh -c 'printf' queue.clear worker:a");
    expect(marked(e.line)).toEqual(['redis-cli', 'DEL']);
    expect(marked(e.command)).toEqual(['sh', '-c', "'printf'", 'queue.clear']);
  });
});
