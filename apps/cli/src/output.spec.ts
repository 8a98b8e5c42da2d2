import { PassThrough } from 'node:stream';
import { Output } from './output';

const streams = (tty: boolean) => {
  const stdout = Object.assign(new PassThrough(), { isTTY: tty, columns: 40 });
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (b) => (out += b));
  return { s: { stdout, stderr, stdin: new PassThrough() }, text: () => out };
};

describe('output', () => {
  it('keeps a live status line under the log on a terminal, redrawn after each line', () => {
    const { s, text } = streams(true);
    const out = new Output(s, false, { NO_COLOR: '1' });
    out.status('⠋ building 40% · 3s');
    out.line('    1 build    hello');
    out.clearStatus();
    out.line('done');
    expect(text()).toBe('\r\x1b[2K⠋ building 40% · 3s' + '\r\x1b[2K    1 build    hello\n' + '⠋ building 40% · 3s' + '\r\x1b[2K' + 'done\n');
  });

  it('prints no status line and no colour when stdout is not a terminal', () => {
    const { s, text } = streams(false);
    const out = new Output(s, false, {});
    out.status('⠋ building');
    out.line('plain');
    expect(out.color).toBe(false);
    expect(text()).toBe('plain\n');
  });

  it('prints only the JSON document with --json', () => {
    const { s, text } = streams(false);
    const out = new Output(s, true, {});
    out.line('human');
    out.table([{ a: 1 }], ['a']);
    out.result({ a: 1 }, () => out.line('human'));
    expect(JSON.parse(text())).toEqual({ a: 1 });
  });

  it('cuts a status line to the terminal width', () => {
    const { s, text } = streams(true);
    new Output(s, false, { NO_COLOR: '1' }).status('x'.repeat(100));
    expect(text()).toBe(`\r\x1b[2K${'x'.repeat(38)}…`);
  });
});
