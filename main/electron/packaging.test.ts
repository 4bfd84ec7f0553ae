// The packaging configuration (electron-builder.yml), checked where no Electron binary can be
// had: electron-builder's own validation accepts it, it builds deb and AppImage, and it flips
// the fuses Electron's fuses guide asks for.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';

const config = parse(readFileSync(fileURLToPath(new URL('../../electron-builder.yml', import.meta.url)), 'utf8'));

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema", { timeout: 60_000 }, async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, runAsNod: false } }, new DebugLogger(false))).rejects.toThrow(
      /Invalid configuration object/,
    );
  });

  it('packages deb and AppImage from an ASAR', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['deb', 'AppImage']));
    expect(config.asar).toBe(true);
    expect(config.files).toContain('out/**');
  });

  it('turns off running as Node, NODE_OPTIONS and --inspect, and loads the app only from an integrity-checked ASAR', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
