/**
 * The offline media library: one table for every kind of media (images now,
 * speech and songs later) with a full-text index, thumbnails, and the files
 * as the truth. Every file carries its own settings (PNG text chunks, MP3
 * ID3 tags), so a rescan rebuilds the database from the media folder.
 */
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
import type { Logger } from '../log'

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

function notBuilt(): never {
  throw new AppError('internal', 'The media library is not built yet.')
}

export class Library {
  constructor(_options: LibraryOptions) {}

  query(_filter: LibraryFilter = {}): LibraryPage {
    return notBuilt()
  }

  get(_id: string): MediaItem {
    return notBuilt()
  }

  /** The item's file, absolute. */
  filePath(_id: string): string {
    return notBuilt()
  }

  /** The item's small thumbnail, absolute (the drag icon). */
  thumbnailPath(_id: string): string {
    return notBuilt()
  }

  /**
   * Saves an image: settings embedded in the PNG (the app's own JSON chunk
   * and an A1111-style `parameters` chunk), written atomically under
   * `images/YYYY/MM/<id>.png`, thumbnails made, then the row. A failure half
   * way leaves neither a file nor a row.
   */
  async addImage(_image: NewImage, _signal?: AbortSignal): Promise<MediaItem> {
    return notBuilt()
  }

  /** Adds an image file from elsewhere (a kept preview, an imported file), reading any settings embedded in it. */
  async importFile(_path: string, _options: { source: MediaSource; description?: string }): Promise<MediaItem> {
    return notBuilt()
  }

  setDescription(_id: string, _description: string): MediaItem {
    return notBuilt()
  }

  star(_ids: string[], _starred: boolean): { updated: number } {
    return notBuilt()
  }

  collections(): Collection[] {
    return notBuilt()
  }

  createCollection(_name: string): Collection {
    return notBuilt()
  }

  addToCollection(_ids: string[], _collectionId: string): { updated: number } {
    return notBuilt()
  }

  removeFromCollection(_ids: string[], _collectionId: string): { updated: number } {
    return notBuilt()
  }

  trash(_ids: string[]): { count: number } {
    return notBuilt()
  }

  restore(_ids: string[]): { count: number } {
    return notBuilt()
  }

  async deleteForever(_ids: string[]): Promise<{ count: number }> {
    return notBuilt()
  }

  async exportItems(_ids: string[]): Promise<ExportResult> {
    return notBuilt()
  }

  async saveCopy(_id: string): Promise<ExportResult> {
    return notBuilt()
  }

  reveal(_id: string): void {
    notBuilt()
  }

  async open(_id: string): Promise<void> {
    notBuilt()
  }

  async copyImage(_id: string): Promise<void> {
    notBuilt()
  }

  async rescan(): Promise<RescanResult> {
    return notBuilt()
  }

  async importFolder(): Promise<FolderImportResult> {
    return notBuilt()
  }

  /** A quick start-up check: files added, changed or removed by hand since the last run. */
  async checkAtStart(): Promise<void> {}

  onChange(_listener: (change: LibraryChanged) => void): () => void {
    return () => {}
  }
}
