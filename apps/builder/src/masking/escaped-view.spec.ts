import { escapedView } from './escaped-view';

describe('escaped view of a line', () => {
  it('reads \\uXXXX in either case, \\/ and the short escapes, and maps each character back', () => {
    const raw = 'a\\u0042\\u00e9\\/\\n\\"z';
    const view = escapedView(raw)!;
    expect(view.text).toBe('aBé/\n"z');
    expect(view.rawRange(1, 3)).toEqual([1, 13]);
    expect(raw.slice(...view.rawRange(0, view.text.length))).toBe(raw);
    expect(raw.slice(...view.rawRange(3, 4))).toBe('\\/');
  });

  it('reads an escaped backslash first, so \\\\u0041 stays a backslash and "u0041"', () => {
    expect(escapedView('\\\\u0041')!.text).toBe('\\u0041');
  });

  it('has no view for a line without escapes, or with backslashes that escape nothing', () => {
    expect(escapedView('plain text')).toBeUndefined();
    expect(escapedView('C:\\Users\\me and \\u12')).toBeUndefined();
  });
});
