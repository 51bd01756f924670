/**
 * Importing a folder of images made by other tools: each image is copied
 * into the library (as source `import`) with the settings its tool embedded
 * (see foreign-metadata.ts). Files already in the library (same bytes) and
 * files that are not images are skipped; images that cannot be read count
 * as failed. One file at a time: memory stays at one image whatever the
 * folder holds.
 */
import { createHash } from 'node:crypto'
import { open, readFile, stat } from 'node:fs/promises'
import { basename, isAbsolute, relative, resolve } from 'node:path'
import { sniffImage } from '../files/image-type'
import type { Logger } from '../log'
import { readAppChunk, type EmbeddedItem } from './embedded-settings'
import { readForeignSettings } from './foreign-metadata'
import { checkIncomingImage, type CheckedImage } from './incoming-image'
import { importedImage, type ItemBasics } from './item-records'
import { walkFiles } from './rescan'

const MAX_DEPTH = 8
const KEPT_FORMATS = new Set(['png', 'jpeg', 'webp'])

export interface ImportCounts {
  added: number
  skipped: number
  failed: number
}

export interface ImportTarget {
  /** The library's own media folder: never imported into itself. */
  mediaDir: string
  maxBytes: number
  logger: Logger
  isKnown(sourceHash: string, ownId: string | null): boolean
  basics(sourceHash: string, createdAt: number): ItemBasics
  /** Saves one checked image with its description (and keeps an A1111 chunk the file already has). */
  keep(item: EmbeddedItem, image: CheckedImage): Promise<void>
  aborted(): boolean
}

export async function importFolder(folder: string, target: ImportTarget): Promise<ImportCounts> {
  const counts: ImportCounts = { added: 0, skipped: 0, failed: 0 }
  const media = resolve(target.mediaDir)
  for await (const file of walkFiles(folder, MAX_DEPTH)) {
    if (target.aborted()) break
    const inMedia = relative(media, file)
    if (!inMedia.startsWith('..') && !isAbsolute(inMedia)) {
      counts.skipped++
      continue
    }
    try {
      counts[await importFile(file, target)]++
    } catch (error) {
      counts.failed++
      target.logger.warn(`Import of ${basename(file)} failed: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  return counts
}

async function importFile(file: string, target: ImportTarget): Promise<'added' | 'skipped'> {
  const info = await stat(file)
  if (info.size === 0) return 'skipped'
  // The first bytes decide, before a large file that is no image is read whole.
  const format = sniffImage(await readStart(file))
  if (format === null) return 'skipped'
  if (!KEPT_FORMATS.has(format)) throw new Error(`${format.toUpperCase()} images cannot be kept in the library.`)
  if (info.size > target.maxBytes) throw new Error('The image is larger than the library accepts.')
  const bytes = await readFile(file)
  const sourceHash = createHash('sha256').update(bytes).digest('hex')
  const image = await checkIncomingImage(bytes, target.maxBytes)
  // An image exported from a Skyport library carries its own record.
  const own = readAppChunk(image.texts)
  const known = target.isKnown(sourceHash, own?.id ?? null) || (own?.sourceHash ? target.isKnown(own.sourceHash, null) : false)
  if (known) return 'skipped'
  const basics = target.basics(sourceHash, own?.createdAt ?? Math.trunc(info.mtimeMs))
  const item: EmbeddedItem = own
    ? { ...own, id: basics.id, source: 'import', sourceHash, color: null, appVersion: basics.appVersion }
    : importedImage(readForeignSettings(image.texts), basename(file), basics)
  await target.keep(item, image)
  return 'added'
}

async function readStart(file: string): Promise<Buffer> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(16)
    const { bytesRead } = await handle.read(buffer, 0, 16, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}
