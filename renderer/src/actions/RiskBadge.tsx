import type { Risk } from '../../../common/contract';

/** Risk as shape + word + colour, so it reads without colour too. */
export function RiskBadge({ risk }: { risk: Risk }) {
  const shape = risk === 'destructive' ? '■' : risk === 'service-affecting' ? '▲' : '●';
  return (
    <span className={`risk risk-${risk}`} aria-label={`risk: ${risk}`}>
      <span aria-hidden="true">{shape}</span> {risk}
    </span>
  );
}
