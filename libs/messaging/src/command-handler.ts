import 'reflect-metadata';
import type { CommandDefinition } from '@flightdeck/contracts';

export const COMMAND_HANDLER = Symbol('COMMAND_HANDLER');

export interface CommandHandlerMetadata {
  command: CommandDefinition;
  // every instance answers (status pings) instead of one per queue group
  broadcast: boolean;
}

// The method receives the request already parsed by the command's schema; bad input never reaches it.
export const HandleCommand =
  (command: CommandDefinition, opts: { broadcast?: boolean } = {}): MethodDecorator =>
  (_target, _key, descriptor) => {
    Reflect.defineMetadata(COMMAND_HANDLER, { command, broadcast: !!opts.broadcast }, descriptor.value as object);
    return descriptor;
  };
