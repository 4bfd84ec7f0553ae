// A host's disks: use against the config's amber and red lines. A long mount path is cut with an
// ellipsis (the whole path on hover and in the row's name) so it cannot push the table wide.
// Paths and filesystem names are the host's: shown through VisibleText, escaped in labels.
import type { DiskFact } from '../../../common/contract';
import { STATUS_WORD } from '../status/status';
import { visible, VisibleText } from '../status/VisibleText';
import { bytes } from './format';
import { StatusHeader, StatusRow } from './StatusRow';

export function DisksTable({ disks }: { disks: readonly DiskFact[] }) {
  return (
    <table className="items" aria-label="Disks">
      <thead>
        <tr>
          <StatusHeader />
          <th scope="col">Mount</th>
          <th scope="col">Used</th>
          <th scope="col">Size</th>
          <th scope="col">Use</th>
          <th scope="col">Filesystem</th>
        </tr>
      </thead>
      <tbody>
        {disks.map((d) => (
          <StatusRow
            key={d.mount}
            status={d.status}
            label={`disk ${visible(d.mount)}: ${STATUS_WORD[d.status]}, ${d.usedPct} % used`}
            name={<VisibleText text={d.mount} />}
            fullName={visible(d.mount)}
          >
            <td>{bytes(d.usedBytes)}</td>
            <td>{bytes(d.sizeBytes)}</td>
            <td className={`why why-${d.status}`}>
              <span className="usage">
                <span className="usage-bar">
                  <span className={`usage-fill status-${d.status}`} style={{ width: `${Math.min(100, d.usedPct)}%` }} />
                </span>
                {d.usedPct} %
              </span>
            </td>
            <td className="muted mono">
              <VisibleText text={`${d.filesystem} (${d.type})`} />
            </td>
          </StatusRow>
        ))}
      </tbody>
    </table>
  );
}
