/**
 * Opens skyport.db (conversations, jobs, the media library): connection
 * settings, the schema-version check, and the migrations. A file written by
 * a newer version of the app is refused before anything is written to it.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { AppError } from '../../../shared/errors'
import { migrations, SCHEMA_VERSION } from './migrations'

/**
 * Per-connection settings. WAL lets a reader run beside the writer and, with
 * synchronous=NORMAL, a commit is an append to the log without an fsync:
 * a crash of the app loses nothing committed, a power cut at most the last
 * moments. Exported so the crash test's child process opens the file alike.
 */
export const CONNECTION_PRAGMAS = [
  'PRAGMA journal_mode = WAL',
  'PRAGMA synchronous = NORMAL',
  'PRAGMA foreign_keys = ON',
  // Up to 64 MiB of pages (the default is 2 MiB): a long conversation's text
  // and the search index's hot pages stay in memory between reads.
  'PRAGMA cache_size = -65536',
  'PRAGMA temp_store = MEMORY'
] as const
export const BUSY_TIMEOUT_MS = 5_000

export interface OpenOptions {
  /** How long a write waits for another connection's lock before it fails. */
  busyTimeoutMs?: number
  /** Page cache size in KiB, instead of the 64 MiB above (a one-pass reader needs little). */
  cacheSizeKiB?: number
}

export function openDatabase(filePath: string, options: OpenOptions = {}): DatabaseSync {
  let db: DatabaseSync
  try {
    if (filePath !== ':memory:') mkdirSync(dirname(filePath), { recursive: true })
    db = new DatabaseSync(filePath, { timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS, enableForeignKeyConstraints: true })
  } catch (error) {
    throw new AppError('internal', `The database ${filePath} could not be opened: ${messageOf(error)}`, { cause: error })
  }
  try {
    const found = userVersion(db)
    if (found > SCHEMA_VERSION) {
      throw new AppError(
        'invalid_argument',
        `The database ${filePath} was written by a newer version of Skyport (schema ${found}; this version knows up to ${SCHEMA_VERSION}). Update the app to open it; the file was left untouched.`
      )
    }
    for (const pragma of CONNECTION_PRAGMAS) db.exec(pragma)
    // PRAGMA takes no bound parameters; the value is checked to be a whole number.
    if (options.cacheSizeKiB !== undefined && Number.isSafeInteger(options.cacheSizeKiB) && options.cacheSizeKiB > 0) db.exec(`PRAGMA cache_size = -${options.cacheSizeKiB}`)
    migrate(db, filePath)
    return db
  } catch (error) {
    db.close()
    if (error instanceof AppError) throw error
    throw new AppError('internal', `The database ${filePath} could not be opened: ${messageOf(error)}`, { cause: error })
  }
}

function userVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number } | undefined
  return row?.user_version ?? 0
}

/** Runs the missing steps in one write transaction: a failure leaves the file as it was. */
function migrate(db: DatabaseSync, filePath: string): void {
  if (userVersion(db) === SCHEMA_VERSION) return
  // IMMEDIATE takes the write lock first, so two processes opening an old
  // file at once cannot both run the same step; re-read under the lock.
  db.exec('BEGIN IMMEDIATE')
  try {
    const from = userVersion(db)
    if (from > SCHEMA_VERSION) throw new AppError('invalid_argument', `The database ${filePath} was just upgraded by a newer version of Skyport.`)
    for (let version = from; version < SCHEMA_VERSION; version++) {
      const step = migrations[version]
      if (!step) throw new AppError('internal', `Missing migration ${version + 1}.`)
      try {
        step.up(db)
      } catch (error) {
        throw new AppError('internal', `Upgrading the database failed at step ${version + 1} (${step.name}): ${messageOf(error)}`, { cause: error })
      }
    }
    // PRAGMA takes no bound parameters; the value is our own integer.
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
    db.exec('COMMIT')
  } catch (error) {
    db.exec('ROLLBACK')
    throw error
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
