// The library as a team's repository looks: by source (bundled, each configured folder), then
// by folder inside it, each with its count; within a folder by the source tool's order
// (Hugo weight, Docusaurus sidebar_position), then by title.
import type { RunbookSummary } from '../../../common/contract';

export interface FolderGroup {
  folder: string;
  runbooks: RunbookSummary[];
}

export interface SourceGroup {
  source: string;
  count: number;
  folders: FolderGroup[];
}

const folderOf = (file: string): string => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '');

export function groupLibrary(list: readonly RunbookSummary[]): SourceGroup[] {
  const sources = new Map<string, Map<string, RunbookSummary[]>>();
  for (const r of list) {
    const folders = sources.get(r.source) ?? new Map<string, RunbookSummary[]>();
    sources.set(r.source, folders);
    const folder = folderOf(r.file);
    folders.set(folder, [...(folders.get(folder) ?? []), r]);
  }
  const order = (a: RunbookSummary, b: RunbookSummary) => (a.weight ?? Infinity) - (b.weight ?? Infinity) || a.title.localeCompare(b.title);
  return [...sources.entries()]
    .sort(([a], [b]) => (a === 'bundled' ? -1 : b === 'bundled' ? 1 : a.localeCompare(b)))
    .map(([source, folders]) => ({
      source,
      count: [...folders.values()].reduce((n, f) => n + f.length, 0),
      folders: [...folders.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([folder, runbooks]) => ({ folder, runbooks: runbooks.sort(order) })),
    }));
}
