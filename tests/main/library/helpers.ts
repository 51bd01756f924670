/** Shared set-up for the library tests: a real SQLite file and a real media folder in a temp folder. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import sharp from 'sharp'
import { afterEach } from 'vitest'
import { openDatabase } from '../../../src/main/services/db/connection'
import { Library, type NewImage } from '../../../src/main/services/library/library'
import { createLogger } from '../../../src/main/services/log'
import type { ImageSettings } from '../../../src/shared/contract'
import { AppError } from '../../../src/shared/errors'
import { nodePowers, type NodePowers } from '../../support/node-powers'

const cleanups: Array<() => Promise<void> | void> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

export function tempFolder(prefix = 'skyport-library-'): string {
  const folder = mkdtempSync(join(tmpdir(), prefix))
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }))
  return folder
}

/** A clock that moves one second per reading, so every item has its own time. */
export class FakeClock {
  time = Date.UTC(2026, 0, 2, 3, 4, 5)
  readonly now = (): number => (this.time += 1000)
}

export interface TestLibrary {
  library: Library
  db: DatabaseSync
  dbFile: string
  mediaDir: string
  userDataDir: string
  powers: NodePowers
  clock: FakeClock
  /** Closes the library and its database (to delete or re-open the file). */
  close(): Promise<void>
  /** A second library on the same folder and a fresh connection (after close, or the file deleted). */
  reopen(): TestLibrary
}

export function makeLibrary(options: { userDataDir?: string; maxImageBytes?: number; clock?: FakeClock } = {}): TestLibrary {
  const userDataDir = options.userDataDir ?? tempFolder()
  const dbFile = join(userDataDir, 'skyport.db')
  const mediaDir = join(userDataDir, 'media')
  const powers = nodePowers({ userDataDir })
  const clock = options.clock ?? new FakeClock()
  const db = openDatabase(dbFile)
  const logger = createLogger(powers.log, (text) => text)
  const library = new Library({ db, mediaDir, powers, logger, appVersion: '9.8.7', now: clock.now, ...(options.maxImageBytes ? { maxImageBytes: options.maxImageBytes } : {}) })
  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    await library.close()
    db.close()
  }
  cleanups.push(close)
  return {
    library,
    db,
    dbFile,
    mediaDir,
    userDataDir,
    powers,
    clock,
    close,
    reopen: () => makeLibrary({ userDataDir, clock, ...(options.maxImageBytes ? { maxImageBytes: options.maxImageBytes } : {}) })
  }
}

/** A real image: a gradient with a block of colour, so two calls with other colours differ. */
export async function imageBytes(options: { width?: number; height?: number; color?: string; format?: 'png' | 'jpeg' | 'webp' | 'gif' } = {}): Promise<Buffer> {
  const width = options.width ?? 64
  const height = options.height ?? 48
  const base = sharp({ create: { width, height, channels: 3, background: options.color ?? '#3366cc' } }).composite([
    { input: Buffer.from(`<svg width="${width}" height="${height}"><rect x="4" y="4" width="${Math.ceil(width / 3)}" height="${Math.ceil(height / 3)}" fill="#f0c020"/></svg>`), top: 0, left: 0 }
  ])
  const format = options.format ?? 'png'
  return base.toFormat(format).toBuffer()
}

export const settings = (overrides: Partial<ImageSettings> = {}): ImageSettings => ({
  prompt: 'A lighthouse at dusk, oil painting',
  model: 'flux',
  size: '1:1',
  seed: 42,
  endpoint: 'imagine2',
  ...overrides
})

export async function newImage(overrides: Omit<Partial<NewImage>, 'settings'> & { settings?: Partial<ImageSettings>; color?: string } = {}): Promise<NewImage> {
  const { settings: settingsOverrides, color, ...rest } = overrides
  return { bytes: await imageBytes(color ? { color } : {}), settings: settings(settingsOverrides), source: 'studio', ...rest }
}

export { tree } from '../../support/file-tree'

export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected a rejection')
}

export function rowCount(db: DatabaseSync): number {
  return (db.prepare('SELECT count(*) AS n FROM media').get() as { n: number }).n
}
