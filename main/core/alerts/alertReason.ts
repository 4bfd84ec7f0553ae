// An alert's reason in words. A level rule ("broker not online") alone would say only the
// level ("offline or error"); when the item carries the panel's own detail ("gateway port 4001
// closed"), the alert says that too, with the item's actual status word, as the panel does.
import { describeMetric } from '../../../common/thresholds';
import type { RuleDefinition } from '../../../common/thresholds';

type Described = Pick<RuleDefinition, 'id' | 'title' | 'unit' | 'levels' | 'direction' | 'fire'>;

export function alertReason(rule: Described, value: number, item: unknown): string {
  const words = describeMetric(rule, value);
  if (rule.unit !== 'level' || value === 0 || typeof item !== 'object' || item === null) return words;
  const { status, detail } = item as { status?: unknown; detail?: unknown };
  if (typeof detail !== 'string' || !detail.trim()) return words;
  return `${typeof status === 'string' ? status : words}: ${detail.trim()}`;
}
