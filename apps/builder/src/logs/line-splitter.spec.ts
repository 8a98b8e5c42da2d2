import { LineSplitter } from './line-splitter';

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
});
