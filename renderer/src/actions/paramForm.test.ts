import { describe, expect, it } from 'vitest';
import type { ActionSummary, ParamSpec } from '../../../common/contract';
import { describeWithParams, groupBySection, hintFor, initialValues, liveChoices, missingRequired, requestValues, resolveValue } from './paramForm';
import { toLines } from './outputLines';

const unit: ParamSpec = { name: 'unit', label: 'Unit', kind: 'enum', choices: ['autotrader-api', 'autotrader-ingestion'] };
const lines: ParamSpec = { name: 'lines', label: 'Lines', kind: 'integer', min: 1, max: 5000, default: 100 };
const queue: ParamSpec = { name: 'queue', label: 'Queue', kind: 'string', pattern: 'worker:[a-z0-9_-]{1,48}(:[a-z0-9_-]{1,48}){0,2}' };

const summary = (over: Partial<ActionSummary>): ActionSummary => ({
  id: 'x',
  title: 'X',
  section: 'worker-queues',
  risk: 'read-only',
  streams: false,
  params: [],
  description: '',
  followUp: null,
  ...over,
});

describe('the parameter form', () => {
  it('starts from defaults, the first choice of an enum, and empty text', () => {
    expect(initialValues([unit, lines, queue])).toEqual({ unit: 'autotrader-api', lines: '100', queue: '' });
  });

  it('hints at values main will refuse, naming the field and the rule', () => {
    expect(hintFor(lines, '0')).toBe('Lines must be at least 1');
    expect(hintFor(lines, '5001')).toBe('Lines must be at most 5000');
    expect(hintFor(lines, '1e3')).toBe('Lines must be a whole number');
    expect(hintFor(lines, '')).toBeNull(); // the default applies
    expect(hintFor(queue, '')).toBe('Queue is required');
    expect(hintFor(queue, 'worker:scanner:queue')).toBeNull();
    expect(hintFor(queue, 'worker:x; rm -rf /')).toBe('Queue must match worker:[a-z0-9_-]{1,48}(:[a-z0-9_-]{1,48}){0,2}');
    expect(hintFor(unit, 'sshd')).toBe('Unit must be one of autotrader-api, autotrader-ingestion');
  });

  it('sends integers as numbers and leaves empty fields to main', () => {
    expect(requestValues([unit, lines, queue], { unit: 'autotrader-api', lines: '20', queue: '' })).toEqual({ unit: 'autotrader-api', lines: 20 });
    // not plain digits: sent as typed, so main names what is wrong with it
    expect(requestValues([lines], { lines: '-5' })).toEqual({ lines: '-5' });
  });

  it('groups by runbook section in runbook order, read-only first', () => {
    const groups = groupBySection([
      summary({ id: 'queue.clear', title: 'Clear', risk: 'destructive' }),
      summary({ id: 'service.restart', title: 'Restart', section: 'data-freshness', risk: 'service-affecting' }),
      summary({ id: 'queue.list', title: 'List' }),
    ]);
    expect(groups.map((g) => [g.title, g.actions.map((a) => a.id)])).toEqual([
      ['Data Freshness Issues', ['service.restart']],
      ['Worker Queue Backlog', ['queue.list', 'queue.clear']],
    ]);
  });

  it('names a follow-up with its parameter values', () => {
    expect(describeWithParams('Restart an autotrader service', { unit: 'autotrader-ingestion' })).toBe('Restart an autotrader service (autotrader-ingestion)');
    expect(describeWithParams('Rolling restart', {})).toBe('Rolling restart');
  });
});

describe('output lines', () => {
  it('joins a line split across batches and keeps stderr marked', () => {
    expect(
      toLines([
        { stream: 'stdout', text: 'one\ntw' },
        { stream: 'stderr', text: 'o!\nerr\n' },
        { stream: 'stdout', text: '' },
        { stream: 'stdout', text: 'three' },
      ]),
    ).toEqual([
      { text: 'one', stderr: false },
      { text: 'two!', stderr: true },
      { text: 'err', stderr: true },
      { text: 'three', stderr: false },
    ]);
    expect(toLines([{ stream: 'stdout', text: 'a\n\nb\n' }]).map((l) => l.text)).toEqual(['a', '', 'b']);
  });
});

describe('live values', () => {
  const queue = { name: 'queue', label: 'Queue', kind: 'string', pattern: 'worker:[a-z0-9_-]{1,48}(:[a-z0-9_-]{1,48}){0,2}' } as ParamSpec;
  const unit = { name: 'unit', label: 'Unit', kind: 'enum', choices: ['autotrader-api', 'autotrader-ingestion', 'autotrader-workers'] } as ParamSpec;
  const lines = { name: 'lines', label: 'Lines', kind: 'integer', min: 1, max: 1000, default: 100 } as ParamSpec;

  it("offers the Worker queues panel's queues for a worker key, and typing a queue as shown sends its key", () => {
    const choices = liveChoices(queue, { queues: ['scanner', 'alerts', 'Bad Name'], units: [] });
    expect(choices).toEqual([
      { value: 'worker:scanner:queue', label: 'scanner' },
      { value: 'worker:alerts:queue', label: 'alerts' },
    ]);
    expect(resolveValue('scanner', choices)).toBe('worker:scanner:queue');
    expect(hintFor(queue, resolveValue('scanner', choices))).toBeNull();
    expect(resolveValue('worker:backfill:queue', choices)).toBe('worker:backfill:queue');
    expect(requestValues([queue], { queue: 'scanner' }, { queue: choices })).toEqual({ queue: 'worker:scanner:queue' });
  });

  it('offers only the units the chosen hosts have', () => {
    expect(liveChoices(unit, { queues: [], units: ['autotrader-api', 'redis-server'] })).toEqual([{ value: 'autotrader-api', label: 'autotrader-api' }]);
    expect(liveChoices(lines, { queues: ['scanner'], units: ['autotrader-api'] })).toEqual([]);
  });

  it('matches the units as the host facts name them, "autotrader-api.service", to the catalog\'s choices', () => {
    const facts = ['autotrader-api.service', 'autotrader-workers.service', 'redis-server.service'];
    expect(liveChoices(unit, { queues: [], units: facts })).toEqual([
      { value: 'autotrader-api', label: 'autotrader-api' },
      { value: 'autotrader-workers', label: 'autotrader-workers' },
    ]);
  });

  it('names the required fields left empty; a field with a default is not required', () => {
    expect(missingRequired([queue, lines], { queue: '  ', lines: '' })).toEqual(['Queue']);
    expect(missingRequired([queue, lines], { queue: 'scanner', lines: '' })).toEqual([]);
  });
});
