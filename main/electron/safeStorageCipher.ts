// The SecretCipher port of main/core (ssh.rememberPassphrases) on Electron's safeStorage: the
// OS keychain encrypts (macOS Keychain, Windows DPAPI, libsecret / kwallet on Linux). Where
// Linux has no keyring, safeStorage falls back to its 'basic_text' backend, a key built into
// Chromium that protects nothing: that counts as unavailable, and passphrases stay in memory.
import { safeStorage } from 'electron';
import type { SecretCipher } from '../core/ssh/PassphraseStore';

export const safeStorageCipher: SecretCipher = {
  name: 'electron-safeStorage',
  unavailableReason() {
    // valid only after app 'ready'; bootstrap runs after it
    if (!safeStorage.isEncryptionAvailable()) return 'Electron safeStorage has no OS keychain to encrypt with';
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return "no OS keyring was found (safeStorage would fall back to 'basic_text', a fixed key that protects nothing)";
    }
    return null;
  },
  encrypt: (plain) => safeStorage.encryptString(plain),
  decrypt: (blob) => safeStorage.decryptString(blob),
};
