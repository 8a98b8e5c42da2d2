// A promise that resolves at the next fire(), then renewed: what a provider call's follow loop
// waits on besides its pause (ProviderCallContext.nudged).
export class Nudge {
  private resolve: () => void = () => undefined;
  private promise = this.renew();

  readonly next = (): Promise<void> => this.promise;

  fire(): void {
    const resolve = this.resolve;
    this.promise = this.renew();
    resolve();
  }

  private renew(): Promise<void> {
    return new Promise<void>((r) => (this.resolve = r));
  }
}
