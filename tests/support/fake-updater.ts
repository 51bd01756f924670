/**
 * Stands in for electron-updater's autoUpdater (which needs a packaged
 * Electron app): a check answers as the test says, and the test emits the
 * download's progress, its end or its failure.
 */
import { EventEmitter } from 'node:events'
import type { UpdateProgress, Updater } from '../../src/main/services/updates'

export type Outcome = { kind: 'none' } | { kind: 'found'; version: string } | { kind: 'fail'; message: string } | { kind: 'skipped' }

/** Behaves like electron-updater's autoUpdater with autoDownload on: a found update starts downloading by itself. */
export class FakeUpdater extends EventEmitter implements Updater {
  next: Outcome = { kind: 'none' }
  checks = 0
  installs = 0
  async checkForUpdates(): Promise<unknown> {
    this.checks++
    await Promise.resolve()
    const outcome = this.next
    if (outcome.kind === 'skipped') return null
    if (outcome.kind === 'fail') {
      this.emit('error', new Error(outcome.message))
      throw new Error(outcome.message)
    }
    if (outcome.kind === 'none') {
      this.emit('update-not-available', { version: '0.1.0' })
      return { updateInfo: { version: '0.1.0' } }
    }
    this.emit('update-available', { version: outcome.version })
    return { updateInfo: { version: outcome.version } }
  }
  progress(progress: UpdateProgress): void {
    this.emit('download-progress', progress)
  }
  downloaded(version: string): void {
    this.emit('update-downloaded', { version })
  }
  downloadFailed(message: string): void {
    this.emit('error', new Error(message))
  }
  quitAndInstall(): void {
    this.installs++
  }
}
