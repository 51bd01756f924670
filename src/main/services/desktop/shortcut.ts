/**
 * The quick-ask global shortcut: registered at start and again whenever the
 * setting changes, with a status the settings screen shows. The OS part
 * (Electron's globalShortcut) comes in through `GlobalShortcuts`.
 */
import type { ShortcutState, ShortcutStatus } from '../../../shared/contract'
import { QUICK_ASK_COMMAND } from './launch-args'
import { displayAccelerator } from './tray-menu'

export interface GlobalShortcuts {
  /** False when another app holds the shortcut; throws when it is not a valid accelerator. */
  register(accelerator: string, onPress: () => void): boolean
  unregister(accelerator: string): void
}

/**
 * Where global shortcuts come from here.
 * - `native`: Windows, macOS, X11.
 * - `portal`: a Wayland session, through the desktop's GlobalShortcuts portal; registering may
 *   succeed while the desktop never delivers the key (it may first ask the person).
 * - `none`: no global shortcuts (Wayland without the portal, or a host without an OS).
 */
export type ShortcutEnvironment = 'native' | 'portal' | 'none'

export interface ShortcutRegistrarOptions {
  /** Null where the host has no global shortcuts at all. */
  shortcuts: GlobalShortcuts | null
  environment: ShortcutEnvironment
  platform: NodeJS.Platform
  onPress: () => void
  /** Told every time the status changes. */
  onStatus?: (status: ShortcutStatus) => void
}

export class ShortcutRegistrar {
  readonly #options: ShortcutRegistrarOptions
  #status: ShortcutStatus
  /** The accelerator the OS holds for us now, if any. */
  #held: string | null = null

  constructor(options: ShortcutRegistrarOptions) {
    this.#options = options
    this.#status = this.#describe('', 'unsupported')
  }

  get status(): ShortcutStatus {
    return { ...this.#status }
  }

  /** Registers this accelerator in place of the previous one; the same one again changes nothing. */
  apply(accelerator: string): ShortcutStatus {
    if (accelerator === this.#held) return this.status
    return this.#register(accelerator)
  }

  /** Registers the current accelerator again: the person may have freed it in another app. */
  retry(): ShortcutStatus {
    this.#release()
    return this.#register(this.#status.accelerator)
  }

  /** Gives the shortcut back to the OS (quit). */
  dispose(): void {
    this.#release()
  }

  #register(accelerator: string): ShortcutStatus {
    this.#release()
    const { shortcuts, environment } = this.#options
    let state: ShortcutState
    if (!shortcuts || environment === 'none') state = 'unsupported'
    else {
      try {
        state = shortcuts.register(accelerator, this.#options.onPress) ? 'registered' : 'taken'
      } catch {
        state = 'invalid'
      }
    }
    if (state === 'registered') this.#held = accelerator
    this.#status = this.#describe(accelerator, state)
    this.#options.onStatus?.(this.status)
    return this.status
  }

  #release(): void {
    if (this.#held === null) return
    try {
      this.#options.shortcuts?.unregister(this.#held)
    } finally {
      this.#held = null
    }
  }

  #describe(accelerator: string, state: ShortcutState): ShortcutStatus {
    const keys = displayAccelerator(accelerator, this.#options.platform)
    const bindIt = `bind the command ${QUICK_ASK_COMMAND} in your desktop's keyboard settings`
    const messages: Record<ShortcutState, string> = {
      registered:
        this.#options.environment === 'portal'
          ? `${keys} is registered through your desktop's global shortcuts portal. Approve it if the desktop asks; if pressing it does nothing, ${bindIt}.`
          : `Press ${keys} anywhere to open quick ask.`,
      taken: `${keys} is already used by another app, so it does nothing here. Choose another shortcut, or ${bindIt}.`,
      invalid: `"${accelerator}" is not a shortcut this system can register. Choose another one, or ${bindIt}.`,
      unsupported: `This desktop does not let apps register global shortcuts (as on Wayland). To open quick ask with a key, ${bindIt}.`
    }
    return { accelerator, state, message: messages[state], fallbackCommand: QUICK_ASK_COMMAND }
  }
}
