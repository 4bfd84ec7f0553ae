// Reads the log follower's output (resources/actions.yaml, x-file-follow): every line arrives as
// `<inode>:<offset>\t<text>`, the offset being where the next line starts. The prefix is taken
// off before the engineer sees the line and kept as the cursor, so a follow that loses its
// connection resumes at exactly that byte of exactly that file (found again after logrotate
// moved it to .1): no line lost, none shown twice.

import { LineSplitter } from '../lineSplitter';

const PREFIXED = /^(\d{1,20}):(\d{1,20})\t/;

export class FileOffsetFormatter {
  private readonly lines = new LineSplitter();
  /** `inode:offset` after the last whole line received; only digits, so safe to hand back */
  cursor: string | null = null;

  push(chunk: string): string[] {
    const out: string[] = [];
    for (const { text: line } of this.lines.push(chunk)) {
      const m = PREFIXED.exec(line);
      if (!m) {
        out.push(line); // not from the follower (a notice): shown as it is
        continue;
      }
      this.cursor = `${m[1]}:${m[2]}`;
      out.push(line.slice(m[0].length));
    }
    return out;
  }

  /** The stream ended: an unterminated last line was cut in transit and will come again. */
  end(): void {
    this.lines.end();
  }
}
