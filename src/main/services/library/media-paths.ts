/**
 * Where the library's files live under the media folder, and the URLs the
 * renderer shows them by. Paths in the database are relative, with forward
 * slashes; the renderer reaches them as `/media/<path>`.
 */
import { relative, resolve, sep } from 'node:path'

export const IMAGES_DIR = 'images'
export const THUMBS_DIR = 'thumbs'

/** `images/YYYY/MM/<id>.png`, by the item's local creation month (as a person browses the folder). */
export function imagePath(id: string, createdAt: number): string {
  const date = new Date(createdAt)
  const month = String(date.getMonth() + 1).padStart(2, '0')
  return `${IMAGES_DIR}/${date.getFullYear()}/${month}/${id}.png`
}

export const AUDIO_DIR = 'audio'

/** `audio/YYYY/MM/<id>.mp3`: speech and songs, by local creation month like the images. */
export function audioPath(id: string, createdAt: number): string {
  const date = new Date(createdAt)
  const month = String(date.getMonth() + 1).padStart(2, '0')
  return `${AUDIO_DIR}/${date.getFullYear()}/${month}/${id}.mp3`
}

export function smallThumbPath(id: string): string {
  return `${THUMBS_DIR}/${id}-s.webp`
}

export function largeThumbPath(id: string): string {
  return `${THUMBS_DIR}/${id}-l.webp`
}

/** Safe path characters need no escaping; anything else (a file someone dropped in by hand) is percent-encoded. */
const PLAIN_PATH = /^[A-Za-z0-9/._-]*$/

export function mediaUrl(path: string): string {
  return PLAIN_PATH.test(path) ? `/media/${path}` : `/media/${path.split('/').map(encodeURIComponent).join('/')}`
}

/** The absolute file of a relative path, which must stay inside the media folder. */
export function absolutePath(mediaDir: string, path: string): string {
  const root = resolve(mediaDir)
  const full = resolve(root, path)
  const inside = relative(root, full)
  if (inside === '' || inside.startsWith('..') || inside.startsWith(sep) || resolve(root, inside) !== full) {
    throw new Error(`${path} is not inside the media folder.`)
  }
  return full
}

/** A path found on disk, relative to the media folder with forward slashes. */
export function relativePath(mediaDir: string, file: string): string {
  return relative(resolve(mediaDir), file).split(sep).join('/')
}
