import { formatDotenvValue, parseDotenv } from './dotenv-lines';

describe('.env lines', () => {
  it('reads KEY=value lines the way .env files are written', () => {
    const text = [
      '# comment',
      '',
      'PLAIN=value',
      'export EXPORTED=yes',
      'SPACED = around ',
      'WITH_COMMENT=abc # note',
      'HASH_INSIDE=a#b',
      "SINGLE='literal \\n $HOME'",
      'DOUBLE="line\\nbreak \\"quoted\\""',
      'EMPTY=',
      'URL=postgres://u:p@h:5432/db?sslmode=require',
    ].join('\r\n');
    expect(parseDotenv(text)).toEqual([
      { line: 3, kind: 'entry', key: 'PLAIN', value: 'value' },
      { line: 4, kind: 'entry', key: 'EXPORTED', value: 'yes' },
      { line: 5, kind: 'entry', key: 'SPACED', value: 'around' },
      { line: 6, kind: 'entry', key: 'WITH_COMMENT', value: 'abc' },
      { line: 7, kind: 'entry', key: 'HASH_INSIDE', value: 'a#b' },
      { line: 8, kind: 'entry', key: 'SINGLE', value: 'literal \\n $HOME' },
      { line: 9, kind: 'entry', key: 'DOUBLE', value: 'line\nbreak "quoted"' },
      { line: 10, kind: 'entry', key: 'EMPTY', value: '' },
      { line: 11, kind: 'entry', key: 'URL', value: 'postgres://u:p@h:5432/db?sslmode=require' },
    ]);
  });

  it('takes a double-quoted value over several lines, numbering the lines after it right', () => {
    expect(parseDotenv('PEM="-----BEGIN-----\nabc\n-----END-----"\nNEXT=1')).toEqual([
      { line: 1, kind: 'entry', key: 'PEM', value: '-----BEGIN-----\nabc\n-----END-----' },
      { line: 4, kind: 'entry', key: 'NEXT', value: '1' },
    ]);
  });

  it('names each line it cannot read, and never quotes a value', () => {
    const out = parseDotenv('no equals\n1BAD=x\nBAD-NAME=x\nOPEN="s3cr3t-unclosed\nLATER=1');
    expect(out.map((l) => [l.line, l.kind])).toEqual([
      [1, 'malformed'],
      [2, 'malformed'],
      [3, 'malformed'],
      [4, 'malformed'],
    ]);
    expect(JSON.stringify(out)).not.toContain('s3cr3t');
    expect(parseDotenv('A="x" trailing')).toEqual([{ line: 1, kind: 'malformed', key: 'A', message: 'line 1: A: unexpected text after the closing quote' }]);
  });

  it('refuses values that cannot reach a process, by key and line', () => {
    expect(parseDotenv('OK=1\nBELL=a\u0007b')).toEqual([
      { line: 1, kind: 'entry', key: 'OK', value: '1' },
      { line: 2, kind: 'refused', key: 'BELL', message: expect.stringMatching(/^line 2: BELL may not hold control characters .*U\+0007/) },
    ]);
  });

  it.each(['simple', 'with space', 'quote " and \\ backslash', 'multi\nline', 'tab\there', '', 'a#b', "it's", 'cost $5 ${HOME}', ' padded '])('formats %j so that it reads back the same', (value) => {
    expect(parseDotenv(`K=${formatDotenvValue(value)}`)).toEqual([{ line: 1, kind: 'entry', key: 'K', value }]);
  });
});
