// The search worker as main uses it: answers from another thread, drops queries overtaken by a
// newer one (never computing them), and comes back with every section after it is stopped.
import { afterAll, describe, expect, it } from 'vitest';
import { excerpt, type IndexedSection } from './searchIndex';
import { SearchWorkerClient } from './SearchWorkerClient';

const section = (id: string, title: string, body: string): IndexedSection => ({
  id: `${id}#s`,
  runbookId: id,
  sectionId: 's',
  anchor: '',
  partTitle: '',
  title,
  symptoms: '',
  headings: '',
  commands: '',
  body,
});

const client = new SearchWorkerClient();
afterAll(() => client.close());

describe('search worker', () => {
  it('answers from the worker thread with hits and excerpts', async () => {
    client.add([
      section('queues', 'Worker backlog', 'Pending jobs pile up when the workers stall.'),
      section('tokens', 'Questrade token', 'Refresh the token every 30 days.'),
    ]);
    const answer = await client.search('pending', 5);
    expect(answer.hits.map((h) => h.runbookId)).toEqual(['queues']);
    expect(answer.hits[0]!.excerpt).toContain('Pending jobs');
  });

  it('answers only the newest of the queries typed while one is running; the others are superseded', async () => {
    const results = await Promise.allSettled(['to', 'tok', 'toke', 'token'].map((q) => client.search(q, 5)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/superseded/);
    expect((results[3] as PromiseFulfilledResult<Awaited<ReturnType<typeof client.search>>>).value.hits[0]!.runbookId).toBe('tokens');
  });

  it('starts again with every section after the worker is stopped', async () => {
    await client.close();
    const answer = await client.search('backlog', 5);
    expect(answer.hits.map((h) => h.runbookId)).toEqual(['queues']);
  });
});

describe('excerpts', () => {
  it('cut around the first word of the section that matched, found in one pass whatever the number of terms', () => {
    const words = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
    const text = `${words.join(' ')} the breaker opened here`;
    const terms = [...words.slice(0, 0), 'breaker', ...Array.from({ length: 5000 }, (_, i) => `zz${i}`)];
    const cut = excerpt(text, terms);
    expect(cut).toContain('the breaker opened here');
    expect(cut.startsWith('…')).toBe(true);
  });
});
