// The page's Content Security Policy. renderer/index.html carries CONTENT_SECURITY_POLICY in its
// meta tag (a test keeps the two equal); it cannot know the browser shell's port, so its
// connect-src allows a loopback WebSocket on any port. Each shell sends a narrower policy as a
// header, and a page obeys both: the browser shell's names its own port, Electron's allows no
// connection at all (its renderer talks to main over IPC only).

const BASE =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export const CONTENT_SECURITY_POLICY = `${BASE.replace("img-src 'self' data:;", "img-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*;")}`;

/** The browser shell's header: its own WebSocket, on its own port, and nothing else. */
export function webShellContentSecurityPolicy(port: number): string {
  return BASE.replace("img-src 'self' data:;", `img-src 'self' data:; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port};`);
}

/** Electron's header: the renderer uses IPC, never fetch or a socket. */
export const CONTENT_SECURITY_POLICY_ELECTRON = BASE.replace("img-src 'self' data:;", "img-src 'self' data:; connect-src 'none';");
