// The runbook's line beside the command the action runs, word by word: every word of one that
// is not in the other (in order) is marked. A longest common subsequence over whitespace-split
// words; both sides are short (a line, a catalog command or script), so O(n·m) is nothing.
export interface DiffWord {
  text: string;
  /** false: this word is only on this side */
  same: boolean;
}

const words = (text: string): string[] => text.split(/\s+/).filter(Boolean);

export function wordDiff(line: string, command: string): { line: DiffWord[]; command: DiffWord[] } {
  const a = words(line);
  const b = words(command);
  // lengths of the common subsequence of a[i…] and b[j…]
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const left: DiffWord[] = [];
  const right: DiffWord[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      left.push({ text: a[i++]!, same: true });
      right.push({ text: b[j++]!, same: true });
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) left.push({ text: a[i++]!, same: false });
    else right.push({ text: b[j++]!, same: false });
  }
  while (i < a.length) left.push({ text: a[i++]!, same: false });
  while (j < b.length) right.push({ text: b[j++]!, same: false });
  return { line: left, command: right };
}
