// Reports one deployment to Flightdeck as a team's own CI would: phases, log lines and a result,
// published over NATS JetStream with a publisher credential of the project. It depends on the `nats`
// package only and builds the documented envelopes itself (see README.md beside it).
//
//   FLIGHTDECK_NATS_URL=nats://127.0.0.1:14222 FLIGHTDECK_NATS_USER=pub_… FLIGHTDECK_NATS_PASSWORD=… \
//   FLIGHTDECK_NATS_INBOX_PREFIX=_INBOX_pub_… FLIGHTDECK_PROJECT_ID=… FLIGHTDECK_DEPLOYMENT_ID=… \
//   node examples/external-publisher/publish.mjs
import { connect } from 'nats';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) {
    console.error(`publish: set ${name}`);
    process.exit(2);
  }
  return v;
};

const servers = env('FLIGHTDECK_NATS_URL').split(',');
const user = env('FLIGHTDECK_NATS_USER');
const pass = env('FLIGHTDECK_NATS_PASSWORD');
const inboxPrefix = env('FLIGHTDECK_NATS_INBOX_PREFIX');
const projectId = env('FLIGHTDECK_PROJECT_ID');
const deploymentId = env('FLIGHTDECK_DEPLOYMENT_ID');
const attempt = Number(env('FLIGHTDECK_ATTEMPT', '1'));
const lineCount = Number(env('LINES', '300'));
const outcome = env('OUTCOME', 'succeeded');
const url = env('FLIGHTDECK_RESULT_URL', `https://ci.example.com/deployments/${deploymentId}`);

// The envelope every bus message wears: `type` names the event, `v` its schema version.
const envelope = (type, id, data) =>
  new TextEncoder().encode(JSON.stringify({ v: 1, id, type, at: new Date().toISOString(), data }));
const subject = (kind) => `external.${projectId}.build.${kind}.${deploymentId}`;

const nc = await connect({ servers, user, pass, inboxPrefix, name: `publisher ${user}` });
const js = nc.jetstream();

// A stable message id per fact: a retried publish is dropped by JetStream and, past its duplicate
// window, by the platform (log lines are keyed by seq, events by their id).
async function publish(kind, type, id, data) {
  await js.publish(subject(kind), envelope(type, id, data), { msgID: id, timeout: 5_000 });
}

const progress = (stage, phase, pct) =>
  publish('progress', 'build.progress.*', `${deploymentId}:${attempt}:${stage}:${phase}`, {
    deploymentId, attempt, stage, phase, progress: pct, at: new Date().toISOString(),
  });

try {
  await progress('initializing', 'pulling_source', 5);
  await progress('building', 'building', 30);
  const steps = ['install', 'build', 'test'];
  for (let from = 1; from <= lineCount; from += 100) {
    const lines = [];
    for (let seq = from; seq < from + 100 && seq <= lineCount; seq++) {
      const step = steps[Math.min(steps.length - 1, Math.floor(((seq - 1) * steps.length) / lineCount))];
      lines.push({ seq, timestamp: new Date().toISOString(), level: seq % 50 === 0 ? 'warn' : 'info', source: 'build', step, message: `[${step}] line ${seq} of ${lineCount}` });
    }
    await publish('logs', 'build.logs.*', `${deploymentId}:${attempt}:${from}`, { deploymentId, lines });
  }
  await progress('deploying', 'releasing', 90);
  await publish('result', 'build.result.*', `${deploymentId}:${attempt}:result`, {
    deploymentId,
    attempt,
    outcome,
    lastSeq: lineCount,
    at: new Date().toISOString(),
    ...(outcome === 'succeeded' ? { url } : { failure: { code: 'deployment/build-failed', message: 'the CI build failed', step: 'test' } }),
  });
  console.log(`published ${lineCount} lines and the result (${outcome}) of deployment ${deploymentId}`);
  await nc.drain();
} catch (e) {
  console.error(`publish failed: ${e.message}`);
  await nc.close();
  process.exit(1);
}
