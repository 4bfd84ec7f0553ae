// The page's Content Security Policy, one copy for both shells: the browser shell sends it as a
// header, Electron adds it to every response. renderer/index.html carries the same policy in
// its meta tag (a test keeps the two equal).
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
