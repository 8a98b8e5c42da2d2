// The API token lives in sessionStorage: gone with the tab, never in a URL (a URL ends up in
// history, referrers and proxy logs).
const KEY = 'flightdeck.token';

export type TokenStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const readToken = (store: TokenStore): string | null => {
  const t = store.getItem(KEY);
  return t && t.trim() ? t : null;
};
export const saveToken = (store: TokenStore, token: string) => store.setItem(KEY, token.trim());
export const clearToken = (store: TokenStore) => store.removeItem(KEY);
