import type { LogLine } from '@flightdeck/contracts';

export type LineFilter = Partial<Pick<LogLine, 'level' | 'step' | 'source'>>;

export const matches = (f: LineFilter, l: LogLine): boolean =>
  (f.level === undefined || f.level === l.level) &&
  (f.step === undefined || f.step === l.step) &&
  (f.source === undefined || f.source === l.source);
