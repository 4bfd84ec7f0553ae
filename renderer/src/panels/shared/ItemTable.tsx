// A panel's item table. Up to VIRTUAL_ABOVE rows it is a plain table. Past that (a health API
// may list 500 items on every endpoint) it sits in a scroll box of about twenty rows and only
// the rows in view, plus a few either side, are in the document: eight panels of 500 rows each
// took seconds to build and lay out, and every tick of the clock re-rendered them all.
// @tanstack/react-virtual does the windowing and measures each row (a reason may wrap to four
// lines); spacer rows above and below keep the scroll height, so the table stays a table (row
// headers, columns) for screen readers, with aria-rowcount/aria-rowindex giving the full count.
// Keyboard: the box is a Tab stop (arrows, Page Up/Down scroll it); Tab and Shift+Tab on a row's
// link move to the next row with a link by index, not by what happens to be rendered: keys
// repeat faster than a loaded page renders the rows scrolled in, and focus would otherwise leave
// the list for the next panel halfway down. The row holding focus stays rendered while the box is
// scrolled away from it.
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { memo, useCallback, useLayoutEffect, useRef, useState, type FocusEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { Endpoint } from '../../../../common/health';
import { openRunbookForEndpoint } from '../../runbooks/runbookStore';
import type { Status } from '../../status/status';
import { StatusIcon } from '../../status/StatusIcon';
import { visible, VisibleText } from '../../status/VisibleText';
import type { Row } from './rows';

export interface Column<V> {
  header: string;
  cell: (value: V, row: Row<V>) => ReactNode;
  numeric?: boolean;
}

/** More rows than this and the table scrolls in a box with only the rows in view rendered. */
export const VIRTUAL_ABOVE = 40;
/** The box's height (px): about twenty one-line rows. */
export const SCROLL_BOX_HEIGHT = 480;
/** A one-line row (px); taller rows are measured. */
const ROW_ESTIMATE = 24;
/** Rows rendered beyond each edge of the box: Tab reaches them before they are needed. */
const OVERSCAN = 4;

interface TableProps<V> {
  title: string;
  endpoint: Endpoint;
  itemHeader: string;
  rows: Array<Row<V>>;
  columns: Array<Column<V>>;
  /** the status a row is drawn with (an ok row is not green over stale data) */
  shown: (status: Status) => Status;
  /** why a row's shown status differs from its own ("was ok at the last good poll; data stale") */
  shownWhy: string;
}

function Head<V>({ itemHeader, columns }: Pick<TableProps<V>, 'itemHeader' | 'columns'>) {
  return (
    <thead>
      <tr aria-rowindex={1}>
        <th scope="col" className="col-status">
          <span className="sr-only">Status</span>
        </th>
        <th scope="col">{itemHeader}</th>
        <th scope="col">Why</th>
        {columns.map((c) => (
          <th scope="col" key={c.header} className={c.numeric ? 'num' : undefined}>
            {c.header}
          </th>
        ))}
      </tr>
    </thead>
  );
}

interface RowProps<V> {
  row: Row<V>;
  index: number;
  columns: Array<Column<V>>;
  endpoint: Endpoint;
  status: Status;
  why: string | undefined;
  measure?: (el: HTMLTableRowElement | null) => void;
}

/**
 * One item. Memoised: a row is redrawn when its own row object changes (the selectors return
 * the same object for an unchanged item only when they can; a clock tick still redraws rows
 * whose cells count down), not when another row or the panel's header changes.
 */
const ItemRow = memo(function ItemRow<V>({ row, index, columns, endpoint, status, why, measure }: RowProps<V>) {
  const reasons = row.reasons.join('; ');
  return (
    <tr className={`row-${status}`} aria-rowindex={index + 2} data-index={index} ref={measure}>
      <td className="col-status">
        <StatusIcon status={status} why={why} />
      </td>
      <th scope="row" className="item-name">
        <VisibleText text={row.name} />
      </th>
      <td className={`why why-${row.status}`} title={visible(reasons) || undefined}>
        {/* an API-supplied detail can be 2000 characters: clamp it, the tooltip has it all */}
        <span className="clamp">
          <VisibleText text={reasons} />
        </span>
        {/* an item in trouble links straight to its runbook section */}
        {row.status !== 'ok' ? (
          <button
            type="button"
            className="link-button row-runbook"
            aria-label={`Open runbook for ${row.name}`}
            onClick={() => openRunbookForEndpoint(endpoint)}
          >
            runbook
          </button>
        ) : null}
      </td>
      {row.value === null ? (
        <td colSpan={columns.length} className="muted">
          —
        </td>
      ) : (
        columns.map((c) => (
          <td key={c.header} className={c.numeric ? 'num' : undefined}>
            {c.cell(row.value as V, row)}
          </td>
        ))
      )}
    </tr>
  );
}) as <V>(props: RowProps<V>) => ReactNode;

function rowProps<V>(props: TableProps<V>, row: Row<V>) {
  const status = props.shown(row.status);
  return { status, why: status !== row.status ? props.shownWhy : visible(row.reasons.join('; ')) || undefined };
}

export function ItemTable<V>(props: TableProps<V>) {
  if (props.rows.length > VIRTUAL_ABOVE) return <VirtualItemTable {...props} />;
  const { title, rows, columns, endpoint } = props;
  return (
    <table className="items" aria-label={title}>
      <Head itemHeader={props.itemHeader} columns={columns} />
      <tbody>
        {rows.map((row, i) => (
          <ItemRow key={row.name} row={row} index={i} columns={columns} endpoint={endpoint} {...rowProps(props, row)} />
        ))}
      </tbody>
    </table>
  );
}

function VirtualItemTable<V>(props: TableProps<V>) {
  const { title, rows, columns, endpoint } = props;
  const box = useRef<HTMLDivElement>(null);
  // the row holding focus stays rendered, so scrolling the box away never drops focus to the page
  const [focusedIndex, setFocusedIndex] = useState<number | null>(null);
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      return focusedIndex === null || indexes.includes(focusedIndex) || focusedIndex >= range.count
        ? indexes
        : [...indexes, focusedIndex].sort((a, b) => a - b);
    },
    [focusedIndex],
  );
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => box.current,
    estimateSize: () => ROW_ESTIMATE,
    getItemKey: (i) => rows[i]!.name,
    overscan: OVERSCAN,
    rangeExtractor,
    // before the box is measured (first paint, or a page without layout) render a box's worth
    initialRect: { width: 0, height: SCROLL_BOX_HEIGHT },
  });
  const items = virtualizer.getVirtualItems();
  const before = items[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  const width = columns.length + 3;
  const onFocus = (e: FocusEvent) => {
    const index = (e.target as HTMLElement).closest('tr')?.dataset.index;
    setFocusedIndex(index === undefined ? null : Number(index));
  };
  // the row Tab moved to, focused once it is rendered (the range extractor renders it)
  const focusNext = useRef<number | null>(null);
  const focusRowLink = (index: number): boolean => {
    const link = box.current?.querySelector<HTMLElement>(`tr[data-index="${index}"] .row-runbook`);
    link?.focus();
    return link !== null && link !== undefined;
  };
  useLayoutEffect(() => {
    if (focusNext.current !== null && focusRowLink(focusNext.current)) focusNext.current = null;
  });
  const onKeyDown = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (e.key !== 'Tab' || e.altKey || e.ctrlKey || e.metaKey || !target.classList.contains('row-runbook')) return;
    const from = Number(target.closest('tr')?.dataset.index);
    const step = e.shiftKey ? -1 : 1;
    let next = from + step;
    while (next >= 0 && next < rows.length && rows[next]!.status === 'ok') next += step;
    // past the last (or before the first) row with a link: Tab leaves the list as usual
    if (Number.isNaN(from) || next < 0 || next >= rows.length) return;
    e.preventDefault();
    if (focusRowLink(next)) return;
    focusNext.current = next;
    setFocusedIndex(next);
  };
  return (
    <div
      ref={box}
      className="items-scroll"
      role="group"
      aria-label={`${title}: ${rows.length} items, scroll for more`}
      tabIndex={0}
      style={{ maxHeight: SCROLL_BOX_HEIGHT }}
      onFocus={onFocus}
      onKeyDown={onKeyDown}
      onBlur={() => {
        if (focusNext.current === null) setFocusedIndex(null);
      }}
    >
      <table className="items" aria-label={title} aria-rowcount={rows.length + 1}>
        <Head itemHeader={props.itemHeader} columns={columns} />
        <tbody>
          {before > 0 ? (
            <tr className="spacer" aria-hidden="true">
              <td colSpan={width} style={{ height: before }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const row = rows[item.index]!;
            return (
              <ItemRow
                key={item.key}
                row={row}
                index={item.index}
                columns={columns}
                endpoint={endpoint}
                measure={virtualizer.measureElement}
                {...rowProps(props, row)}
              />
            );
          })}
          {after > 0 ? (
            <tr className="spacer" aria-hidden="true">
              <td colSpan={width} style={{ height: after }} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
