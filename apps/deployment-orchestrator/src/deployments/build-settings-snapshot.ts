import { BuildSettings, mergeBuildSettings } from '@flightdeck/contracts';

// The build settings a deployment runs with, fixed when it is triggered (metadata.buildSettings):
// the environment's, with the trigger's over them field by field; a retry keeps its parent's. A
// later change to the environment does not reach a deployment already triggered.
export function buildSettingsSnapshot(
  environment: BuildSettings | undefined,
  trigger: BuildSettings | undefined,
  parentMetadata?: Record<string, unknown>,
): BuildSettings | undefined {
  const settings = parentMetadata ? settingsOf(parentMetadata) : mergeBuildSettings(environment, trigger);
  return settings && Object.keys(settings).length > 0 ? settings : undefined;
}

/** the snapshot kept in a deployment's metadata, if any (a malformed one reads as none) */
export function settingsOf(metadata: Record<string, unknown>): BuildSettings | undefined {
  const parsed = BuildSettings.safeParse(metadata.buildSettings);
  return parsed.success ? parsed.data : undefined;
}
