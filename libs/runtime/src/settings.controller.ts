import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { maskSettings } from './masked-settings';

export const SERVICE_SETTINGS = Symbol('SERVICE_SETTINGS');

// The settings this instance runs with, as parsed from its environment (secrets masked): what an
// operator checks when a setting seems to have no effect. On the gateway it needs the admin token.
// an operator's tool, documented in the README, not part of the public API
@ApiExcludeController()
@Controller('debug')
export class SettingsController {
  constructor(@Inject(SERVICE_SETTINGS) private readonly settings: Record<string, unknown>) {}

  @Get('settings')
  get() {
    return { settings: maskSettings(this.settings) };
  }
}
