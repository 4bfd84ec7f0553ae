// Where a link inside a runbook goes, resolved as GitHub resolves it: relative to the runbook's
// own file, by path (a repository can hold dozens of README.md), with `#anchor` opening that
// section; a folder link opens the folder's README.
import type { RunbookSummary } from '../../../common/contract';

export type LinkTarget =
  | { kind: 'anchor'; anchor: string }
  | { kind: 'runbook'; runbookId: string; anchor: string | null }
  | { kind: 'missing'; path: string }
  | { kind: 'external'; href: string };

const ROOT = 'file:///runbook-folder/';

export function resolveRunbookLink(href: string, from: Pick<RunbookSummary, 'source' | 'file'>, list: readonly RunbookSummary[]): LinkTarget {
  if (href.startsWith('#')) return { kind: 'anchor', anchor: `rb-${decodeURIComponent(href.slice(1))}` };
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) return { kind: 'external', href };
  const [pathPart, hash] = href.split('#', 2) as [string, string | undefined];
  const path = pathPart.split('?')[0]!;
  let target: string;
  try {
    target = decodeURIComponent(new URL(path, new URL(from.file, ROOT)).pathname).replace(/^\/runbook-folder\//, '');
  } catch {
    return { kind: 'missing', path };
  }
  const candidates = path.endsWith('/') || path === '' ? [`${target}README.md`, `${target}index.md`, `${target}_index.md`] : [target];
  const other = list.find((r) => r.source === from.source && candidates.includes(r.file));
  if (!other) return path === '' ? { kind: 'anchor', anchor: `rb-${hash ?? ''}` } : { kind: 'missing', path: target };
  return { kind: 'runbook', runbookId: other.id, anchor: hash ? `rb-${decodeURIComponent(hash)}` : null };
}
