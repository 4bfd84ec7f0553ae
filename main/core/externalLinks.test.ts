// What the app hands to the system browser: our loopback tunnels and the configured escalation
// origins, nothing a hostile runbook, health detail or host could put in a link.
import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl } from './externalLinks';

const ORIGINS = ['https://acme.pagerduty.com'];

describe('isAllowedExternalUrl', () => {
  it('allows a loopback tunnel on a port and a configured escalation origin', () => {
    expect(isAllowedExternalUrl('http://127.0.0.1:43121/d/abc', ORIGINS)).toBe(true);
    expect(isAllowedExternalUrl('http://localhost:43121/', ORIGINS)).toBe(true);
    expect(isAllowedExternalUrl('https://acme.pagerduty.com/incidents/new?x=1', ORIGINS)).toBe(true);
  });

  it('refuses every other site, scheme, port-less loopback and credentials in the URL', () => {
    for (const url of [
      'https://evil.example/',
      'https://acme.pagerduty.com.evil.example/',
      'http://acme.pagerduty.com/',
      'https://acme.pagerduty.com:8443/',
      'https://user:pass@acme.pagerduty.com/',
      'http://127.0.0.1/',
      'http://127.0.0.2:43121/',
      'http://user@127.0.0.1:43121/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://fileserver/share',
      'not a url',
      '',
    ]) {
      expect(isAllowedExternalUrl(url, ORIGINS), url).toBe(false);
    }
  });
});
