import { isObservable, lastValueFrom } from 'rxjs';

// A Nest RPC handler proxy returns a value, a promise or an observable (errors arrive as the latter).
export async function settle(result: unknown): Promise<unknown> {
  const value = await result;
  return isObservable(value) ? lastValueFrom(value, { defaultValue: undefined }) : value;
}
