import { LineSplitter, MAX_PENDING_CHARS } from './line-splitter';

const split = (chunks: (string | Buffer)[]) => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  chunks.forEach((c) => s.write(c));
  s.end();
  return lines;
};

describe('line splitter', () => {
  it('joins lines split across chunks and keeps the unterminated last line', () => {
    expect(split(['hel', 'lo\nwor', 'ld\npartial'])).toEqual(['hello', 'world', 'partial']);
  });

  it('treats \\r\\n as one break, also when split across chunks, and \\r alone as a break', () => {
    expect(split(['a\r\nb\r', '\nc\rd\n'])).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps empty lines', () => {
    expect(split(['a\n\nb\n'])).toEqual(['a', '', 'b']);
  });

  it('does not break a UTF-8 character split across chunks', () => {
    const bytes = Buffer.from('größe ✓\n');
    expect(split([bytes.subarray(0, 3), bytes.subarray(3, 9), bytes.subarray(9)])).toEqual(['größe ✓']);
  });

  it('cuts a line with no end in sight once it passes 1 MiB, keeping the rest for what follows', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.write('a'.repeat(MAX_PENDING_CHARS));
    expect(lines).toEqual([]);
    s.write('bb');
    expect(lines).toEqual(['a'.repeat(MAX_PENDING_CHARS) + 'bb']);
    s.write('c\n');
    expect(lines.slice(1)).toEqual(['c']);
  });

  it('cuts where it is told, waits when told 0, and never between the halves of a surrogate pair', () => {
    const lines: string[] = [];
    let cutAt = 0;
    const s = new LineSplitter((l) => lines.push(l), () => cutAt);
    const long = 'a'.repeat(MAX_PENDING_CHARS - 1) + '🔑' + 'tail';
    s.write(long);
    expect(lines).toEqual([]);
    cutAt = MAX_PENDING_CHARS;
    s.write('!');
    expect(lines).toEqual(['a'.repeat(MAX_PENDING_CHARS - 1)]);
    s.write('\n');
    expect(lines[1]).toBe('🔑tail!');
  });
});
