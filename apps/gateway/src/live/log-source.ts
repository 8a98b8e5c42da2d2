import type { Deployment } from '@flightdeck/contracts';
import { recordedLastSeq } from './deployment-version';
import { LogRing } from './log-ring';

// Where a follower's lines come from: recent lines in a ring (empty for a finished deployment
// without a feed), older ones from log-ingest, and once known the seq after which the log ends.
export interface LogSource {
  readonly deployment: Deployment;
  readonly ring: LogRing;
  /** set once the deployment is terminal and its last line is known */
  readonly finalSeq: number | undefined;
  /** false: no line will arrive live any more; read everything from log-ingest */
  readonly live: boolean;
  /** the lines around `seq` that were not relayed live (a flood), if it is one of them */
  shedAt(seq: number): ShedLines | undefined;
}

export interface ShedLines {
  fromSeq: number;
  toSeq: number;
  /** the cap they were over */
  linesPerSecond: number;
}

// A deployment that was already terminal when the follower subscribed: history, then end.
export class FinishedLog implements LogSource {
  readonly live = false;
  readonly ring = new LogRing(1, 1);
  readonly finalSeq: number | undefined;

  constructor(readonly deployment: Deployment) {
    this.finalSeq = recordedLastSeq(deployment);
  }

  shedAt(): undefined {
    return undefined;
  }
}
