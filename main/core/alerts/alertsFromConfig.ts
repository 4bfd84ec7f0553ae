// The `alerts:` block of the validated config as AlertsSettings (bootstrap passes the result
// to the app; the file is read and checked once, in bootstrap).
import type { OpsdeckConfig } from '../config/configSchema';
import { DEFAULT_ALERTS_SETTINGS, type AlertsSettings } from './alertRules';

export function alertsSettingsFromConfig(config: Pick<OpsdeckConfig, 'alerts'> | null): AlertsSettings {
  return config?.alerts ?? DEFAULT_ALERTS_SETTINGS;
}
