import { z } from 'zod';
import type { ProviderDefinition, ProviderHost } from './deployment-provider';
import { ProviderRegistry } from './provider-registry';

const host: ProviderHost = { dataDir: '/nowhere', env: {}, allowPrivateAddresses: false };

const created: Record<string, unknown>[] = [];
const example: ProviderDefinition<{ url: string; tokenVariable: string }> = {
  name: 'example',
  description: 'a provider for this test',
  settings: z.object({ url: z.string().url(), tokenVariable: z.string().min(1) }).strict(),
  credentials: ['tokenVariable'],
  supports: { rollback: false, cancel: false, webhooks: false },
  create: (input) => {
    created.push(input);
    return { deploy: async () => ({ url: input.settings.url }) };
  },
};

describe('ProviderRegistry', () => {
  const registry = new ProviderRegistry([example]);
  const config = { name: 'example', settings: { url: 'https://example.test', tokenVariable: 'EXAMPLE_TOKEN' } };

  it('knows the internal provider and every registered one, and refuses a name twice', () => {
    expect(registry.names()).toEqual(['example', 'internal']);
    expect(() => new ProviderRegistry([example, example])).toThrow('provider example is registered twice');
  });

  it('names the setting at fault: unknown provider, missing or invalid setting, internal with settings', () => {
    expect(() => registry.validate({ name: 'nope', settings: {} })).toThrow('provider nope: name is not a provider this platform has (one of: example, internal)');
    expect(() => registry.validate({ name: 'example', settings: { tokenVariable: 'X' } })).toThrow('provider example: settings.url is required');
    expect(() => registry.validate({ name: 'example', settings: { url: 'not a url', tokenVariable: 'X' } })).toThrow(/settings\.url is not valid/);
    expect(() => registry.validate({ name: 'internal', settings: { url: 'x' } })).toThrow(/provider internal: settings/);
    expect(registry.validate({ name: 'internal', settings: {} })).toEqual({});
  });

  it('resolves a credential from the sensitive variable its setting names, and refuses one missing, plain or empty (never showing a value)', () => {
    const secret = { key: 'EXAMPLE_TOKEN', value: 's3cret-value', sensitive: true };
    registry.create(config, [secret], host);
    expect(created.at(-1)).toMatchObject({ credentials: { tokenVariable: 's3cret-value' }, settings: config.settings });
    expect(() => registry.create(config, [], host)).toThrow('provider example: settings.tokenVariable names the variable EXAMPLE_TOKEN, which this environment does not have');
    const plain = () => registry.create(config, [{ ...secret, sensitive: false }], host);
    expect(plain).toThrow('settings.tokenVariable names the variable EXAMPLE_TOKEN, which is not sensitive: a credential must be a sensitive variable');
    expect(plain).not.toThrow(/s3cret/);
    expect(() => registry.create(config, [{ ...secret, value: '' }], host)).toThrow('which is empty');
  });
});
