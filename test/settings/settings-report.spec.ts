import { checkSettings } from '../../scripts/settings-report';

// What `npm start` says before it starts anything.
describe("npm start's settings check", () => {
  const check = (env: NodeJS.ProcessEnv) => {
    const said: string[] = [];
    return { ok: checkSettings(env, (m) => said.push(m)), said };
  };

  it('stops the start when a platform credential is named to pass to builds, naming each', () => {
    const { ok, said } = check({ FLIGHTDECK_BUILD_PASS_THROUGH: 'GIT_SSL_CAINFO,DATABASE_URL,NATS_PASSWORD,PGPASSWORD' });
    expect(ok).toBe(false);
    expect(said).toEqual([
      expect.stringMatching(/^invalid setting FLIGHTDECK_BUILD_PASS_THROUGH: DATABASE_URL is .* \(builder\)$/),
      expect.stringMatching(/^invalid setting FLIGHTDECK_BUILD_PASS_THROUGH: NATS_PASSWORD is .* \(builder\)$/),
      expect.stringMatching(/^invalid setting FLIGHTDECK_BUILD_PASS_THROUGH: PGPASSWORD is .* \(builder\)$/),
    ]);
  });

  it('accepts variables of the machine', () => {
    expect(check({ FLIGHTDECK_BUILD_PASS_THROUGH: 'GIT_SSL_CAINFO, YARN_REGISTRY' })).toEqual({ ok: true, said: [] });
  });
});
