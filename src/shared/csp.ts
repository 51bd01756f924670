/**
 * The renderer's Content Security Policy. The app loads nothing remote:
 * scripts only from its own bundle, images and audio only from the bundle,
 * data/blob URLs and the local `app:` media protocol. Styles allow inline
 * because Svelte style attributes and math layout set them.
 * index.html carries the same policy in a meta tag (a test keeps them equal).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: app:",
  "media-src 'self' blob: app:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "object-src 'none'"
].join('; ')
