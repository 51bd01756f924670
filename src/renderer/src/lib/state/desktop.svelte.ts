/**
 * How the app sits on the desktop, as main reports it: whether the global
 * shortcut registered (and what to bind instead when it did not) and whether
 * launch at login took effect. Follows main's `shell.status` event.
 */
import type { DesktopStatus } from '@shared/contract'
import type { AppError } from '@shared/errors'
import { getApi } from '../bridge'
import { asAppError } from '../errors'

export class DesktopStatusStore {
  status = $state<DesktopStatus | null>(null)
  error = $state<AppError | null>(null)
  retrying = $state(false)
  #unsubscribe: (() => void) | null = null

  async load(): Promise<void> {
    try {
      const api = getApi()
      this.#unsubscribe ??= api.on('shell.status', (next) => (this.status = next))
      this.status = await api.shell.status()
      this.error = null
    } catch (error) {
      this.error = asAppError(error)
    }
  }

  /** Registers the shortcut again, after the person freed it in another app. */
  async retryShortcut(): Promise<void> {
    this.retrying = true
    try {
      this.status = await getApi().shell.retryShortcut()
      this.error = null
    } catch (error) {
      this.error = asAppError(error)
    } finally {
      this.retrying = false
    }
  }

  dispose(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
  }
}
