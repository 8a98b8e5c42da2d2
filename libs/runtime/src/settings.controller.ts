import { Controller, Get, Inject } from '@nestjs/common';
import { maskSettings } from './masked-settings';

export const SERVICE_SETTINGS = Symbol('SERVICE_SETTINGS');

// The settings this instance runs with, as parsed from its environment (secrets masked): what an
// operator checks when a setting seems to have no effect. On the gateway it needs the admin token.
@Controller('debug')
export class SettingsController {
  constructor(@Inject(SERVICE_SETTINGS) private readonly settings: Record<string, unknown>) {}

  @Get('settings')
  get() {
    return { settings: maskSettings(this.settings) };
  }
}
