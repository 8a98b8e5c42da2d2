import { checkProvider, providerChange } from './environment-provider';

describe("an environment's provider configuration", () => {
  it('stores a known provider with its defaults filled in, internal (or null) as null, and refuses bad settings naming the field', () => {
    expect(checkProvider({})).toBeUndefined();
    expect(checkProvider({ provider: null })).toEqual({ ok: true, data: null });
    expect(checkProvider({ provider: { name: 'internal', settings: {} } })).toEqual({ ok: true, data: null });
    expect(checkProvider({ provider: { name: 'github-pages', settings: { repository: 'https://github.com/acme/site' } } })).toEqual({
      ok: true,
      data: { name: 'github-pages', settings: { repository: 'https://github.com/acme/site', branch: 'gh-pages' } },
    });
    expect(checkProvider({ provider: { name: 'custom', settings: { url: 'https://deploy.acme.example/hook' } } })).toMatchObject({
      ok: false,
      error: { code: 'validation/invalid-input', message: 'provider custom: settings.secretVariable is required', details: { field: 'provider.settings.secretVariable' } },
    });
    expect(checkProvider({ provider: { name: 'internal', settings: { x: 1 } } })).toMatchObject({ ok: false, error: { details: { field: 'provider.settings' } } });
    expect(checkProvider({ provider: { name: 'heroku', settings: {} } })).toMatchObject({ ok: false, error: { details: { field: 'provider.name' } } });
  });

  it('changes only what differs from what is stored', () => {
    const pages = { name: 'github-pages', settings: { repository: 'https://github.com/acme/site', branch: 'gh-pages' } };
    expect(providerChange(pages, undefined)).toEqual({});
    expect(providerChange(pages, { ...pages, settings: { ...pages.settings } })).toEqual({});
    expect(providerChange(pages, null)).toEqual({ provider: null });
    expect(providerChange(null, pages)).toEqual({ provider: pages });
    expect(providerChange(undefined, null)).toEqual({});
  });
});
