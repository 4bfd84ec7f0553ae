// The library over real folders: the bundled set, a team folder, broken files reported (not
// fatal), and search ranking on a fixture set whose expected order follows from the field
// boosts (title > symptoms > headings > commands > body) and typo tolerance.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECTIONS, bundledCatalog } from '../actions/Catalog';
import type { Logger } from '../../../common/logger';
import { DEFAULT_RULES } from '../../../common/thresholds';
import { RunbookLibrary } from './RunbookLibrary';
import { runbookHandlers } from './runbookHandlers';

const REPO = resolve(import.meta.dirname, '../../..');
const catalog = bundledCatalog();
const warnings: string[] = [];
const logger: Logger = { info: () => {}, warn: (m) => warnings.push(m), error: () => {} };

const fixtures = mkdtempSync(join(tmpdir(), 'opsdeck-runbooks-'));
const write = (name: string, text: string) => {
  mkdirSync(join(fixtures, name, '..'), { recursive: true });
  writeFileSync(join(fixtures, name), text);
};
write(
  'breakers.md',
  '# Circuit breaker trips\n\n## Symptoms\n\n- requests fail at once\n\n## Resolution\n\n```bash\ncurl http://localhost:8000/api/health/circuit-breakers | jq\n```\n',
);
write(
  'sla.md',
  '# SLA violations\n\n## Symptoms\n\n- success rate below 95%\n\n## Resolution\n\nTune the circuit breaker thresholds if a flaky source keeps failing.\n',
);
write('queues.md', '# Worker backlog\n\n## Symptoms\n\n- Pending jobs > 50\n\n## Resolution\n\n```bash\nredis-cli\nKEYS worker:*\n```\n');
write(
  'deploys.md',
  '# Deploys\n\n## Rollback\n\nA rollback leaves pending jobs in place; see the worker notes.\n\n## Breaker drills\n\nPractise once a quarter.\n',
);
write(
  'team/tokens.md',
  '---\narea: broker-connectivity\nalerts: [broker-token-expiry]\n---\n# Questrade token\n\n## Symptoms\n\n- token expired\n\n## Resolution\n\n```bash\npython scripts/setup/set_questrade_token.py\n```\n',
);
write('broken.md', '---\narea: nowhere\n---\n# Broken\n');
write('notes.txt', 'not a runbook');

let library: RunbookLibrary;
afterAll(() => library.close());
beforeAll(async () => {
  library = new RunbookLibrary({ folders: [{ path: fixtures, source: 'team' }], catalog, logger });
  await library.load();
});

const top = async (query: string, n = 3) => (await library.search(query, n)).hits.map((h) => `${h.runbookId}#${h.sectionId}`);

describe('search ranking on a fixture set', () => {
  it('puts the runbook titled with the words first, the body mention after it', async () => {
    const hits = await top('circuit breaker', 5);
    expect(hits[0]).toBe('breakers#circuit-breakers');
    expect(hits.indexOf('sla#sla-violations')).toBeGreaterThan(0);
  });

  it('tolerates typos and partial words', async () => {
    expect((await top('circut braeker'))[0]).toBe('breakers#circuit-breakers');
    expect((await top('questr'))[0]).toBe('tokens#broker-connectivity');
  });

  it('ranks a symptom above a heading above a body mention', async () => {
    // "pending jobs" is a symptom of queues, and only prose in deploys
    expect(await top('pending jobs')).toEqual(['queues#worker-backlog', 'deploys#rollback']);
    // "breaker drills" is a heading in deploys; "breaker" is prose in sla
    const drills = await top('drills breaker', 5);
    expect(drills.indexOf('deploys#breaker-drills')).toBeLessThan(drills.indexOf('sla#sla-violations'));
  });

  it('finds commands inside code blocks', async () => {
    expect((await top('redis-cli'))[0]).toBe('queues#worker-backlog');
    expect((await top('set_questrade_token'))[0]).toBe('tokens#broker-connectivity');
  });

  it('reports the matched words (as indexed) for highlighting, and an excerpt around them', async () => {
    const hit = (await library.search('circut breaker', 1)).hits[0]!;
    expect(hit.terms).toEqual(expect.arrayContaining(['circuit', 'breaker']));
    expect(hit.title).toBe('Circuit breaker trips');
    // every part carries the title; the part whose text also has the words wins, and the hit opens there
    expect(hit.anchor).toBe('rb-resolution');
    const sla = (await library.search('thresholds', 1)).hits[0]!;
    expect(sla.excerpt).toContain('Tune the circuit breaker thresholds');
  });

  it('answers an empty query with nothing, and a query with no match with nothing', async () => {
    expect((await library.search('   ')).hits).toEqual([]);
    expect((await library.search('zzzqqqxxx')).hits).toEqual([]);
  });
});

describe('loading folders', () => {
  it('loads every .md under the folder (sub-folders too), skips other files, shows a runbook with a bad front matter value with a note', () => {
    expect(
      library
        .list()
        .map((r) => r.id)
        .sort(),
    ).toEqual(['breakers', 'broken', 'deploys', 'queues', 'sla', 'tokens']);
    expect(library.problems).toEqual([]);
    expect(library.get('broken').notes[0]).toMatch(/front matter: area: "nowhere".*ignored/);
    expect(library.list().find((r) => r.id === 'tokens')!.file).toBe(join('team', 'tokens.md'));
  });

  it('reports a missing folder instead of failing start-up', async () => {
    const lib = new RunbookLibrary({ folders: [{ path: join(fixtures, 'nope'), source: 'x' }], catalog, logger });
    await lib.load();
    expect(lib.list()).toEqual([]);
    expect(lib.problems[0]).toMatch(/nope: cannot read the runbook folder/);
  });

  it('answers the contract calls only once a load still under way has finished (start-up does not wait for it)', async () => {
    const lib = new RunbookLibrary({ folders: [{ path: fixtures, source: 'team' }], catalog, logger });
    void lib.load();
    const handlers = runbookHandlers(lib);
    const [list, hits] = await Promise.all([handlers.listRunbooks({}), handlers.searchRunbooks({ query: 'redis-cli' })]);
    expect(list.runbooks.map((r) => r.id).sort()).toEqual(['breakers', 'broken', 'deploys', 'queues', 'sla', 'tokens']);
    expect(hits.hits[0]?.runbookId).toBe('queues');
    await expect(handlers.getRunbook({ id: 'nope' })).rejects.toThrow(/no runbook "nope"/);
    await lib.close();
  });

  it('refuses an unknown runbook id with not-found', () => {
    expect(() => library.get('nope')).toThrow(/no runbook "nope"/);
  });
});

describe('the bundled runbooks (resources/runbooks)', () => {
  let bundled: RunbookLibrary;
  beforeAll(async () => {
    bundled = new RunbookLibrary({ folders: [{ path: join(REPO, 'resources', 'runbooks'), source: 'bundled' }], catalog, logger });
    await bundled.load();
  });
  afterAll(() => bundled.close());

  it('has one runbook per area, each with symptoms, diagnosis, a resolution with runnable lines, and escalation', () => {
    expect(bundled.problems).toEqual([]);
    for (const area of SECTIONS) {
      const refs = bundled.sectionsFor(area);
      expect(refs, area).toHaveLength(1);
      const doc = bundled.get(refs[0]!.runbookId);
      const section = doc.sections.find((s) => s.id === area)!;
      expect(section.symptoms.length, area).toBeGreaterThanOrEqual(3);
      expect(section.diagnosis.length, area).toBeGreaterThanOrEqual(3);
      expect(section.headings.map((h) => h.text)).toEqual([doc.title, 'Symptoms', 'Diagnosis', 'Resolution', 'Escalation']);
      const runnable = section.parts.flatMap((p) => (p.kind === 'code' ? p.block.lines.filter((l) => l.action) : []));
      expect(runnable.length, area).toBeGreaterThan(0);
    }
  });

  it('names in front matter only actions the catalog has, of its own area or shared ones', () => {
    for (const summary of bundled.list()) {
      const section = bundled.get(summary.id).sections[0]!;
      for (const id of section.actions) expect(catalog.get(id), `${summary.id}: ${id}`).toBeDefined();
      expect(section.alerts.length, summary.id).toBeGreaterThan(0);
    }
  });

  it("links alert rules to fix blocks that exist, have a Run, and hold the area's fix", () => {
    const rules = new Set(DEFAULT_RULES.map((r) => r.id));
    for (const summary of bundled.list()) {
      const section = bundled.get(summary.id).sections[0]!;
      for (const [rule, label] of Object.entries(section.fixes)) {
        expect(rules.has(rule) && section.alerts.includes(rule), `${summary.id}: ${rule}`).toBe(true);
        const block = section.parts.flatMap((p) => (p.kind === 'code' && p.block.label?.replace(/:$/, '') === label ? [p.block] : []));
        expect(block.length, `${summary.id}: ${rule} -> ${label}`).toBe(1);
        expect(block[0]!.lines.some((l) => l.action)).toBe(true);
      }
    }
    const fixesOf = (id: string) => {
      const section = bundled.get(id).sections[0]!;
      return Object.fromEntries(
        Object.entries(section.fixes).map(([rule, label]) => [
          rule,
          section.parts.flatMap((p) =>
            p.kind === 'code' && p.block.label === label ? p.block.lines.flatMap((l) => (l.action ? [l.action.actionId] : [])) : [],
          ),
        ]),
      );
    };
    // a backlog: more workers, never the queue's deletion; a degraded source: restart ingestion
    expect(fixesOf('worker-queues')).toEqual({ 'queue-pending': ['workers.scale', 'service.restart'], 'queue-status': ['workers.scale', 'service.restart'] });
    for (const actions of Object.values(fixesOf('sla-violations'))) expect(actions).toContain('service.restart');
    expect(Object.keys(fixesOf('sla-violations')).sort()).toEqual(['sla-latency-p95', 'sla-latency-p99', 'sla-status', 'sla-success-rate']);
  });

  it('keeps the shared runbook thresholds: 80 % rate limit, 50 pending jobs, 95 % success, 5 % errors, 30 day tokens', () => {
    const text = (id: string) => JSON.stringify(bundled.get(id));
    expect(text('rate-limits')).toContain('80 %');
    expect(text('worker-queues')).toContain('50 jobs pending');
    expect(text('sla-violations')).toContain('95 %');
    expect(text('data-freshness')).toContain('5 % errors');
    expect(text('broker-connectivity')).toContain('30 days');
    expect(text('circuit-breakers')).toContain('30 to 120 seconds');
  });

  it('is searched by part: a hit opens at the Symptoms, Resolution or Escalation it matched', async () => {
    const hit = (await bundled.search('trading lead go-ahead', 1)).hits[0]!;
    expect(hit).toMatchObject({ runbookId: 'worker-queues', sectionTitle: 'Worker queues › Escalation', anchor: 'rb-escalation' });
    const resolution = (await bundled.search('WORKER_COUNT', 1)).hits[0]!;
    expect(resolution).toMatchObject({ runbookId: 'worker-queues', anchor: 'rb-resolution' });
  });

  it('offers the breaker check as the circuit-breaker runbook runnable snippet', () => {
    const lines = bundled.get('circuit-breakers').sections[0]!.parts.flatMap((p) => (p.kind === 'code' ? p.block.lines : []));
    expect(lines.filter((l) => l.action).map((l) => l.action!.actionId)).toEqual(['check.circuit-breakers', 'breaker.reset']);
  });
});

describe('pages', () => {
  it('are built when a runbook is first opened: listed without them, opened with its HTML and runnable lines, the same page after', () => {
    const listed = library.list().find((d) => d.id === 'breakers')!;
    expect(listed.sections.map((s) => s.area)).toEqual(['circuit-breakers']);
    const page = library.get('breakers');
    const lines = page.sections[0]!.parts.flatMap((p) => (p.kind === 'code' ? p.block.lines : []));
    expect(lines.map((l) => l.action?.actionId ?? null)).toEqual(['check.circuit-breakers']);
    expect(page.sections[0]!.parts.some((p) => p.kind === 'html' && p.html.includes('requests fail at once'))).toBe(true);
    expect(library.get('breakers')).toBe(page);
  });
});
