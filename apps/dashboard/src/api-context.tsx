import { createContext, useContext } from 'react';
import type { DeploymentClient } from '@flightdeck/client';
import { describeError } from './view-model';

export interface Api {
  client: DeploymentClient;
  /** back to sign-in, saying why (an expired or revoked token) */
  signOut(reason?: string): void;
}

export const ApiContext = createContext<Api | null>(null);

export const useApi = (): Api => {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside a signed-in page');
  return api;
};

/** an error Result's text for the page; a token the gateway no longer takes signs out instead */
export const useErrorText = () => {
  const { signOut } = useApi();
  return (e: { code: string; message: string }): string => {
    if (e.code === 'auth/unauthenticated') signOut('Your token is no longer accepted: sign in again.');
    return describeError(e);
  };
};
