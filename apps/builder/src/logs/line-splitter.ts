import { StringDecoder } from 'node:string_decoder';

// A line is masked whole before it is cut into records, so a process that never writes a newline
// is cut here, far above any real line, to bound memory.
const MAX_PENDING_CHARS = 1024 * 1024;

// Turns a child's output chunks into lines. Chunks end anywhere, even inside a UTF-8 character;
// \r (progress bars) ends a line like \n does, and \r\n is one break even across two chunks.
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private afterCr = false;

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 && this.afterCr && i === start) {
        start = i + 1;
        this.afterCr = false;
        continue;
      }
      this.afterCr = false;
      if (c !== 10 && c !== 13) continue;
      this.onLine(this.pending + text.slice(start, i));
      this.pending = '';
      this.afterCr = c === 13;
      start = i + 1;
    }
    this.pending += text.slice(start);
    if (this.pending.length > MAX_PENDING_CHARS) {
      this.onLine(this.pending);
      this.pending = '';
    }
  }

  end(): void {
    this.pending += this.decoder.end();
    if (this.pending.length) this.onLine(this.pending);
    this.pending = '';
  }
}
