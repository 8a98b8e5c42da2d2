import { Module } from '@nestjs/common';
import { ConfigurationsHandler } from './configurations.handler';
import { DeploymentConfigurations } from './deployment-configurations.service';

@Module({
  providers: [DeploymentConfigurations],
  controllers: [ConfigurationsHandler],
  exports: [DeploymentConfigurations],
})
export class ConfigurationsModule {}
