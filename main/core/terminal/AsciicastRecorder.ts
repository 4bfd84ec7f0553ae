// Terminal recording in asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a JSON
// header line, then one `[seconds, "o", text]` line per output event. Only output is recorded,
// never keystrokes. Output goes through the Redactor line by line (a secret split across two
// chunks is still caught because text is held until its line ends, or, for a line longer than
// 4096 characters, until its last whitespace), so a recording never holds more than the screen
// showed after scrubbing. A recording that cannot be written (disk full, folder gone) stops
// itself and says why in `failure`; it never takes the terminal or the process down.
import { open, type FileHandle } from 'node:fs/promises';
import type { RedactState, Redactor } from '../redact/Redactor';

export class AsciicastRecorder {
  private pending = '';
  private readonly state: RedactState = { inPrivateKey: false };
  private chain: Promise<void>;
  private file: FileHandle | null = null;
  /** why recording stopped, if it did */
  failure: string | null = null;

  constructor(
    readonly path: string,
    private readonly redactor: Redactor,
    private readonly startedAtMs: number,
    size: { cols: number; rows: number },
    private readonly now: () => number,
  ) {
    const header = JSON.stringify({
      version: 2,
      width: size.cols,
      height: size.rows,
      timestamp: Math.floor(startedAtMs / 1000),
      env: { TERM: 'xterm-256color' },
    });
    this.chain = open(path, 'wx', 0o600)
      .then(async (file) => {
        this.file = file;
        await file.write(`${header}\n`);
      })
      .catch((error: Error) => this.fail(error));
  }

  output(text: string): void {
    this.pending += text;
    const lastNewline = this.pending.lastIndexOf('\n');
    if (lastNewline < 0) {
      // a prompt without a newline still has to show up in the recording eventually
      if (this.pending.length < 4096) return;
      // Cut at the last whitespace so a secret is never split between two scrubbed pieces.
      const cut = Math.max(this.pending.lastIndexOf(' '), this.pending.lastIndexOf('\t'), this.pending.lastIndexOf('\r'));
      const at = cut > 0 ? cut + 1 : this.pending.length;
      this.write(this.pending.slice(0, at));
      this.pending = this.pending.slice(at);
      return;
    }
    this.write(this.pending.slice(0, lastNewline + 1));
    this.pending = this.pending.slice(lastNewline + 1);
  }

  resize(cols: number, rows: number): void {
    this.append(JSON.stringify([this.elapsed(), 'r', `${cols}x${rows}`]));
  }

  async close(): Promise<void> {
    if (this.pending) this.write(this.pending);
    this.pending = '';
    await this.chain.catch(() => {});
    await this.file?.close();
    this.file = null;
  }

  private write(text: string): void {
    const redacted = text
      .split('\n')
      .map((line) => this.redactor.redactLine(line, this.state))
      .join('\n');
    this.append(JSON.stringify([this.elapsed(), 'o', redacted]));
  }

  private elapsed(): number {
    return Math.round(this.now() - this.startedAtMs) / 1000;
  }

  private append(line: string): void {
    if (this.failure) return;
    this.chain = this.chain
      .then(async () => {
        if (!this.failure) await this.file?.write(`${line}\n`);
      })
      .catch((error: Error) => this.fail(error));
  }

  private fail(error: Error): void {
    this.failure ??= `recording stopped: ${error.message}`;
    void this.file?.close().catch(() => {});
    this.file = null;
  }
}
