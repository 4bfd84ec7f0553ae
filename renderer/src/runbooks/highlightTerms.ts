// Splits text into plain and matched pieces for <mark>: the search answers with the indexed
// words that matched (after typo tolerance and prefixes), and any word of the text starting
// with one of them is marked.
export interface Piece {
  text: string;
  match: boolean;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function highlightTerms(text: string, terms: readonly string[]): Piece[] {
  const words = [...new Set(terms.map((t) => t.trim()).filter((t) => t.length > 0))].sort((a, b) => b.length - a.length);
  if (words.length === 0 || !text) return [{ text, match: false }];
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.map(escape).join('|')})[\\p{L}\\p{N}]*`, 'giu');
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const at = m.index ?? 0;
    if (at > last) pieces.push({ text: text.slice(last, at), match: false });
    pieces.push({ text: m[0], match: true });
    last = at + m[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), match: false });
  return pieces;
}
