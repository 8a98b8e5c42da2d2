import { Module } from '@nestjs/common';
import { DeploymentMetrics } from './deployment-metrics';
import { DeploymentMetricsConsumer } from './deployment-metrics.consumer';

@Module({ providers: [DeploymentMetrics], controllers: [DeploymentMetricsConsumer] })
export class MetricsModule {}
