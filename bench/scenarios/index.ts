import type { Scenario } from '../scenario';
import { edge } from './edge';
import { firstDeploy } from './first-deploy';
import { logFollow } from './log-follow';
import { logIngest } from './log-ingest';
import { logQuery } from './log-query';
import { rawCopy } from './raw-copy';
import { rawJetstream } from './raw-jetstream';
import { realBuild } from './real-build';
import { scale } from './scale';
import { sandboxCost } from './sandbox-cost';
import { trigger } from './trigger';

// Every scenario `npm run bench` knows, in the order a full run takes them: raw baselines first,
// so that the scenarios compared with them find this run's values.
export const SCENARIOS: readonly Scenario[] = [rawCopy, logIngest, rawJetstream, firstDeploy, sandboxCost, logFollow, logQuery, trigger, realBuild, edge, scale];
