import type { LogLine } from '@flightdeck/contracts';

export type LineFilter = Partial<Pick<LogLine, 'level' | 'step' | 'source'>>;

// A follow without a source is of the deployment's own log (build, deploy, system): its release's
// runtime lines, which may come before the deployment is seen to end, are followed only by asking.
export const matches = (f: LineFilter, l: LogLine): boolean =>
  (f.level === undefined || f.level === l.level) &&
  (f.step === undefined || f.step === l.step) &&
  (f.source === undefined ? l.source !== 'runtime' : f.source === l.source);
