import { StringDecoder } from 'node:string_decoder';

// A process that never writes a newline is cut here, far above any real line, to bound memory.
export const MAX_PENDING_CHARS = 1024 * 1024;

/** where a too-long line may be cut while more of it is to come; 0 to wait for more */
export type CutLongLine = (pending: string) => number;

// Turns a child's output chunks into lines. Chunks end anywhere, even inside a UTF-8 character;
// \r (progress bars) ends a line like \n does, and \r\n is one break even across two chunks.
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private afterCr = false;

  // Masking sees one line at a time, so the cut of a too-long line must not fall inside a secret:
  // the build log cuts where its masker says (SecretMasker.safeCut) and keeps the rest.
  constructor(
    private readonly onLine: (line: string) => void,
    private readonly cutLongLine: CutLongLine = (pending) => pending.length,
  ) {}

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
    if (this.pending.length > MAX_PENDING_CHARS) this.cut();
  }

  private cut(): void {
    let at = Math.min(this.cutLongLine(this.pending), this.pending.length);
    // not between the two halves of a surrogate pair
    if (at > 0 && at < this.pending.length && isHighSurrogate(this.pending.charCodeAt(at - 1))) at -= 1;
    if (at <= 0) return;
    this.onLine(this.pending.slice(0, at));
    this.pending = this.pending.slice(at);
  }

  end(): void {
    this.pending += this.decoder.end();
    if (this.pending.length) this.onLine(this.pending);
    this.pending = '';
  }
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
