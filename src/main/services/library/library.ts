/**
 * The offline media library: one table for every kind of media (images now,
 * speech and songs later) with a full-text index, thumbnails, and the files
 * as the truth. Every file carries its own settings (PNG text chunks, MP3
 * ID3 tags), so a rescan rebuilds the database from the media folder.
 *
 * The library never touches the network. It deletes nothing a person made:
 * "delete for good" hands the files to the OS trash. Files it made itself
 * and did not finish (a save that failed half way) are removed.
 */
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { mkdir, readFile, rm, stat } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import type {
  Collection,
  ExportResult,
  FolderImportResult,
  ImageSettings,
  LibraryChanged,
  LibraryFilter,
  LibraryPage,
  MediaItem,
  MediaSource,
  RescanResult
} from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { FileDialogs } from '../../app-services'
import { writeFileAtomic } from '../files/atomic-write'
import { Gate } from '../gate'
import type { Logger } from '../log'
import { A1111_KEYWORD, a1111Chunk, appChunk, isSafeId, MEDIA_SOURCES, readAppChunk, type EmbeddedItem } from './embedded-settings'
import { readForeignSettings } from './foreign-metadata'
import { importFolder } from './import-folder'
import { checkIncomingImage, damaged, type CheckedImage } from './incoming-image'
import { createAudioTag, readAudioTag } from './audio-tags'
import { analyzeMp3 } from '../sound/peaks'
import { id3v2Size, readHead } from '../sound/mp3'
import { sniffImage } from '../files/image-type'
import { fromRecord, generatedImage, generatedParameters, importedImage, titleOf, toRecord, type FileFacts, type ItemBasics } from './item-records'
import { absolutePath, audioPath, imagePath, largeThumbPath, smallThumbPath, THUMBS_DIR } from './media-paths'
import { readPngHead, withTextChunks } from './png-metadata'
import { idsWithThumbnails, listMediaFiles, planScan, type FoundFile } from './rescan'
import { MediaStore, type MediaRecord, type ScanRow } from './store'
import { renderThumbnails, type Thumbnails } from './thumbnails'

/** The OS powers the library's actions need (Electron's shell and clipboard in the app). */
export interface LibraryPowers {
  /** Moves a file to the OS trash (never an unrecoverable delete). */
  trashItem(path: string): Promise<void>
  showItemInFolder(path: string): void
  openPath(path: string): Promise<void>
  copyImageFile(path: string): Promise<void>
  dialogs: FileDialogs
}

export interface LibraryOptions {
  db: DatabaseSync
  /** The media folder (`<userData>/media`). */
  mediaDir: string
  powers: LibraryPowers
  logger: Logger
  /** Written into each file's settings. */
  appVersion?: string
  /** The largest image kept (default 50 MB). */
  maxImageBytes?: number
  now?: () => number
  newId?: () => string
}

/** A new image to keep: the bytes as the server sent them, and how it was made. */
export interface NewImage {
  bytes: Buffer
  settings: ImageSettings
  source: MediaSource
  /** Set when the item should carry another id (a job's, say). */
  id?: string
}

/** An image that was not generated here (a remote image kept from a vision preview, say): no generation settings. */
export interface ExternalImage {
  bytes: Buffer
  source: MediaSource
  /** Where it came from, kept in its settings and shown in the details. */
  sourceUrl?: string
  /** A vision model's description, when there is one. */
  description?: string
  id?: string
}

/** A speech or a song to keep: an MP3 on disk whose audio frames become the library's file, with its tags. */
export interface NewAudio {
  id: string
  kind: 'speech' | 'song'
  /** The MP3 as received (its own tags are dropped). */
  file: string
  /** A song's cover as downloaded: checked here by its bytes; it becomes the thumbnails and the MP3's picture. */
  cover?: Buffer | null
  title: string
  prompt: string
  /** Spoken text or lyrics: searched, and shown by players (USLT). */
  text: string
  model: string | null
  keywords: string
  /** Every setting it was made with: what "Reuse" restores. */
  settings: Record<string, unknown>
  /** The tag's artist line, e.g. "Skyport speech · sophia". */
  artist: string
  source: MediaSource
}

const MB = 1024 * 1024
const DEFAULT_MAX_IMAGE_BYTES = 50 * MB
/** Files read at once by a rescan: enough to keep the disk busy, few enough to bound open files. */
const PARALLEL_READS = 16
/** Rows written per transaction by a rescan, so the event loop breathes between batches. */
const WRITE_BATCH = 500
const FILE_NAME_CHARS = 60

type Change = { changed?: readonly string[]; removed?: readonly string[] }

export class Library {
  readonly #store: MediaStore
  readonly #mediaDir: string
  readonly #powers: LibraryPowers
  readonly #logger: Logger
  readonly #appVersion: string
  readonly #maxImageBytes: number
  readonly #now: () => number
  readonly #newId: () => string
  readonly #listeners = new Set<(change: LibraryChanged) => void>()
  /** Relative paths being written right now: a rescan leaves them alone. */
  readonly #writing = new Set<string>()
  /** Work that runs on after the call that started it (thumbnails, file rewrites), awaited by `settled` and `close`. */
  readonly #background = new Set<Promise<unknown>>()
  readonly #thumbnailsPending = new Set<string>()
  /** Thumbnails made in the background, two at a time, each reading its file only when its turn comes. */
  readonly #thumbnailQueue = new Gate(2)
  /** One scan at a time; a caller shares the running one unless it asks for more (a full one after a quick one). */
  #scanning: { promise: Promise<RescanResult>; full: boolean } | null = null
  /** File rewrites of one item run in order. */
  readonly #rewrites = new Map<string, Promise<void>>()
  #closed = false

  constructor(options: LibraryOptions) {
    this.#store = new MediaStore(options.db)
    this.#mediaDir = options.mediaDir
    this.#powers = options.powers
    this.#logger = options.logger
    this.#appVersion = options.appVersion ?? '0.0.0'
    this.#maxImageBytes = options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES
    this.#now = options.now ?? Date.now
    this.#newId = options.newId ?? randomUUID
  }

  // ---------------------------------------------------------------- reading

  query(filter: LibraryFilter = {}): LibraryPage {
    const { cards, total } = this.#store.query(filter)
    return { cards, total, models: this.#store.models() }
  }

  get(id: string): MediaItem {
    const item = this.#store.item(id)
    if (!item) throw notFound()
    return item
  }

  /** The item's file, absolute. */
  filePath(id: string): string {
    return this.#absolute(this.#record(id).path)
  }

  /**
   * The item's small thumbnail, absolute (the drag icon). When it is missing
   * it is made again in the background and, for now, the image itself is the icon.
   */
  thumbnailPath(id: string): string {
    const record = this.#record(id)
    const small = this.#absolute(smallThumbPath(id))
    if (existsSync(small)) return small
    if (record.kind === 'image') this.#queueThumbnails(id)
    return this.#absolute(record.path)
  }

  // ---------------------------------------------------------------- saving

  /**
   * Saves an image: settings embedded in the PNG (the app's own JSON chunk
   * and an A1111-style `parameters` chunk), written atomically under
   * `images/YYYY/MM/<id>.png`, thumbnails made, then the row. A failure half
   * way leaves neither a file nor a row.
   */
  async addImage(image: NewImage, signal?: AbortSignal): Promise<MediaItem> {
    this.#checkOpen()
    throwIfAborted(signal)
    const id = this.#checkNewId(image.id ?? this.#newId(), image.source)
    const checked = await this.#checkBytes(image.bytes)
    throwIfAborted(signal)
    const item = generatedImage(image.settings, this.#basics(id, sha256(image.bytes), this.#now(), image.source))
    const parameters = generatedParameters(image.settings, checked.width, checked.height, this.#appVersion)
    await this.#keep(item, checked, { parameters, signal })
    return this.get(id)
  }

  /**
   * Saves a speech or a song: the MP3's audio frames under
   * `audio/YYYY/MM/<id>.mp3` behind an ID3 tag holding the item's record,
   * text and cover; duration and peaks from one streaming decode; the
   * cover's thumbnails; then the row. A failure half way leaves neither a
   * file nor a row.
   */
  async addAudio(audio: NewAudio, signal?: AbortSignal): Promise<MediaItem> {
    this.#checkOpen()
    throwIfAborted(signal)
    const id = this.#checkNewId(audio.id, audio.source)
    let thumbnails: Thumbnails | null = null
    let coverMime: string | null = null
    if (audio.cover) {
      const format = sniffImage(audio.cover)
      if (format !== 'png' && format !== 'jpeg' && format !== 'webp') throw new AppError('bad_response', 'The song’s cover is not a PNG, JPEG or WebP picture.')
      coverMime = `image/${format}`
      try {
        thumbnails = await renderThumbnails(audio.cover)
      } catch (cause) {
        throw damaged(format.toUpperCase(), cause)
      }
    }
    throwIfAborted(signal)
    const item: EmbeddedItem = {
      ...this.#basics(id, null, this.#now(), audio.source),
      kind: audio.kind,
      title: titleOf(audio.title, audio.text, audio.prompt),
      prompt: audio.prompt,
      text: audio.text,
      description: '',
      model: audio.model,
      keywords: audio.keywords,
      settings: audio.settings,
      color: thumbnails?.color ?? null
    }
    const tag = createAudioTag({ item, artist: audio.artist, cover: audio.cover && coverMime ? { bytes: audio.cover, mime: coverMime } : null })
    const path = audioPath(id, item.createdAt)
    const file = this.#absolute(path)
    await this.#saveNew('audio', id, path, async (written) => {
      const start = id3v2Size(await readHead(audio.file, 10))
      await mkdir(dirname(file), { recursive: true })
      // Streamed: a long song is never held in memory whole.
      await writeFileAtomic(file, withHead(tag, createReadStream(audio.file, { start })), { mode: 0o644 })
      written.push(file)
      throwIfAborted(signal)
      let analysis
      try {
        analysis = await analyzeMp3(file, signal)
      } catch (cause) {
        throw new AppError('bad_response', `The audio could not be decoded: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
      }
      if (thumbnails) await this.#writeThumbnails(id, thumbnails, written)
      throwIfAborted(signal)
      const info = await stat(file)
      const facts: FileFacts = {
        path,
        mime: 'audio/mpeg',
        bytes: info.size,
        mtimeMs: Math.trunc(info.mtimeMs),
        width: null,
        height: null,
        durationMs: analysis.durationMs,
        peaks: analysis.peaks,
        waveform: analysis.waveform
      }
      return toRecord(item, facts, thumbnails !== null)
    })
    this.#emit({ changed: [id] })
    return this.get(id)
  }

  /**
   * Keeps an image that was not generated here, checked like a generated
   * one; its title is its description's start or its file name.
   */
  async addExternalImage(image: ExternalImage, signal?: AbortSignal): Promise<MediaItem> {
    this.#checkOpen()
    throwIfAborted(signal)
    const id = this.#checkNewId(image.id ?? this.#newId(), image.source)
    const checked = await this.#checkBytes(image.bytes)
    throwIfAborted(signal)
    const name = nameFromUrl(image.sourceUrl)
    const base = importedImage(null, name, this.#basics(id, sha256(image.bytes), this.#now(), image.source))
    const description = image.description ?? ''
    const item: EmbeddedItem = {
      ...base,
      title: titleOf(description, name),
      description,
      settings: image.sourceUrl ? { sourceUrl: image.sourceUrl } : {}
    }
    await this.#keep(item, checked, { parameters: null, signal })
    return this.get(id)
  }

  /**
   * Saves a vision model's description on the item, where search finds it,
   * and into the file's own chunk (in the background), so a rescan keeps it.
   */
  setDescription(id: string, description: string): MediaItem {
    this.#checkOpen()
    this.#record(id)
    this.#store.setDescription(id, description)
    this.#rewriteFile(id)
    this.#emit({ changed: [id] })
    return this.get(id)
  }

  // ---------------------------------------------------------------- organising

  star(ids: string[], starred: boolean): { updated: number } {
    const changed = this.#store.star(ids, starred)
    this.#emit({ changed })
    return { updated: changed.length }
  }

  collections(): Collection[] {
    return this.#store.collections()
  }

  /** A collection of that name (case aside) is returned as it is rather than made twice. */
  createCollection(name: string): Collection {
    const clean = name.replace(/\s+/g, ' ').trim()
    if (clean === '') throw new AppError('invalid_argument', 'A collection needs a name.')
    const existing = this.#store.collectionByName(clean)
    if (existing) return existing
    const id = this.#newId()
    this.#store.createCollection(id, clean, this.#now())
    return this.#store.collection(id)!
  }

  addToCollection(ids: string[], collectionId: string): { updated: number } {
    this.#collection(collectionId)
    const changed = this.#store.addToCollection(ids, collectionId, this.#now())
    this.#emit({ changed })
    return { updated: changed.length }
  }

  removeFromCollection(ids: string[], collectionId: string): { updated: number } {
    this.#collection(collectionId)
    const changed = this.#store.removeFromCollection(ids, collectionId)
    this.#emit({ changed })
    return { updated: changed.length }
  }

  /** Moves items to the library's trash (kept, out of the grid); `restore` undoes it. */
  trash(ids: string[]): { count: number } {
    const changed = this.#store.trash(ids, this.#now())
    this.#emit({ changed })
    return { count: changed.length }
  }

  restore(ids: string[]): { count: number } {
    const changed = this.#store.restore(ids)
    this.#emit({ changed })
    return { count: changed.length }
  }

  /**
   * Removes items for good: each file and its thumbnails go to the OS trash
   * (where a person can still get them back), then the row. An item whose
   * file the OS refused to take keeps its row, and the call says so.
   */
  async deleteForever(ids: string[]): Promise<{ count: number }> {
    this.#checkOpen()
    const removed: string[] = []
    const refused: string[] = []
    for (const id of this.#store.existing(ids)) {
      const record = this.#store.record(id)
      if (!record) continue
      try {
        await this.#toOsTrash(this.#absolute(record.path))
      } catch (error) {
        refused.push(`${record.title || id}: ${error instanceof Error ? error.message : String(error)}`)
        continue
      }
      for (const thumb of [smallThumbPath(id), largeThumbPath(id)]) {
        await this.#toOsTrash(this.#absolute(thumb)).catch((error: unknown) => this.#logger.warn(`A thumbnail of ${id} stayed: ${String(error)}`))
      }
      removed.push(id)
    }
    const deleted = removed.length > 0 ? this.#store.delete(removed) : []
    this.#emit({ removed: deleted })
    if (refused.length > 0) {
      throw new AppError('internal', `${refused.length} item(s) could not be moved to the trash and were kept: ${refused.slice(0, 3).join('; ')}`)
    }
    return { count: deleted.length }
  }

  // ---------------------------------------------------------------- files out

  /** Asks for a folder and copies the items' files there, named by title and id, never over an existing file. */
  async exportItems(ids: string[]): Promise<ExportResult> {
    const records = ids.map((id) => this.#store.record(id)).filter((record) => record !== null)
    if (records.length === 0) throw notFound()
    const folder = await this.#powers.dialogs.openFolder({ title: records.length === 1 ? 'Export the item to a folder' : `Export ${records.length} items to a folder` })
    if (folder === null) return { path: null, count: 0 }
    let count = 0
    for (const record of records) {
      const target = await freeName(folder, exportName(record))
      await this.#copyOut(record, target)
      count++
    }
    return { path: folder, count }
  }

  /** Asks where to save a copy of one item's file. */
  async saveCopy(id: string): Promise<ExportResult> {
    const record = this.#record(id)
    const extension = extname(record.path).slice(1).toLowerCase()
    const target = await this.#powers.dialogs.saveFile({
      title: 'Save a copy',
      defaultName: exportName(record),
      filters: [{ name: `${extension.toUpperCase()} file`, extensions: [extension] }]
    })
    if (target === null) return { path: null, count: 0 }
    await this.#copyOut(record, target)
    return { path: target, count: 1 }
  }

  reveal(id: string): void {
    this.#powers.showItemInFolder(this.#existingFile(id))
  }

  async open(id: string): Promise<void> {
    await this.#powers.openPath(this.#existingFile(id))
  }

  async copyImage(id: string): Promise<void> {
    const record = this.#record(id)
    if (record.kind !== 'image') throw new AppError('invalid_argument', 'Only images can be copied to the clipboard.')
    await this.#powers.copyImageFile(this.#existingFile(id))
  }

  // ---------------------------------------------------------------- rescan and import

  /**
   * Re-reads the media folder: every file's own settings, rows back for
   * files without one (the database deleted, say), rows of missing files
   * removed, changed files read again. Missing thumbnails are made in the background.
   */
  async rescan(): Promise<RescanResult> {
    return this.#scan(true)
  }

  /** A quick start-up check: only files added, changed or removed by hand since the last run are read. */
  async checkAtStart(): Promise<void> {
    try {
      const result = await this.#scan(false)
      if (result.added + result.updated + result.removed > 0) {
        this.#logger.info(`Library check: ${result.added} added, ${result.updated} updated, ${result.removed} removed in ${result.durationMs} ms.`)
      }
      // The grid's first query then finds its cards made (about 75 ms for 10,000 otherwise).
      if (!this.#closed) this.#store.query({})
    } catch (error) {
      if (!this.#closed) this.#logger.warn(`The library check at start failed: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  /** Asks for a folder of images and adds them, with the settings other tools embedded in them. */
  async importFolder(): Promise<FolderImportResult> {
    this.#checkOpen()
    const folder = await this.#powers.dialogs.openFolder({ title: 'Import a folder of images' })
    if (folder === null) return { path: null, added: 0, skipped: 0, failed: 0 }
    const counts = await importFolder(folder, {
      mediaDir: this.#mediaDir,
      maxBytes: this.#maxImageBytes,
      logger: this.#logger,
      isKnown: (hash, ownId) => this.#store.hasSourceHash(hash) || (ownId !== null && this.#store.hasId(ownId)),
      basics: (hash, createdAt) => this.#basics(this.#newId(), hash, createdAt, 'import'),
      keep: (item, image) => this.#keep(item, image, { parameters: null }),
      aborted: () => this.#closed
    })
    return { path: folder, ...counts }
  }

  // ---------------------------------------------------------------- events and life

  onChange(listener: (change: LibraryChanged) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Resolves once background work (thumbnails, file rewrites) is done. */
  async settled(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background])
  }

  /** Stops taking work and waits for what runs; call before the database closes. */
  async close(): Promise<void> {
    this.#closed = true
    await this.#scanning?.promise.catch(() => undefined)
    await this.settled()
  }

  // ---------------------------------------------------------------- internals

  #checkNewId(id: string, source: MediaSource): string {
    if (!isSafeId(id)) throw new AppError('invalid_argument', 'A library item id may only hold letters, digits, - and _.')
    if (this.#store.hasId(id)) throw new AppError('invalid_argument', `The library already holds an item ${id}.`)
    if (!MEDIA_SOURCES.includes(source)) throw new AppError('invalid_argument', `"${String(source)}" is not a source of library items.`)
    return id
  }

  #checkBytes(bytes: unknown): Promise<CheckedImage> {
    if (!(bytes instanceof Uint8Array)) throw new AppError('bad_response', 'The server sent no image.')
    return checkIncomingImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), this.#maxImageBytes)
  }

  #basics(id: string, sourceHash: string | null, createdAt: number, source: MediaSource): ItemBasics {
    return { id, source, createdAt, sourceHash, color: null, appVersion: this.#appVersion }
  }

  /**
   * Writes a checked image with its settings: thumbnails first (in memory:
   * they decode the whole image, so a damaged one fails before anything is
   * written), then the file, the thumbnails' files and the row. Anything
   * failing removes what this call wrote.
   */
  async #keep(item: EmbeddedItem, image: CheckedImage, options: { parameters: string | null; signal?: AbortSignal | undefined }): Promise<void> {
    const { signal } = options
    let thumbnails: Thumbnails
    try {
      thumbnails = await renderThumbnails(image.png)
    } catch (cause) {
      throw damaged(image.format.toUpperCase(), cause)
    }
    throwIfAborted(signal)
    const kept: EmbeddedItem = { ...item, color: thumbnails.color }
    const chunks = [appChunk(kept)]
    // An imported file keeps the infotext its tool wrote.
    if (options.parameters !== null && !image.texts.some((text) => text.keyword === A1111_KEYWORD)) chunks.push(a1111Chunk(options.parameters))
    const png = withTextChunks(image.png, chunks)
    const path = imagePath(kept.id, kept.createdAt)
    const file = this.#absolute(path)
    await this.#saveNew('image', kept.id, path, async (written) => {
      await mkdir(dirname(file), { recursive: true })
      await writeFileAtomic(file, png, { mode: 0o644 })
      written.push(file)
      throwIfAborted(signal)
      await this.#writeThumbnails(kept.id, thumbnails, written)
      throwIfAborted(signal)
      const info = await stat(file)
      const facts: FileFacts = { path, mime: 'image/png', bytes: info.size, mtimeMs: Math.trunc(info.mtimeMs), width: image.width, height: image.height, durationMs: null }
      return toRecord(kept, facts, true)
    })
    this.#emit({ changed: [kept.id] })
  }

  /**
   * Saves a new item's files and then its row, for every kind: `write` puts
   * the files in place (naming each in `written`) and returns the row. On any
   * failure what this call wrote is removed, so nothing half-saved remains.
   */
  async #saveNew(noun: 'image' | 'audio', id: string, path: string, write: (written: string[]) => Promise<MediaRecord>): Promise<void> {
    // Two saves of one id at once (a retried job, say) would write one file: the second is refused.
    if (this.#writing.has(path)) throw new AppError('invalid_argument', `The item ${id} is being saved already.`)
    this.#writing.add(path)
    const written: string[] = []
    try {
      if (existsSync(this.#absolute(path))) throw new AppError('internal', `${path} already exists in the media folder.`)
      const record = await write(written)
      try {
        this.#store.transaction(() => this.#store.insert(record))
      } catch (cause) {
        throw new AppError('internal', `The ${noun} could not be recorded in the library: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
      }
    } catch (error) {
      // Only what this call made: a half-saved item is not something a person made.
      for (const made of written.reverse()) await rm(made, { force: true }).catch(() => undefined)
      if (error instanceof AppError) throw error
      // A full disk, a folder that cannot be written: said in words, with the system's reason.
      throw new AppError('internal', `The ${noun} could not be written to the media folder: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    } finally {
      this.#writing.delete(path)
    }
  }

  /** Writes an item's two thumbnails, naming each in `written`. */
  async #writeThumbnails(id: string, thumbnails: Pick<Thumbnails, 'small' | 'large'>, written: string[]): Promise<void> {
    await mkdir(join(this.#mediaDir, THUMBS_DIR), { recursive: true })
    const files = [this.#absolute(smallThumbPath(id)), this.#absolute(largeThumbPath(id))]
    for (const [index, data] of [thumbnails.small, thumbnails.large].entries()) {
      await writeFileAtomic(files[index]!, data, { mode: 0o644 })
      written.push(files[index]!)
    }
  }

  #scan(full: boolean): Promise<RescanResult> {
    this.#checkOpen()
    const running = this.#scanning
    if (running && (running.full || !full)) return running.promise
    const promise = (running?.promise.catch(() => undefined) ?? Promise.resolve()).then(() => this.#runScan(full))
    const current = { promise, full }
    this.#scanning = current
    void promise
      .finally(() => {
        if (this.#scanning === current) this.#scanning = null
      })
      .catch(() => undefined)
    return promise
  }

  async #runScan(full: boolean): Promise<RescanResult> {
    const started = performance.now()
    // Rows first: a row saved while the folder is listed is then never taken for one whose file is gone.
    const rows = this.#store.scanRows()
    const files = await listMediaFiles(this.#mediaDir)
    const thumbs = await idsWithThumbnails(this.#mediaDir)
    const plan = planScan(rows, files, this.#writing)
    const result: RescanResult = { added: 0, updated: 0, removed: 0, unchanged: 0, durationMs: 0 }
    const changedIds: string[] = []

    // Rows whose file is gone, unless it reappeared meanwhile. A moved file is matched below by its own id.
    const missing = new Map<string, ScanRow>()
    for (const row of plan.missing) if (!existsSync(this.#absolute(row.path))) missing.set(row.id, row)

    const toRead: Array<{ file: FoundFile; row: ScanRow | null; changed: boolean }> = [
      ...plan.fresh.map((file) => ({ file, row: null, changed: true })),
      ...plan.changed.map((entry) => ({ ...entry, changed: true }))
    ]
    if (full) toRead.push(...plan.unchanged.map((entry) => ({ ...entry, changed: false })))
    else result.unchanged += plan.unchanged.length

    const usedIds = new Set(rows.map((row) => row.id))
    // Thumbnails are made once the rows are written: the maker reads the row.
    const needThumbnails: string[] = []
    let batch: Array<() => void> = []
    const flush = (): void => {
      if (batch.length === 0) return
      const work = batch
      batch = []
      this.#store.transaction(() => {
        for (const step of work) {
          // One row that cannot be written (taken meanwhile by a save) does not cost the others theirs.
          try {
            step()
          } catch (error) {
            this.#logger.warn(`Rescan could not record a file: ${error instanceof Error ? error.message : String(error)}`)
          }
        }
      })
    }
    await forEachLimited(toRead, PARALLEL_READS, async ({ file, row, changed }) => {
      if (this.#closed) return
      let described: { item: EmbeddedItem; facts: FileFacts }
      const before = row ? this.#store.record(row.id) : null
      try {
        // An unchanged file's hash is the row's: only a changed or new file is hashed again.
        described = await this.#describeFile(file, before && !changed ? before.sourceHash : null)
      } catch (error) {
        this.#logger.warn(`Rescan could not read ${file.path}: ${error instanceof Error ? error.message : String(error)}`)
        if (row) result.unchanged++
        return
      }
      const { item, facts } = described
      if (row) {
        if (!before) return
        const hasThumbs = thumbs.has(row.id)
        const after = toRecord({ ...item, id: row.id }, facts, hasThumbs)
        const same = sameFileFields(before, after)
        if (same && before.hasThumbs === hasThumbs) {
          result.unchanged++
        } else {
          batch.push(() => this.#store.updateFromFile(row.id, { ...after, createdAt: before.createdAt, source: before.source, color: after.color ?? before.color }))
          if (same) result.unchanged++
          else result.updated++
          changedIds.push(row.id)
        }
        // A file changed on disk may show another picture: its thumbnails are made again.
        if (!hasThumbs || changed) needThumbnails.push(row.id)
        if (batch.length >= WRITE_BATCH) flush()
        return
      }
      // A file no row points to: its own id when it has one that is free, or moved here from a row whose file is gone.
      let id = item.id
      const moved = missing.get(id)
      if (moved) {
        missing.delete(id)
        batch.push(() => this.#store.updateFromFile(id, toRecord(item, facts, thumbs.has(id))))
        result.updated++
      } else {
        if (!isSafeId(id) || usedIds.has(id)) id = this.#newId()
        usedIds.add(id)
        const record = toRecord({ ...item, id }, facts, thumbs.has(id))
        batch.push(() => {
          if (!this.#store.hasPath(record.path)) this.#store.insert(record)
        })
        result.added++
      }
      changedIds.push(id)
      if (!thumbs.has(id)) needThumbnails.push(id)
      if (batch.length >= WRITE_BATCH) flush()
    })
    flush()
    for (const id of needThumbnails) this.#queueThumbnails(id)

    const removedIds = missing.size > 0 ? this.#store.delete([...missing.keys()]) : []
    result.removed = removedIds.length
    if (removedIds.length > 0) {
      // Thumbnails are made from the files: with the file gone they are of no use to anyone.
      for (const id of removedIds) for (const thumb of [smallThumbPath(id), largeThumbPath(id)]) await rm(this.#absolute(thumb), { force: true }).catch(() => undefined)
    }
    // Rows whose thumbnails went missing (deleted by hand, a cleaner).
    for (const row of plan.unchanged) if (!thumbs.has(row.row.id)) this.#queueThumbnails(row.row.id)
    result.durationMs = Math.round(performance.now() - started)
    this.#emit({ changed: changedIds, removed: removedIds })
    return result
  }

  /** What a media file says about itself: the app's own record, another tool's settings, or only its name. */
  async #describeFile(file: FoundFile, knownHash: string | null): Promise<{ item: EmbeddedItem; facts: FileFacts }> {
    // One reader per file format; the sound kinds add theirs (ID3 tags) beside this one.
    switch (file.format) {
      case 'png':
        return this.#describePng(file, knownHash)
      case 'mp3':
        return this.#describeMp3(file)
    }
  }

  /** An MP3's tag says what the item is; one streaming decode gives its duration and peaks again. */
  async #describeMp3(file: FoundFile): Promise<{ item: EmbeddedItem; facts: FileFacts }> {
    const tag = await readAudioTag(file.absolute)
    const analysis = await analyzeMp3(file.absolute)
    const facts: FileFacts = {
      path: file.path,
      mime: 'audio/mpeg',
      bytes: file.bytes,
      mtimeMs: file.mtimeMs,
      width: null,
      height: null,
      durationMs: analysis.durationMs,
      peaks: analysis.peaks,
      waveform: analysis.waveform
    }
    if (tag.item && (tag.item.kind === 'speech' || tag.item.kind === 'song')) return { item: tag.item, facts }
    // An MP3 put here by hand: kept as a song named by its tag or its file.
    const name = basename(file.path)
    const item: EmbeddedItem = {
      ...this.#basics(basename(file.path, '.mp3'), null, file.mtimeMs, 'import'),
      kind: 'song',
      title: titleOf(tag.title, name),
      prompt: '',
      text: '',
      description: '',
      model: null,
      keywords: tag.artist,
      settings: { fileName: name }
    }
    return { item, facts }
  }

  async #describePng(file: FoundFile, knownHash: string | null): Promise<{ item: EmbeddedItem; facts: FileFacts }> {
    const head = await readPngHead(file.absolute)
    const facts: FileFacts = { path: file.path, mime: 'image/png', bytes: file.bytes, mtimeMs: file.mtimeMs, width: head.width, height: head.height, durationMs: null }
    const own = readAppChunk(head.texts)
    if (own) return { item: own, facts }
    // A PNG put here by hand: described like an import; its hash marks it as already here for a later import.
    const hash = knownHash ?? sha256(await readFile(file.absolute))
    const item = importedImage(readForeignSettings(head.texts), basename(file.path), this.#basics(basename(file.path, '.png'), hash, file.mtimeMs, 'import'))
    return { item, facts }
  }

  #queueThumbnails(id: string): void {
    if (this.#closed || this.#thumbnailsPending.has(id)) return
    this.#thumbnailsPending.add(id)
    this.#track(
      this.#thumbnailQueue.run(async () => {
        try {
          // Closing: what is still queued is made at the next start instead.
          if (this.#closed) return
          const record = this.#store.record(id)
          if (!record) return
          // A song's thumbnails come from the cover in its tag; speech has none (the card draws its peaks).
          const source = record.kind === 'image' ? await readFile(this.#absolute(record.path)) : (await readAudioTag(this.#absolute(record.path))).cover
          if (!source) return
          const thumbnails = await renderThumbnails(source)
          if (this.#closed || !this.#store.hasId(id)) return
          await mkdir(join(this.#mediaDir, THUMBS_DIR), { recursive: true })
          await writeFileAtomic(this.#absolute(smallThumbPath(id)), thumbnails.small, { mode: 0o644 })
          await writeFileAtomic(this.#absolute(largeThumbPath(id)), thumbnails.large, { mode: 0o644 })
          this.#store.setThumbnails(id, thumbnails.color, true)
          this.#emit({ changed: [id] })
        } catch (error) {
          this.#logger.warn(`Thumbnails of ${id} could not be made: ${error instanceof Error ? error.message : String(error)}`)
        } finally {
          this.#thumbnailsPending.delete(id)
        }
      })
    )
  }

  /** Writes the row's record into the file's own chunk again (after a description), keeping every other chunk. */
  #rewriteFile(id: string): void {
    const previous = this.#rewrites.get(id) ?? Promise.resolve()
    const next = previous.then(async () => {
      const record = this.#store.record(id)
      if (!record || record.kind !== 'image' || this.#closed) return
      const file = this.#absolute(record.path)
      this.#writing.add(record.path)
      try {
        const png = withTextChunks(await readFile(file), [appChunk(fromRecord(record, this.#appVersion))])
        await writeFileAtomic(file, png, { mode: 0o644 })
        const info = await stat(file)
        this.#store.setFileStat(id, info.size, Math.trunc(info.mtimeMs))
      } catch (error) {
        this.#logger.warn(`The description of ${id} could not be written into its file: ${error instanceof Error ? error.message : String(error)}`)
      } finally {
        this.#writing.delete(record.path)
      }
    })
    this.#rewrites.set(id, next)
    this.#track(next.finally(() => this.#rewrites.get(id) === next && this.#rewrites.delete(id)))
  }

  #track(work: Promise<unknown>): void {
    this.#background.add(work)
    void work.finally(() => this.#background.delete(work))
  }

  async #copyOut(record: MediaRecord, target: string): Promise<void> {
    const source = this.#absolute(record.path)
    if (!existsSync(source)) throw notFound('The item’s file is missing from the media folder. Rescan the library.')
    await writeFileAtomic(target, createReadStream(source))
  }

  /** Moves a file to the OS trash; a file already gone needs nothing. */
  async #toOsTrash(file: string): Promise<void> {
    if (!existsSync(file)) return
    await this.#powers.trashItem(file)
  }

  #record(id: string): MediaRecord {
    const record = this.#store.record(id)
    if (!record) throw notFound()
    return record
  }

  #collection(id: string): Collection {
    const collection = this.#store.collection(id)
    if (!collection) throw new AppError('not_found', 'That collection no longer exists.')
    return collection
  }

  #existingFile(id: string): string {
    const file = this.#absolute(this.#record(id).path)
    if (!existsSync(file)) throw notFound('The item’s file is missing from the media folder. Rescan the library.')
    return file
  }

  #absolute(path: string): string {
    try {
      return absolutePath(this.#mediaDir, path)
    } catch (cause) {
      throw new AppError('internal', 'A library path points outside the media folder.', { cause })
    }
  }

  #emit(change: Change): void {
    const changed = [...new Set(change.changed ?? [])]
    const removed = [...new Set(change.removed ?? [])]
    if (changed.length === 0 && removed.length === 0) return
    for (const listener of this.#listeners) {
      try {
        listener({ changed, removed })
      } catch (error) {
        this.#logger.warn(`A library listener failed: ${String(error)}`)
      }
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new AppError('internal', 'The library is closed.')
  }
}

function notFound(message = 'This item is no longer in the library.'): AppError {
  return new AppError('not_found', message)
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('aborted', 'Stopped before the image was saved.')
}

/** The file name a link ends with (or its host), as a title for an image kept from it. */
function nameFromUrl(link: string | undefined): string {
  if (link === undefined) return 'image'
  try {
    const url = new URL(link)
    const last = url.pathname.split('/').pop() ?? ''
    let name = last
    try {
      name = decodeURIComponent(last)
    } catch {
      // Not valid percent-encoding: the raw name will do.
    }
    return name || url.hostname || 'image'
  } catch {
    return 'image'
  }
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Whether a re-read file says the same as its row (what a person did to the row is not compared). */
function sameFileFields(a: MediaRecord, b: MediaRecord): boolean {
  return (
    a.kind === b.kind &&
    a.path === b.path &&
    a.bytes === b.bytes &&
    a.mtimeMs === b.mtimeMs &&
    a.width === b.width &&
    a.height === b.height &&
    a.durationMs === b.durationMs &&
    a.title === b.title &&
    a.prompt === b.prompt &&
    a.text === b.text &&
    a.description === b.description &&
    a.model === b.model &&
    a.keywords === b.keywords &&
    a.sourceHash === b.sourceHash &&
    JSON.stringify(a.settings) === JSON.stringify(b.settings)
  )
}

/** `<title>-<id start>.<ext>`: readable, and two items with one prompt never share a name. */
function exportName(record: MediaRecord): string {
  const words = record.title.replace(/…$/, '').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '')
  const stem = Array.from(words).slice(0, FILE_NAME_CHARS).join('').replace(/-+$/, '') || record.kind
  return `${stem}-${record.id.slice(0, 8)}${extname(record.path).toLowerCase()}`
}

/** The name itself, or `name (2).ext` and so on: an export never replaces a file. */
async function freeName(folder: string, name: string): Promise<string> {
  const extension = extname(name)
  const stem = name.slice(0, name.length - extension.length)
  for (let attempt = 1; attempt < 10_000; attempt++) {
    const candidate = join(folder, attempt === 1 ? name : `${stem} (${attempt})${extension}`)
    if (!existsSync(candidate)) return candidate
  }
  throw new AppError('internal', `The folder already holds too many files named like ${name}.`)
}

/** Runs `work` over `items`, at most `limit` at once. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/** Some bytes, then a stream: a new tag in front of an MP3's frames. */
async function* withHead(head: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield head
  yield* rest
}
