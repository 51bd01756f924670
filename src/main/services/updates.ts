/**
 * The app's updates: checks at start and every few hours (unless the
 * settings say not to), downloads in the background, and restarts into the
 * new version when the person asks, after running work is saved. Electron's
 * updater (electron-updater) comes in through the small `Updater` interface,
 * so tests drive this with a fake one.
 */
import type { UpdateState } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import type { Logger } from './log'

/** What an update download reports (electron-updater's ProgressInfo). */
export interface UpdateProgress {
  percent: number
  transferred: number
  total: number
  bytesPerSecond: number
}

/** The part of electron-updater's autoUpdater used here. */
export interface Updater {
  /** Resolves to null when the updater skipped the check (a development build). */
  checkForUpdates(): Promise<unknown>
  quitAndInstall(): void
  on(event: 'update-available', listener: (info: { version: string }) => void): unknown
  on(event: 'update-not-available', listener: (info: { version: string }) => void): unknown
  on(event: 'download-progress', listener: (progress: UpdateProgress) => void): unknown
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** Every four hours, as Slack and VS Code roughly do. */
export const UPDATE_CHECK_INTERVAL_MS = 4 * 60 * 60 * 1000

export interface UpdateServiceOptions {
  /** Null when this build cannot update itself; `unsupportedReason` says why. */
  updater: Updater | null
  unsupportedReason?: string
  autoCheck: () => boolean
  /** Saves running work and closes the services before the restart. */
  beforeRestart: () => Promise<void>
  logger: Logger
  now?: () => number
  intervalMs?: number
}

export class UpdateService {
  readonly #options: UpdateServiceOptions
  #state: UpdateState
  #listeners = new Set<(state: UpdateState) => void>()
  #timer: NodeJS.Timeout | null = null
  #checking: Promise<UpdateState> | null = null
  #restarting = false

  constructor(options: UpdateServiceOptions) {
    this.#options = options
    this.#state = options.updater ? { status: 'idle', checkedAt: null } : { status: 'unsupported', reason: options.unsupportedReason ?? 'This build does not update itself.' }
    const updater = options.updater
    if (!updater) return
    updater.on('update-available', (info) => this.#set({ status: 'available', version: info.version }))
    updater.on('update-not-available', () => this.#set({ status: 'idle', checkedAt: this.#now() }))
    updater.on('download-progress', (progress) => {
      const version = 'version' in this.#state ? this.#state.version : ''
      this.#set({
        status: 'downloading',
        version,
        percent: Math.max(0, Math.min(100, progress.percent)),
        transferred: progress.transferred,
        total: progress.total,
        bytesPerSecond: progress.bytesPerSecond
      })
    })
    updater.on('update-downloaded', (info) => this.#set({ status: 'ready', version: info.version }))
    updater.on('error', (error) => this.#fail(error))
  }

  get state(): UpdateState {
    return structuredClone(this.#state)
  }

  /** True once a restart into an update began: the quit that follows needs no second clean-up. */
  get restarting(): boolean {
    return this.#restarting
  }

  onChange(listener: (state: UpdateState) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Checks now when the settings allow, then every few hours; call again when the setting changes. */
  schedule(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    if (!this.#options.updater || !this.#options.autoCheck()) return
    void this.check()
    this.#timer = setInterval(() => void this.check(), this.#options.intervalMs ?? UPDATE_CHECK_INTERVAL_MS)
    // A pending check never keeps the process alive.
    this.#timer.unref()
  }

  /** Looks for an update; one check at a time, none once an update is downloading or ready. */
  check(): Promise<UpdateState> {
    const updater = this.#options.updater
    if (!updater) return Promise.resolve(this.state)
    if (['available', 'downloading', 'ready'].includes(this.#state.status)) return Promise.resolve(this.state)
    this.#checking ??= (async () => {
      this.#set({ status: 'checking' })
      try {
        const result = await updater.checkForUpdates()
        // Skipped (a development build): no event follows.
        if (result === null && this.#state.status === 'checking') this.#set({ status: 'idle', checkedAt: this.#now() })
      } catch (error) {
        this.#fail(error)
      } finally {
        this.#checking = null
      }
      return this.state
    })()
    return this.#checking
  }

  /** Saves running work, then hands over to the updater, which quits and starts the new version. */
  async restart(): Promise<void> {
    const updater = this.#options.updater
    if (!updater || this.#state.status !== 'ready') throw new AppError('invalid_argument', 'No update is ready to install yet.')
    if (this.#restarting) return
    this.#restarting = true
    this.stop()
    try {
      await this.#options.beforeRestart()
    } catch (error) {
      // Whatever could not close cleanly is logged; the update still goes ahead, as a quit would.
      this.#options.logger.error('Closing before the update failed:', error)
    }
    updater.quitAndInstall()
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
  }

  #fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error)
    this.#options.logger.warn('Update failed:', message)
    // The first line: electron-updater appends whole HTTP bodies and stacks to some messages.
    this.#set({ status: 'error', message: message.split('\n')[0]?.slice(0, 300) || 'The update failed.', at: this.#now() })
  }

  #set(state: UpdateState): void {
    this.#state = state
    for (const listener of this.#listeners) listener(this.state)
  }

  #now(): number {
    return (this.#options.now ?? Date.now)()
  }
}
