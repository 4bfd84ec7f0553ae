// A tiny fuzzy scorer for the command palette: each word of the query must appear in order as
// a subsequence of the label; contiguous runs and word starts score higher, gaps cost. A few
// hundred palette items are scored per keystroke, so no index is needed (minisearch serves the
// runbook text search in main).
export interface FuzzyMatch {
  score: number;
  /** indices of the label's matched characters, for highlighting */
  positions: number[];
}

const isWordStart = (text: string, i: number): boolean => i === 0 || /[\s:›/_.-]/.test(text[i - 1]!);

function matchWord(word: string, label: string, lower: string, from: number): FuzzyMatch | null {
  // prefer a contiguous hit at a word start, then any contiguous hit, then a subsequence
  for (let i = lower.indexOf(word, 0); i >= 0; i = lower.indexOf(word, i + 1)) {
    if (isWordStart(label, i)) return { score: 12 + word.length * 4, positions: [...Array(word.length).keys()].map((k) => k + i) };
  }
  const at = lower.indexOf(word, from);
  if (at >= 0) return { score: 6 + word.length * 3, positions: [...Array(word.length).keys()].map((k) => k + at) };
  // A subsequence starts at a word start; each next letter is at most 3 characters on, or at
  // a word start ("cb" -> Circuit Breakers), so letters scattered over a sentence do not count.
  for (let start = 0; start < lower.length; start++) {
    if (lower[start] !== word[0] || !isWordStart(label, start)) continue;
    const positions = [start];
    let score = 2;
    for (let i = start + 1; i < lower.length && positions.length < word.length; i++) {
      if (lower[i] !== word[positions.length]) continue;
      const prev = positions[positions.length - 1]!;
      const near = i - prev - 1 <= 3;
      if (!near && !isWordStart(label, i)) continue;
      score += prev === i - 1 ? 3 : isWordStart(label, i) ? 2 : 1;
      positions.push(i);
    }
    if (positions.length === word.length) return { score, positions };
  }
  return null;
}

export function fuzzyScore(query: string, label: string): FuzzyMatch | null {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { score: 0, positions: [] };
  const lower = label.toLowerCase();
  let score = 0;
  const positions = new Set<number>();
  for (const word of words) {
    const m = matchWord(word, label, lower, 0);
    if (!m) return null;
    score += m.score;
    m.positions.forEach((p) => positions.add(p));
  }
  // shorter labels win ties: "Restart" over "Restart every service"
  return { score: score - label.length / 100, positions: [...positions].sort((a, b) => a - b) };
}

/**
 * Best first; items that do not match are dropped. An item whose label does not hold every word
 * may still match with its keywords (scored lower; only the label's letters are marked).
 */
export function rankItems<T>(
  items: readonly T[],
  query: string,
  label: (item: T) => string,
  limit = 50,
  keywords?: (item: T) => string | undefined,
): Array<{ item: T; match: FuzzyMatch }> {
  const scored: Array<{ item: T; match: FuzzyMatch }> = [];
  for (const item of items) {
    const text = label(item);
    let match = fuzzyScore(query, text);
    const extra = match ? undefined : keywords?.(item);
    if (!match && extra) {
      const wide = fuzzyScore(query, `${text} · ${extra}`);
      if (wide) match = { score: wide.score - 8, positions: wide.positions.filter((p) => p < text.length) };
    }
    if (match) scored.push({ item, match });
  }
  if (query.trim()) scored.sort((a, b) => b.match.score - a.match.score);
  return scored.slice(0, limit);
}
