/**
 * The log file, written by electron-log (its plain-Node build, so this stays
 * free of Electron). The only module that imports the library: everything
 * else logs through the `Logger` of log.ts.
 */
import log from 'electron-log/node'
import { join } from 'node:path'
import { LOG_FILE, type LogWriter } from './log'

/** Past this size main.log becomes main.old.log and a new file starts. */
export const LOG_MAX_BYTES = 1024 * 1024

export interface LogFileOptions {
  maxBytes?: number
  /** Also print to the terminal (development). */
  echo?: boolean
}

/** Appends lines to `<dir>/main.log`, rotating it past `maxBytes`. */
export function openLogFile(dir: string, options: LogFileOptions = {}): LogWriter {
  // Its own instance: the library's default one is shared by every importer.
  const file = log.create({ logId: `skyport:${dir}` })
  file.transports.file.resolvePathFn = () => join(dir, LOG_FILE)
  file.transports.file.maxSize = options.maxBytes ?? LOG_MAX_BYTES
  file.transports.console.level = options.echo ? 'silly' : false
  return (level, text) => file[level](text)
}
