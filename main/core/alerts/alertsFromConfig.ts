// The `alerts:` block of the config file as AlertsSettings. bootstrap already validated the
// whole file (configSchema's AlertsConfig), so this only re-reads it for the app, which is
// given the fleet rather than the config; when bootstrap passes the settings itself
// (OpsAppOptions.alerts) this is not used.
import { readFileSync } from 'node:fs';
import { parseConfig } from '../config/loadConfig';
import { DEFAULT_ALERTS_SETTINGS, type AlertsSettings } from './alertRules';

export function alertsSettingsFromConfigFile(path: string | null): AlertsSettings {
  if (!path) return DEFAULT_ALERTS_SETTINGS;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return DEFAULT_ALERTS_SETTINGS;
  }
  return parseConfig(text, path).alerts ?? DEFAULT_ALERTS_SETTINGS;
}
