/**
 * Maps `app://local/...` URLs to files: the renderer bundle, and generated
 * media under the user's data folder. Pure path logic, so it is tested in
 * plain Node; the Electron shell only wires it to `protocol.handle`.
 */
import { extname, resolve, sep } from 'node:path'

export const APP_SCHEME = 'app'
export const APP_HOST = 'local'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.wav': 'audio/wav'
}

export function mimeTypeFor(path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

export interface ProtocolRoots {
  /** The built renderer (index.html and assets). */
  renderer: string
  /** Generated images, songs and speech. */
  media: string
}

/**
 * Returns the file a URL names, or null when it names nothing we serve:
 * another host, a path that climbs out of its root, or a malformed URL.
 */
export function resolveAppUrl(rawUrl: string, roots: ProtocolRoots): string | null {
  let url: URL
  try {
    url = new URL(rawUrl)
  } catch {
    return null
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null
  let path: string
  try {
    path = decodeURIComponent(url.pathname)
  } catch {
    return null
  }
  if (path.includes('\0')) return null
  const [root, rest] = path.startsWith('/media/') ? [roots.media, path.slice('/media/'.length)] : [roots.renderer, path === '/' ? 'index.html' : path.slice(1)]
  return insideRoot(root, rest)
}

/** Resolves `relative` under `root`, refusing anything that escapes it. */
export function insideRoot(root: string, relative: string): string | null {
  const base = resolve(root)
  const target = resolve(base, relative)
  return target.startsWith(base + sep) ? target : null
}
