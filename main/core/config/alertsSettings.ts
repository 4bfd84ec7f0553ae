// The `alerts:` block of the validated config as AlertsSettings (bootstrap passes the result
// to the app; the file is read and checked once, in bootstrap). Here rather than in alerts/,
// because the config schema already depends on alerts/ (it checks rule overrides) and alerts/
// never needs to know the config's shape.
import { DEFAULT_ALERTS_SETTINGS, type AlertsSettings } from '../alerts/alertRules';
import type { OpsdeckConfig } from './configSchema';

export function alertsSettingsFromConfig(config: Pick<OpsdeckConfig, 'alerts'> | null): AlertsSettings {
  return config?.alerts ?? DEFAULT_ALERTS_SETTINGS;
}
