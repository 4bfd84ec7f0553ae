import { describe, expect, it } from 'vitest';
import type { RunbookSummary } from '../../../common/contract';
import { groupLibrary } from './libraryGroups';
import { resolveRunbookLink } from './runbookLinks';

const rb = (id: string, file: string, source = 'team', weight: number | null = null): RunbookSummary => ({
  id,
  title: id,
  source,
  file,
  notes: [],
  weight,
  sections: [],
});
const list = [
  rb('api', 'services/api/README.md'),
  rb('workers', 'services/workers/README.md'),
  rb('root', 'README.md'),
  rb('other-api', 'services/api/README.md', 'other'),
  rb('kube', 'hugo/kube/Crash.md', 'team', 20),
  rb('index', 'hugo/_index.md', 'team', 10),
];

describe('links between runbooks', () => {
  it('resolve by path relative to the file, not by file name', () => {
    expect(resolveRunbookLink('../api/README.md', rb('workers', 'services/workers/README.md'), list)).toEqual({
      kind: 'runbook',
      runbookId: 'api',
      anchor: null,
    });
    expect(resolveRunbookLink('services/workers/README.md#restart-them', rb('root', 'README.md'), list)).toEqual({
      kind: 'runbook',
      runbookId: 'workers',
      anchor: 'rb-restart-them',
    });
    expect(resolveRunbookLink('../../README.md', rb('api', 'services/api/README.md'), list)).toEqual({ kind: 'runbook', runbookId: 'root', anchor: null });
  });

  it('open a folder link at its README, stay within the same source, and say when nothing is there', () => {
    expect(resolveRunbookLink('../api/', rb('workers', 'services/workers/README.md'), list)).toMatchObject({ kind: 'runbook', runbookId: 'api' });
    expect(resolveRunbookLink('./gone.md', rb('workers', 'services/workers/README.md'), list)).toEqual({ kind: 'missing', path: 'services/workers/gone.md' });
    expect(resolveRunbookLink('#escalation', rb('api', 'services/api/README.md'), list)).toEqual({ kind: 'anchor', anchor: 'rb-escalation' });
    expect(resolveRunbookLink('https://example.com/x.md', rb('api', 'services/api/README.md'), list)).toEqual({
      kind: 'external',
      href: 'https://example.com/x.md',
    });
  });
});

describe('the library', () => {
  it('groups by source, then folder, ordered by the source tool’s weight', () => {
    const groups = groupLibrary(list);
    expect(groups.map((g) => `${g.source} ${g.count}`)).toEqual(['other 1', 'team 5']);
    expect(groups[1]!.folders.map((f) => `${f.folder || '.'}: ${f.runbooks.map((r) => r.id).join(',')}`)).toEqual([
      '.: root',
      'hugo: index',
      'hugo/kube: kube',
      'services/api: api',
      'services/workers: workers',
    ]);
  });
});
