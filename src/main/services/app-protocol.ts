/**
 * Maps `app://local/...` URLs to files: the renderer bundle, and generated
 * media under the user's data folder. `resolveAppUrl` is pure path logic;
 * `resolveServedFile` adds what only the disk can tell (symlinks, folders).
 * The Electron shell only wires them to `protocol.handle`.
 */
import { realpath, stat } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'

export const APP_SCHEME = 'app'
export const APP_HOST = 'local'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/** What the renderer bundle is made of. */
const BUNDLE_TYPES: Record<string, string> = {
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
  '.ttf': 'font/ttf'
}

/**
 * The only files served from the media folder: images, audio and video.
 * Anything else there (pages, scripts, SVG, JSON sidecars) would open as a
 * trusted app page able to call the bridge, so it is never served.
 */
const MEDIA_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.flac': 'audio/flac',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm'
}

const OCTET_STREAM = 'application/octet-stream'

/** The content type a file is served with, by extension (bundle and media types). */
export function mimeTypeFor(path: string): string {
  const ext = extname(path).toLowerCase()
  return BUNDLE_TYPES[ext] ?? MEDIA_TYPES[ext] ?? OCTET_STREAM
}

export interface ProtocolRoots {
  /** The built renderer (index.html and assets). */
  renderer: string
  /** Generated images, songs and speech. */
  media: string
}

export interface AppFile {
  /** The root folder the file must stay inside. */
  root: string
  path: string
  contentType: string
}

/**
 * Returns the file a URL names, or null when it names nothing we serve:
 * another host, a path that climbs out of its root, a media file of a type
 * that is not image, audio or video, or a malformed URL.
 */
export function resolveAppUrl(rawUrl: string, roots: ProtocolRoots): AppFile | null {
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
  if (path.startsWith('/media/')) {
    const contentType = MEDIA_TYPES[extname(path).toLowerCase()]
    if (!contentType || path.endsWith('/')) return null
    const file = insideRoot(roots.media, path.slice('/media/'.length))
    return file ? { root: roots.media, path: file, contentType } : null
  }
  const file = insideRoot(roots.renderer, path === '/' ? 'index.html' : path.slice(1))
  return file ? { root: roots.renderer, path: file, contentType: BUNDLE_TYPES[extname(file).toLowerCase()] ?? OCTET_STREAM } : null
}

/** Resolves `relative` under `root`, refusing anything that escapes it. */
export function insideRoot(root: string, relative: string): string | null {
  const base = resolve(root)
  const target = resolve(base, relative)
  return target.startsWith(base + sep) ? target : null
}

/**
 * The real path of `file` if it is a regular file whose real path lies
 * inside the real path of `root`, else null. A symlink inside the root that
 * points elsewhere (at settings.json, say) is refused; so are folders, which
 * would otherwise be answered with a listing.
 */
export async function realFileInside(root: string, file: string): Promise<string | null> {
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)])
    if (!realFile.startsWith(realRoot + sep)) return null
    return (await stat(realFile)).isFile() ? realFile : null
  } catch {
    return null
  }
}

/** `resolveAppUrl`, then `realFileInside`: the file to serve, at its real path, or null. */
export async function resolveServedFile(rawUrl: string, roots: ProtocolRoots): Promise<AppFile | null> {
  const file = resolveAppUrl(rawUrl, roots)
  if (!file) return null
  const real = await realFileInside(file.root, file.path)
  if (!real) return null
  // A link between two media files is fine, but the type served is its target's.
  const contentType = file.root === roots.media ? MEDIA_TYPES[extname(real).toLowerCase()] : file.contentType
  return contentType ? { ...file, path: real, contentType } : null
}
