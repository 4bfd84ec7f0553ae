// The renderer is served from app://opsdeck/ rather than file://: a file:// page may read any
// file the user can, shares its origin with every local file, and cannot be told apart from
// one another by origin checks. The scheme is registered standard and secure before the app is
// ready (so the page has an origin, storage and a CSP), and answers only from the renderer folder.
import { protocol } from 'electron';
import { CONTENT_SECURITY_POLICY_ELECTRON } from '../../common/csp';
import { readAppFile } from './appFiles';

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, stream: false } },
  ]);
}

export function serveApp(rendererDir: string): void {
  protocol.handle('app', async (request) => {
    const file = await readAppFile(rendererDir, request.url);
    const headers = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY_ELECTRON, 'X-Content-Type-Options': 'nosniff' };
    if (file.status !== 200) return new Response(file.body, { status: file.status, headers: { ...headers, 'Content-Type': 'text/plain' } });
    return new Response(new Uint8Array(file.body), { status: 200, headers: { ...headers, 'Content-Type': file.type } });
  });
}
