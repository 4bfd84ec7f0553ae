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

/** How many lines toLines(chunks) gives, without making them. */
export function countLines(chunks: ReadonlyArray<{ text: string }>): number {
  let count = 0;
  let open = false;
  for (const chunk of chunks) {
    if (chunk.text === '') continue;
    let newlines = 0;
    for (let i = chunk.text.indexOf('\n'); i !== -1; i = chunk.text.indexOf('\n', i + 1)) newlines++;
    // each newline ends a line; the first part continues an open line; a last empty part is none
    count += newlines + 1 - (open ? 1 : 0) - (chunk.text.endsWith('\n') ? 1 : 0);
    open = !chunk.text.endsWith('\n');
  }
  return count;
}

/**
 * toLines(chunks).slice(from, to), making only those lines: a follow's view draws the newest few
 * hundred of the thousands of lines a host's kept output holds, once per batch.
 */
export function linesBetween(chunks: ReadonlyArray<{ stream: 'stdout' | 'stderr'; text: string }>, from: number, to: number): OutputLine[] {
  const lines: OutputLine[] = [];
  let index = 0; // the number the next new line gets
  let open = false;
  for (const chunk of chunks) {
    const text = chunk.text;
    if (text === '') continue;
    const stderr = chunk.stream === 'stderr';
    for (let start = 0; start <= text.length;) {
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
