/**
 * Fills a media folder and skyport.db with N real library images for the
 * benchmarks: each one a real PNG with its own settings chunks (the app's
 * and A1111's), its two WebP thumbnails and its row, made by the library's
 * own code (chunks, records, thumbnails, store), so a rescan, the grid and
 * the search see exactly what the app would have saved.
 *
 * Speed comes from what is legitimately shared: a few distinct base
 * pictures (one per aspect ratio and colour) are drawn and thumbnailed once,
 * and each item is its base with its own chunks. Files are written with
 * plain writes, not the app's atomic writes: a fixture needs no fsync, and
 * 30,000 of them would be most of its time.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, statSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import sharp from 'sharp'
import { MEDIA_DIR, DATABASE_FILE } from '../../src/main/app-services'
import { openDatabase } from '../../src/main/services/db/connection'
import { a1111Chunk, appChunk } from '../../src/main/services/library/embedded-settings'
import { generatedImage, generatedParameters, toRecord } from '../../src/main/services/library/item-records'
import { imagePath, largeThumbPath, smallThumbPath, THUMBS_DIR } from '../../src/main/services/library/media-paths'
import { withTextChunks } from '../../src/main/services/library/png-metadata'
import { MediaStore, type MediaRecord } from '../../src/main/services/library/store'
import { renderThumbnails, type Thumbnails } from '../../src/main/services/library/thumbnails'
import { IMAGE_MODELS, IMAGE_SIZES } from '../../src/shared/catalog'
import type { ImageSettings, ImageSize } from '../../src/shared/contract'
import { rng } from './random'

export interface LibraryFixtureOptions {
  userDataDir: string
  count: number
  /** Same seed, same library (ids aside). */
  seed?: number
  /** Distinct pictures per aspect ratio (default 3: 21 in all). */
  variantsPerSize?: number
  /** Long side of the base pictures (default 512). */
  longSide?: number
  /** The newest item's time; the others go back about a year from it. */
  newest?: number
  onProgress?: (done: number, total: number) => void
}

export interface LibraryFixture {
  mediaDir: string
  dbFile: string
  count: number
  /** Bytes written (images and thumbnails). */
  bytes: number
  durationMs: number
}

const RATIO: Record<ImageSize, [number, number]> = { '1:1': [1, 1], '16:9': [16, 9], '9:16': [9, 16], '21:9': [21, 9], '9:21': [9, 21], '1:2': [1, 2], '2:1': [2, 1] }
const SUBJECTS = ['lighthouse', 'fox', 'castle', 'robot', 'forest', 'city street', 'dragon', 'portrait of a sailor', 'mountain lake', 'desert caravan', 'owl', 'paper boat', 'train station', 'garden', 'spaceship']
const STYLES = ['oil painting', 'watercolor', 'pixel art', 'photograph', '3d render', 'anime', 'charcoal sketch', 'isometric', 'cinematic']
const MOODS = ['at dusk', 'in the rain', 'under a full moon', 'at sunrise', 'in fog', 'in winter', 'in bright sunlight', 'at night']
const PARALLEL_WRITES = 16
const ROWS_PER_TRANSACTION = 1000

interface Base {
  size: ImageSize
  png: Buffer
  width: number
  height: number
  thumbnails: Thumbnails
}

export async function makeLibraryFixture(options: LibraryFixtureOptions): Promise<LibraryFixture> {
  const started = performance.now()
  const random = rng(options.seed ?? 7)
  const mediaDir = join(options.userDataDir, MEDIA_DIR)
  const dbFile = join(options.userDataDir, DATABASE_FILE)
  mkdirSync(join(mediaDir, THUMBS_DIR), { recursive: true })
  const bases = await makeBases(options.variantsPerSize ?? 3, options.longSide ?? 512, random)
  const db = openDatabase(dbFile)
  const store = new MediaStore(db)
  const newest = options.newest ?? Date.now()
  const yearMs = 365 * 24 * 3600 * 1000
  let bytes = 0
  let done = 0
  let pending: MediaRecord[] = []
  const flush = (): void => {
    const rows = pending
    pending = []
    store.transaction(() => {
      for (const row of rows) store.insert(row)
    })
  }
  try {
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < options.count) {
        const index = next++
        const base = bases[Math.floor(random() * bases.length)]!
        const settings: ImageSettings = {
          prompt: `${pick(random, STYLES)} of a ${pick(random, SUBJECTS)} ${pick(random, MOODS)}, detailed, number ${index}`,
          model: pick(random, IMAGE_MODELS),
          size: base.size,
          seed: Math.floor(random() * 2 ** 32),
          endpoint: random() < 0.5 ? 'imagine' : 'imagine2'
        }
        // Spread over a year, newest first by index, a few per hour on busy days.
        const createdAt = Math.round(newest - (index / options.count) * yearMs - random() * 60_000)
        const item = generatedImage(settings, { id: randomUUID(), source: random() < 0.8 ? 'studio' : 'chat', createdAt, sourceHash: null, color: base.thumbnails.color, appVersion: 'fixture' })
        const png = withTextChunks(base.png, [appChunk(item), a1111Chunk(generatedParameters(settings, base.width, base.height, 'fixture'))])
        const path = imagePath(item.id, createdAt)
        const file = join(mediaDir, path)
        mkdirSync(dirname(file), { recursive: true })
        await Promise.all([
          writeFile(file, png),
          writeFile(join(mediaDir, smallThumbPath(item.id)), base.thumbnails.small),
          writeFile(join(mediaDir, largeThumbPath(item.id)), base.thumbnails.large)
        ])
        bytes += png.length + base.thumbnails.small.length + base.thumbnails.large.length
        const info = statSync(file)
        pending.push(toRecord(item, { path, mime: 'image/png', bytes: info.size, mtimeMs: Math.trunc(info.mtimeMs), width: base.width, height: base.height, durationMs: null }, true))
        if (pending.length >= ROWS_PER_TRANSACTION) flush()
        options.onProgress?.(++done, options.count)
      }
    }
    await Promise.all(Array.from({ length: PARALLEL_WRITES }, worker))
    flush()
  } finally {
    db.close()
  }
  return { mediaDir, dbFile, count: options.count, bytes, durationMs: Math.round(performance.now() - started) }
}

/** Distinct pictures: a gradient, a sun and hills in colours of their own, for every aspect ratio. */
async function makeBases(variants: number, longSide: number, random: () => number): Promise<Base[]> {
  const bases: Base[] = []
  for (const size of IMAGE_SIZES) {
    const [w, h] = RATIO[size]
    const scale = longSide / Math.max(w, h)
    const width = Math.round(w * scale)
    const height = Math.round(h * scale)
    for (let variant = 0; variant < variants; variant++) {
      const hue = Math.floor(random() * 360)
      const color = (shift: number, light: number) => `hsl(${(hue + shift) % 360}, 60%, ${light}%)`
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
        <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${color(0, 30)}"/><stop offset="1" stop-color="${color(40, 70)}"/></linearGradient></defs>
        <rect width="100%" height="100%" fill="url(#sky)"/>
        <circle cx="${Math.round(width * (0.2 + random() * 0.6))}" cy="${Math.round(height * 0.3)}" r="${Math.round(Math.min(width, height) * 0.12)}" fill="${color(180, 80)}"/>
        <path d="M0 ${Math.round(height * 0.7)} Q ${Math.round(width * 0.3)} ${Math.round(height * 0.5)} ${Math.round(width * 0.6)} ${Math.round(height * 0.72)} T ${width} ${Math.round(height * 0.65)} V ${height} H 0 Z" fill="${color(120, 25)}"/>
      </svg>`
      const png = await sharp(Buffer.from(svg)).png().toBuffer()
      bases.push({ size, png, width, height, thumbnails: await renderThumbnails(png) })
    }
  }
  return bases
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}
