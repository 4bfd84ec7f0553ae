// Whole lines out of a stream of chunks (SSH stdout, a child's stderr): a chunk may stop
// anywhere, so what follows its last newline waits for the next one. Every line reader of a
// stream goes through this one, so "what is a line" cannot differ between the journal follow,
// the file follow and the redacted output.

export interface SplitLine {
  /** the line without its newline; at most maxLineLength characters */
  readonly text: string;
  /** how many characters past maxLineLength were dropped (0: the line is whole) */
  readonly cutChars: number;
}

export class LineSplitter {
  private partial = '';
  private cutChars = 0;

  /** maxLineLength bounds the memory one endless line can take; the rest of it is counted, not kept */
  constructor(private readonly maxLineLength = Number.POSITIVE_INFINITY) {}

  /** Feed a chunk; returns the lines it completed, in order. */
  push(chunk: string): SplitLine[] {
    const out: SplitLine[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      this.append(nl === -1 ? chunk.slice(start) : chunk.slice(start, nl));
      if (nl === -1) return out;
      out.push(this.take());
      start = nl + 1;
    }
  }

  /** The stream ended: the unterminated last line, if there is one (the caller decides whether it counts). */
  end(): SplitLine | null {
    if (this.partial === '' && this.cutChars === 0) return null;
    return this.take();
  }

  private append(piece: string): void {
    if (this.cutChars > 0) {
      this.cutChars += piece.length;
      return;
    }
    const room = this.maxLineLength - this.partial.length;
    if (piece.length <= room) {
      this.partial += piece;
      return;
    }
    this.partial += piece.slice(0, room);
    this.cutChars = piece.length - room;
  }

  private take(): SplitLine {
    const line = { text: this.partial, cutChars: this.cutChars };
    this.partial = '';
    this.cutChars = 0;
    return line;
  }
}
