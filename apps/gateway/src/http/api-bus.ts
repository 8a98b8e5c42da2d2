import { Injectable } from '@nestjs/common';
import type { CommandDefinition, CommandReply, CommandRequest, Result } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import { ApiException } from './api.exception';

export const unwrap = <T>(result: Result<T>): T => {
  if (!result.ok) throw ApiException.from(result.error);
  return result.data;
};

// What a route does with the bus: ask the owning service, answer with its data or its error code.
@Injectable()
export class ApiBus {
  constructor(readonly bus: Bus) {}

  async call<C extends CommandDefinition>(command: C, data: CommandRequest<C>): Promise<CommandReply<C>> {
    return unwrap(await this.bus.request(command, data));
  }
}
