import { z } from 'zod';
import { ErrorCode } from '@flightdeck/contracts';
import { HttpTransport, apiUrl, errorCodeOfStatus, pathOf, resultOf } from './http-transport';

describe('apiUrl and pathOf', () => {
  it('puts the API prefix after the origin and leaves unset query values out', () => {
    expect(
      apiUrl('http://gw:3000/', '/projects/p/deployments', {
        status: 'failed',
        limit: 5,
        offset: undefined,
        deleted: null,
      }),
    ).toBe('http://gw:3000/api/v1/projects/p/deployments?status=failed&limit=5');
    expect(apiUrl('http://gw:3000', '/projects')).toBe('http://gw:3000/api/v1/projects');
  });
  it('encodes query values and path ids so that neither can become another path', () => {
    expect(apiUrl('http://gw', '/x', { q: 'a b&c=d' })).toBe('http://gw/api/v1/x?q=a+b%26c%3Dd');
    expect(pathOf`/environments/${'e/1'}/variables/${'../admin'}`).toBe(
      '/environments/e%2F1/variables/..%2Fadmin',
    );
  });
});

describe('resultOf', () => {
  const Item = z.object({ id: z.string() });
  it('parses a 2xx body with the route schema', () => {
    expect(resultOf(200, { id: 'a', extra: 1 }, Item)).toEqual({ ok: true, data: { id: 'a' } });
  });
  it('turns a 2xx body that does not match into validation/invalid-message naming the field, not a crash', () => {
    const r = resultOf(200, { id: 3 }, Item);
    expect(r).toMatchObject({ ok: false, error: { code: ErrorCode.InvalidMessage } });
    expect(!r.ok && r.error.message).toContain('id');
  });
  it("keeps the gateway's error code, message and details", () => {
    const body = {
      error: { code: 'deployment/already-running', message: 'busy', details: { deploymentId: 'd' } },
    };
    expect(resultOf(409, body, Item)).toEqual({
      ok: false,
      error: { code: 'deployment/already-running', message: 'busy', details: { deploymentId: 'd' } },
    });
  });
  it('maps a code it does not know, or no body, by the status, keeping what was sent', () => {
    expect(resultOf(401, { error: { code: 'webhook/bad-signature', message: 'nope' } }, Item)).toEqual({
      ok: false,
      error: {
        code: ErrorCode.Unauthenticated,
        message: 'nope',
        details: { status: 401, serverCode: 'webhook/bad-signature' },
      },
    });
    expect(resultOf(502, '<html>bad gateway</html>', Item)).toMatchObject({
      ok: false,
      error: { code: ErrorCode.ServiceUnavailable, message: 'HTTP 502' },
    });
    expect(errorCodeOfStatus(500)).toBe(ErrorCode.InternalError);
    expect(errorCodeOfStatus(418)).toBe(ErrorCode.InvalidInput);
  });
});

describe('HttpTransport', () => {
  const Item = z.object({ id: z.string() });
  const reply = (status: number, body: unknown, type = 'application/json') =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': type },
    });

  it('sends the token, a JSON body and its query, and parses the answer', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const fetch = (async (url: string, init: RequestInit) => (
      seen.push({ url, init }),
      reply(201, { id: 'x' })
    )) as unknown as typeof globalThis.fetch;
    const t = new HttpTransport({ baseUrl: 'http://gw', token: 'tok', fetch });
    expect(await t.request('POST', '/projects', Item, { body: { name: 'a' }, query: { dry: true } })).toEqual(
      { ok: true, data: { id: 'x' } },
    );
    expect(seen[0].url).toBe('http://gw/api/v1/projects?dry=true');
    expect(seen[0].init.headers).toMatchObject({
      authorization: 'Bearer tok',
      'content-type': 'application/json',
    });
    expect(seen[0].init.body).toBe('{"name":"a"}');
  });
  it('answers service/unavailable when nothing answers (connection refused), never throws', async () => {
    const t = new HttpTransport({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 5_000 });
    const r = await t.request('GET', '/projects', Item);
    expect(r).toMatchObject({ ok: false, error: { code: ErrorCode.ServiceUnavailable } });
    expect(!r.ok && r.error.message).toContain('cannot reach http://127.0.0.1:9/api/v1/projects');
  });
  it('answers validation/invalid-message for a 2xx that is not JSON', async () => {
    const fetch = (async () => reply(200, '{not json')) as unknown as typeof globalThis.fetch;
    expect(await new HttpTransport({ baseUrl: 'http://gw', fetch }).request('GET', '/x', Item)).toMatchObject(
      { ok: false, error: { code: ErrorCode.InvalidMessage } },
    );
  });
});
