// JetStream answers "503 no responders" for a moment while nats-server restarts or reloads its
// users (a publisher created or revoked): a request made in that moment is worth repeating.
export async function retryWhileUnavailable<T>(fn: () => Promise<T>, opts: { attempts?: number; delayMs?: number } = {}): Promise<T> {
  const attempts = opts.attempts ?? 10;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const unavailable = (e as { code?: string }).code === '503' || (e as Error).message === '503';
      if (!unavailable || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, (opts.delayMs ?? 100) * i));
    }
  }
}
