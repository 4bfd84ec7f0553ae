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
