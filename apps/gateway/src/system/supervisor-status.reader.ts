import { readFile } from 'node:fs/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { SupervisorStatus } from '@flightdeck/contracts';

export const SUPERVISOR_FILE = Symbol('SUPERVISOR_FILE');

// The launcher (npm start) cannot be asked over the bus: it writes what it supervises to a file
// in its data dir, replaced whole on every change, and passes its path to this gateway.
@Injectable()
export class SupervisorStatusReader {
  private readonly logger = new Logger(SupervisorStatusReader.name);

  constructor(@Inject(SUPERVISOR_FILE) private readonly file: string | undefined) {}

  async read(): Promise<SupervisorStatus | undefined> {
    if (!this.file) return undefined;
    try {
      return SupervisorStatus.parse(JSON.parse(await readFile(this.file, 'utf8')));
    } catch (e) {
      // a status without the supervisor's part beats no status at all
      this.logger.warn({ file: this.file, err: (e as Error).message }, 'cannot read the supervisor status');
      return undefined;
    }
  }
}
