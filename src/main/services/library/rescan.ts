/**
 * Finding the library's files on disk and comparing them with the rows.
 * The walk only stats; which files are read is the caller's choice (all of
 * them for "Rescan library", only new and changed ones at start).
 */
import type { Dirent } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { AUDIO_DIR, IMAGES_DIR, THUMBS_DIR, relativePath } from './media-paths'
import type { ScanRow } from './store'

/** How a kind of file carries its settings: PNG text chunks, MP3 ID3 tags. */
export type FileFormat = 'png' | 'mp3'

/** Where each kind's files live and which names are its files; the sound kinds add their folder and format here. */
export const MEDIA_FOLDERS: ReadonlyArray<{ dir: string; extensions: readonly string[]; format: FileFormat }> = [
  { dir: IMAGES_DIR, extensions: ['.png'], format: 'png' },
  { dir: AUDIO_DIR, extensions: ['.mp3'], format: 'mp3' }
]

export interface FoundFile {
  format: FileFormat
  /** Relative to the media folder, forward slashes. */
  path: string
  absolute: string
  bytes: number
  mtimeMs: number
}

export interface ScanPlan {
  /** Files no row points to. */
  fresh: FoundFile[]
  /** Files whose size or time differ from their row. */
  changed: Array<{ row: ScanRow; file: FoundFile }>
  unchanged: Array<{ row: ScanRow; file: FoundFile }>
  /** Rows whose file is gone. */
  missing: ScanRow[]
}

/** Bounds a walk through a folder someone filled with millions of files or a deep tree. */
const MAX_DEPTH = 8

/** Every media file under the media folder's kind folders, with its size and time. Symbolic links are not followed. */
export async function listMediaFiles(mediaDir: string): Promise<FoundFile[]> {
  const found: FoundFile[] = []
  for (const folder of MEDIA_FOLDERS) {
    for await (const absolute of walkFiles(join(mediaDir, folder.dir), MAX_DEPTH)) {
      const lower = absolute.toLowerCase()
      if (!folder.extensions.some((extension) => lower.endsWith(extension))) continue
      try {
        const info = await stat(absolute)
        if (info.isFile()) found.push({ format: folder.format, path: relativePath(mediaDir, absolute), absolute, bytes: info.size, mtimeMs: Math.trunc(info.mtimeMs) })
      } catch {
        // Gone since the folder was listed.
      }
    }
  }
  return found
}

/** Regular files under a folder, depth first; hidden entries and temporary files are left out. */
export async function* walkFiles(folder: string, maxDepth: number): AsyncGenerator<string> {
  let entries: Dirent[]
  try {
    entries = await readdir(folder, { withFileTypes: true })
  } catch {
    return
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name.endsWith('.tmp')) continue
    const full = join(folder, entry.name)
    if (entry.isDirectory() && maxDepth > 0) yield* walkFiles(full, maxDepth - 1)
    else if (entry.isFile()) yield full
  }
}

/** The ids that have both thumbnails, from one listing of the thumbnails folder. */
export async function idsWithThumbnails(mediaDir: string): Promise<Set<string>> {
  let names: string[]
  try {
    names = await readdir(join(mediaDir, THUMBS_DIR))
  } catch {
    return new Set()
  }
  const small = new Set<string>()
  const both = new Set<string>()
  for (const name of names) if (name.endsWith('-s.webp')) small.add(name.slice(0, -'-s.webp'.length))
  for (const name of names) {
    if (!name.endsWith('-l.webp')) continue
    const id = name.slice(0, -'-l.webp'.length)
    if (small.has(id)) both.add(id)
  }
  return both
}

/** Files matched to rows by path; `skip` holds paths being written right now. */
export function planScan(rows: readonly ScanRow[], files: readonly FoundFile[], skip: ReadonlySet<string>): ScanPlan {
  const byPath = new Map(rows.map((row) => [row.path, row]))
  const plan: ScanPlan = { fresh: [], changed: [], unchanged: [], missing: [] }
  const seen = new Set<string>()
  for (const file of files) {
    if (skip.has(file.path)) continue
    const row = byPath.get(file.path)
    seen.add(file.path)
    if (!row) plan.fresh.push(file)
    else if (row.bytes === file.bytes && row.mtimeMs === file.mtimeMs) plan.unchanged.push({ row, file })
    else plan.changed.push({ row, file })
  }
  for (const row of rows) if (!seen.has(row.path) && !skip.has(row.path)) plan.missing.push(row)
  return plan
}
