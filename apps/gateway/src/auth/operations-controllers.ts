import type { Type } from '@nestjs/common';
import { HealthController, MetricsController } from '@flightdeck/runtime';

// Probes and scrapers call these without a token and without a rate limit; they live outside /api/v1.
export const OPERATIONS_CONTROLLERS: Type[] = [HealthController, MetricsController];
