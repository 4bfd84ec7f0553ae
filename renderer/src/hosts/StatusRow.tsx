// One row of the Hosts view's tables (hosts by trouble, disks, units): the status icon, the
// item's name as the row header, then the row's own cells. One shape for every such row, so the
// three tables read alike and a fix to one (a long name, the status named for screen readers)
// reaches all.
import type { ReactNode } from 'react';
import type { Status } from '../../../common/status';
import { StatusIcon } from '../status/StatusIcon';

export interface StatusRowProps {
  status: Status;
  /** the reason the icon names for screen readers (a reason shown in a cell of the row too) */
  why?: string | undefined;
  /** the row's name for screen readers; defaults to the header's text */
  label?: string;
  /** the row header: a name, or a control that selects the row */
  name: ReactNode;
  /**
   * the full name on hover, where the header is cut with an ellipsis (a long mount path). The
   * header then clips instead of widening the table.
   */
  fullName?: string;
  selected?: boolean;
  children: ReactNode;
}

export function StatusRow({ status, why, label, name, fullName, selected = false, children }: StatusRowProps) {
  return (
    <tr className={selected ? 'row-selected' : undefined} aria-label={label}>
      <td className="col-status">
        <StatusIcon status={status} {...(why ? { why } : {})} />
      </td>
      <th scope="row" className="item-name" title={fullName}>
        {/* the ellipsis on a block inside the cell: on the cell itself it broke the row's border line */}
        {fullName ? <span className="clip">{name}</span> : name}
      </th>
      {children}
    </tr>
  );
}

/** The status column's header: a name for screen readers, no text on screen. */
export function StatusHeader() {
  return (
    <th scope="col" className="col-status">
      <span className="sr-only">Status</span>
    </th>
  );
}
