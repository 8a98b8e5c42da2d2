// Container health check of a Flightdeck service: exit 0 when GET /health/ready on the service's own
// HTTP port answers 200 (its database and NATS are reachable), else 1. The images have Node but
// neither curl nor wget. The port is read from the variable the service itself reads.
const readyUrl = (env) => {
  const port = env.FLIGHTDECK_GATEWAY_PORT || env.HTTP_PORT;
  if (!port) throw new Error('neither FLIGHTDECK_GATEWAY_PORT nor HTTP_PORT is set');
  return `http://127.0.0.1:${port}/health/ready`;
};

if (require.main === module) {
  fetch(readyUrl(process.env), { signal: AbortSignal.timeout(4_000) })
    .then((res) => process.exit(res.status === 200 ? 0 : 1))
    .catch(() => process.exit(1));
}

module.exports = { readyUrl };
