import { UseFilters, applyDecorators } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import type { CommandDefinition } from '@flightdeck/contracts';
import { RethrowRpcErrors } from './rethrow-rpc-errors.filter';
import { NATS_COMMANDS } from './transports';

export interface CommandPatternExtras {
  command: CommandDefinition;
  // every instance answers (status pings) instead of one per queue group
  broadcast: boolean;
}

// `@MessagePattern(command.subject)` served by NatsCommandServer, which parses the request with the
// command's schema first: the method names its contract once and bad input never reaches it.
export const HandleCommand = (command: CommandDefinition, opts: { broadcast?: boolean } = {}) =>
  applyDecorators(
    MessagePattern(command.subject, NATS_COMMANDS, { command, broadcast: !!opts.broadcast } satisfies CommandPatternExtras),
    UseFilters(new RethrowRpcErrors()),
  );
