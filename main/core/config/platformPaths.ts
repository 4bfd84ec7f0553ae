// Where Opsdeck keeps its files, by each platform's convention: XDG base directories on Linux,
// Application Support on macOS, %APPDATA% on Windows. Pure, so tests pass their own env.
import { join } from 'node:path';

export interface PlatformPaths {
  readonly configFile: string;
  readonly stateDir: string;
  readonly auditFile: string;
}

export function platformPaths(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): PlatformPaths {
  let configDir: string;
  let stateDir: string;
  if (platform === 'darwin') {
    configDir = stateDir = join(home, 'Library', 'Application Support', 'Opsdeck');
  } else if (platform === 'win32') {
    const appData = env.APPDATA || join(home, 'AppData', 'Roaming');
    configDir = stateDir = join(appData, 'Opsdeck');
  } else {
    // XDG: an unset or relative value is ignored, as the spec says.
    const xdg = (name: string, fallback: string) => {
      const value = env[name];
      return value && value.startsWith('/') ? value : fallback;
    };
    configDir = join(xdg('XDG_CONFIG_HOME', join(home, '.config')), 'opsdeck');
    stateDir = join(xdg('XDG_STATE_HOME', join(home, '.local', 'state')), 'opsdeck');
  }
  return { configFile: join(configDir, 'config.yaml'), stateDir, auditFile: join(stateDir, 'audit.jsonl') };
}
