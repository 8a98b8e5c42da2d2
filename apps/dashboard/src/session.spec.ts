import { clearToken, readToken, saveToken } from './session';

const memoryStore = () => {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
};

describe('the signed-in token', () => {
  it('is kept trimmed, read back, and forgotten on sign-out', () => {
    const store = memoryStore();
    expect(readToken(store)).toBeNull();
    saveToken(store, '  fdt_abc \n');
    expect(readToken(store)).toBe('fdt_abc');
    clearToken(store);
    expect(readToken(store)).toBeNull();
  });
});
