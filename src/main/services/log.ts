/**
 * Main's log: what went wrong, written to `logs/main.log` in the data folder
 * (see log-file.ts, the one module that knows the logging library). Every
 * line passes through a redactor first, so the API key never reaches the file.
 */
import { inspect } from 'node:util'

export const LOG_DIR = 'logs'
export const LOG_FILE = 'main.log'

export type LogLevel = 'error' | 'warn' | 'info'

export interface Logger {
  error(message: string, detail?: unknown): void
  warn(message: string, detail?: unknown): void
  info(message: string, detail?: unknown): void
}

/** Where finished, scrubbed lines go: the log file in the app, memory in tests. */
export type LogWriter = (level: LogLevel, text: string) => void

/** A logger whose every line, error stacks and causes included, goes through `redact`. */
export function createLogger(write: LogWriter, redact: (text: string) => string): Logger {
  const log =
    (level: LogLevel) =>
    (message: string, detail?: unknown): void => {
      const text = detail === undefined ? message : `${message} ${describe(detail)}`
      try {
        write(level, redact(text))
      } catch {
        // A log that cannot be written must not take down what was logging.
      }
    }
  return { error: log('error'), warn: log('warn'), info: log('info') }
}

/** An error with its stack, fields and causes; anything else as inspect shows it. */
function describe(detail: unknown): string {
  return typeof detail === 'string' ? detail : inspect(detail, { depth: 6, breakLength: Infinity })
}

type ProcessEvents = Pick<NodeJS.Process, 'on' | 'off'>

/**
 * Logs uncaught exceptions and unhandled rejections in main instead of losing
 * them (or, for exceptions, Electron's bare dialog). Returns the uninstaller.
 */
export function logProcessErrors(target: ProcessEvents, logger: Logger): () => void {
  const onException = (error: Error): void => logger.error('Uncaught exception in main:', error)
  const onRejection = (reason: unknown): void => logger.error('Unhandled promise rejection in main:', reason)
  target.on('uncaughtException', onException)
  target.on('unhandledRejection', onRejection)
  return () => {
    target.off('uncaughtException', onException)
    target.off('unhandledRejection', onRejection)
  }
}
