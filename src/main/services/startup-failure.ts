/**
 * When the services cannot start (an unreadable or newer database, a data
 * folder that is read-only or full): what to tell the person and what they
 * may do about it. The shell shows this as a dialog; the decisions are here,
 * in plain Node, so they are tested on real files.
 */
import { existsSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { DATABASE_FILE } from '../app-services'
import { SCHEMA_VERSION } from './db/migrations'
import { errorCodesOf } from './http/transport-errors'
import { LOG_DIR, LOG_FILE } from './log'
import { fileStamp } from './settings'

export type StartupProblem = 'database-newer' | 'database-unreadable' | 'folder-not-writable' | 'disk-full' | 'unknown'

/** `start-fresh` moves the database aside and starts again; the other two end the process. */
export type StartupAction = 'quit' | 'show-folder' | 'start-fresh'

export interface StartupFailurePlan {
  problem: StartupProblem
  title: string
  /** One sentence: what happened. */
  message: string
  /** The error itself and what each choice does. */
  detail: string
  /** In the order shown; the first is the default. */
  actions: Array<{ action: StartupAction; label: string }>
}

/** The companions SQLite keeps beside the database in WAL mode. */
const DATABASE_SIDE_FILES = ['', '-wal', '-shm']

// SQLite primary result codes (the low byte of an extended code).
const SQLITE_READONLY = 8
const SQLITE_CORRUPT = 11
const SQLITE_FULL = 13
const SQLITE_CANTOPEN = 14
const SQLITE_NOTADB = 26

const FOLDER_CODES = ['EACCES', 'EPERM', 'EROFS']

export function planStartupFailure(error: unknown, userDataDir: string): StartupFailurePlan {
  const databasePath = join(userDataDir, DATABASE_FILE)
  const problem = classify(error, databasePath)
  const said = messageOf(error)
  const logPath = join(userDataDir, LOG_DIR, LOG_FILE)
  const quit = { action: 'quit' as const, label: 'Quit' }
  const showFolder = { action: 'show-folder' as const, label: 'Show data folder' }
  const startFresh = { action: 'start-fresh' as const, label: 'Move database aside and start fresh' }
  const keptAs = `The old file is kept in the data folder as ${DATABASE_FILE.replace(/\.db$/, '')}.unreadable-<time>.db.`

  switch (problem) {
    case 'database-newer':
      return {
        problem,
        title: 'Skyport could not start',
        message: 'Your conversations were saved by a newer version of Skyport.',
        detail: `${said}\n\nInstall the newer version to open them, or start fresh with no conversations. ${keptAs}`,
        actions: [quit, showFolder, startFresh]
      }
    case 'database-unreadable':
      return {
        problem,
        title: 'Skyport could not start',
        message: 'The database that holds your conversations could not be read.',
        detail: `${said}\n\nThe file may be damaged. Start fresh to continue with no conversations. ${keptAs}`,
        actions: [quit, showFolder, startFresh]
      }
    case 'folder-not-writable':
      return {
        problem,
        title: 'Skyport could not start',
        message: 'Skyport cannot write to its data folder.',
        detail: `${userDataDir}\n\n${said}\n\nCheck that the folder belongs to you and is not read-only, then start Skyport again.`,
        actions: [quit, showFolder]
      }
    case 'disk-full':
      return {
        problem,
        title: 'Skyport could not start',
        message: "The disk that holds Skyport's data is full.",
        detail: `${userDataDir}\n\n${said}\n\nFree some space, then start Skyport again.`,
        actions: [quit, showFolder]
      }
    default:
      return {
        problem,
        title: 'Skyport could not start',
        message: 'Something went wrong while Skyport was starting.',
        detail: `${said}\n\nThe details are in ${logPath}.`,
        actions: [quit, showFolder]
      }
  }
}

/**
 * Renames skyport.db and its -wal and -shm files to
 * skyport.unreadable-<time>.db(-wal, -shm), so the next start creates an
 * empty database and the old one stays for a newer app or a repair tool.
 * Returns the new paths. Throws (an fs error) when the folder refuses it.
 */
export function moveDatabaseAside(userDataDir: string, now: Date = new Date()): string[] {
  const databasePath = join(userDataDir, DATABASE_FILE)
  const asidePath = databasePath.replace(/\.db$/, `.unreadable-${fileStamp(now)}.db`)
  const moved: string[] = []
  for (const suffix of DATABASE_SIDE_FILES) {
    if (!existsSync(databasePath + suffix)) continue
    renameSync(databasePath + suffix, asidePath + suffix)
    moved.push(asidePath + suffix)
  }
  return moved
}

function classify(error: unknown, databasePath: string): StartupProblem {
  const codes = errorCodesOf(error)
  const sqlite = sqliteCodesOf(error)
  if (codes.includes('ENOSPC') || sqlite.includes(SQLITE_FULL)) return 'disk-full'
  if (FOLDER_CODES.some((code) => codes.includes(code)) || sqlite.includes(SQLITE_READONLY) || sqlite.includes(SQLITE_CANTOPEN)) {
    return 'folder-not-writable'
  }
  if (!existsSync(databasePath)) return 'unknown'
  if (schemaVersionOf(databasePath) > SCHEMA_VERSION) return 'database-newer'
  if (sqlite.includes(SQLITE_NOTADB) || sqlite.includes(SQLITE_CORRUPT) || messageOf(error).includes(databasePath)) {
    return 'database-unreadable'
  }
  return 'unknown'
}

/** The file's schema version, read without writing anything; -1 when it cannot be read. */
function schemaVersionOf(databasePath: string): number {
  let db: DatabaseSync | undefined
  try {
    db = new DatabaseSync(databasePath, { readOnly: true })
    const row = db.prepare('PRAGMA user_version').get() as { user_version: number } | undefined
    return row?.user_version ?? -1
  } catch {
    return -1
  } finally {
    db?.close()
  }
}

/** node:sqlite's result codes (`errcode`) on the error and its causes, as primary codes. */
function sqliteCodesOf(error: unknown): number[] {
  const codes: number[] = []
  for (let value: unknown = error, depth = 0; typeof value === 'object' && value !== null && depth < 6; depth++) {
    const errcode = (value as { errcode?: unknown }).errcode
    if (typeof errcode === 'number') codes.push(errcode & 0xff)
    value = (value as { cause?: unknown }).cause
  }
  return codes
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
