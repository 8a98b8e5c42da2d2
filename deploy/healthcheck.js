// Container health check of a Flightdeck service: exit 0 when GET /health/ready on the service's
// operations port (HTTP_PORT, the gateway's too) answers 200 (its database and NATS are reachable),
// else 1. The images have Node but neither curl nor wget.
const readyUrl = (env) => {
  const port = env.HTTP_PORT;
  if (!port) throw new Error('HTTP_PORT is not set');
  return `http://127.0.0.1:${port}/health/ready`;
};

if (require.main === module) {
  fetch(readyUrl(process.env), { signal: AbortSignal.timeout(4_000) })
    .then((res) => process.exit(res.status === 200 ? 0 : 1))
    .catch(() => process.exit(1));
}

module.exports = { readyUrl };
