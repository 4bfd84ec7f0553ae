// A host's run output (same-stream chunks, as the store keeps them) split into display lines
// for the virtualized view. The last line may still be growing; it is kept as is.
export interface OutputLine {
  text: string;
  stderr: boolean;
}

export function toLines(chunks: ReadonlyArray<{ stream: 'stdout' | 'stderr'; text: string }>): OutputLine[] {
  const lines: OutputLine[] = [];
  let open = false; // the last line has had no newline yet
  for (const chunk of chunks) {
    if (chunk.text === '') continue;
    const stderr = chunk.stream === 'stderr';
    const parts = chunk.text.split('\n');
    parts.forEach((part, i) => {
      if (i === 0 && open) {
        const last = lines[lines.length - 1]!;
        lines[lines.length - 1] = { text: last.text + part, stderr: last.stderr || stderr };
      } else if (i < parts.length - 1 || part !== '') {
        lines.push({ text: part, stderr });
      }
    });
    open = !chunk.text.endsWith('\n');
  }
  return lines;
}

/** The newlines in text. */
export function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** How many lines toLines(chunks) gives, without making them. */
export function countLines(chunks: ReadonlyArray<{ text: string }>): number {
  let count = 0;
  let open = false;
  for (const chunk of chunks) {
    if (chunk.text === '') continue;
    const newlines = countNewlines(chunk.text);
    // each newline ends a line; the first part continues an open line; a last empty part is none
    count += newlines + 1 - (open ? 1 : 0) - (chunk.text.endsWith('\n') ? 1 : 0);
    open = !chunk.text.endsWith('\n');
  }
  return count;
}

/** countLines(chunks), given the newlines in them (the store counts them as output comes). */
export function countLinesOf(chunks: ReadonlyArray<{ text: string }>, newlines: number): number {
  for (let c = chunks.length - 1; c >= 0; c--) {
    const text = chunks[c]!.text;
    // a last line without its newline yet is a line too
    if (text !== '') return newlines + (text.endsWith('\n') ? 0 : 1);
  }
  return newlines;
}

/**
 * Where line `line` of `count` (as countLines counts them) begins: read back from the end, so
 * finding one of the newest lines reads only the lines after it.
 */
function lineStart(chunks: ReadonlyArray<{ text: string }>, count: number, line: number): { chunk: number; offset: number } {
  const last = chunks.findLastIndex((c) => c.text !== '');
  if (line <= 0 || last === -1) return { chunk: 0, offset: 0 };
  const open = !chunks[last]!.text.endsWith('\n');
  // line `line` begins after the line-th newline; there are count - open newlines in all
  let after = count - (open ? 1 : 0) - line; // newlines after that one
  for (let c = last; c >= 0; c--) {
    const text = chunks[c]!.text;
    for (let i = text.lastIndexOf('\n'); i !== -1; i = i > 0 ? text.lastIndexOf('\n', i - 1) : -1) {
      if (after-- === 0) return { chunk: c, offset: i + 1 };
    }
  }
  return { chunk: 0, offset: 0 };
}

/**
 * toLines(chunks).slice(from, to), making only those lines: a follow's view draws the newest few
 * hundred of the thousands of lines a host's kept output holds, once per batch. Given `count`
 * (countLines(chunks)), the lines are found from the end, not read from the first.
 */
export function linesBetween(chunks: ReadonlyArray<{ stream: 'stdout' | 'stderr'; text: string }>, from: number, to: number, count?: number): OutputLine[] {
  const lines: OutputLine[] = [];
  if (count !== undefined && from >= Math.min(to, count)) return lines;
  const begin = count === undefined ? { chunk: 0, offset: 0 } : lineStart(chunks, count, from);
  let index = count === undefined ? 0 : Math.max(0, from); // the number the next new line gets
  let open = false;
  for (let c = begin.chunk; c < chunks.length; c++) {
    const text = chunks[c]!.text;
    if (text === '') continue;
    const stderr = chunks[c]!.stream === 'stderr';
    for (let start = c === begin.chunk ? begin.offset : 0; start <= text.length;) {
      const nl = text.indexOf('\n', start);
      const end = nl === -1 ? text.length : nl;
      if (start === 0 && open) {
        // continues the open line, which is this range's last if it is in the range at all
        if (index - 1 >= from && index - 1 < to) {
          const last = lines[lines.length - 1]!;
          lines[lines.length - 1] = { text: last.text + text.slice(0, end), stderr: last.stderr || stderr };
        }
      } else if (nl !== -1 || end > start) {
        if (index >= from && index < to) lines.push({ text: text.slice(start, end), stderr });
        index++;
      }
      if (nl === -1) break;
      start = nl + 1;
    }
    open = !text.endsWith('\n');
  }
  return lines;
}
