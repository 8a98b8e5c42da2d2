export interface JobSlot {
  release(): void;
}

// How many builds this replica runs at once. A job waits for a slot before it is accepted, so a
// busy replica leaves the rest of the queue to the others.
export class JobSlots {
  private used = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  get inUse(): number {
    return this.used;
  }

  async acquire(signal: AbortSignal): Promise<JobSlot> {
    while (this.used >= this.capacity) {
      signal.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          this.waiters.splice(this.waiters.indexOf(wake), 1);
          reject(signal.reason);
        };
        const wake = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        this.waiters.push(wake);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    signal.throwIfAborted();
    this.used++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.used--;
        this.waiters.shift()?.();
      },
    };
  }
}
