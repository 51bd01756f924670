/**
 * The app on the desktop: the tray menu and its actions, the global
 * shortcut, the quick-ask window's show/hide/position, close-to-tray,
 * launch at login and what a launch asks for. Plain Node: the shell attaches
 * the Electron parts through the small ports below, and tests attach fakes.
 * Until the shell attaches (and in the browser test host, which has no OS),
 * the window actions do nothing and the shortcut is reported unsupported.
 */
import type { DesktopStatus, PlayerState, QuickShow, Settings, ShellCommand } from '../../../shared/contract'
import type { Logger } from '../log'
import type { SettingsService } from '../settings'
import type { LoginItems } from './autostart'
import type { LaunchRequest } from './launch-args'
import { isOnSomeDisplay, placeQuickWindow, type DisplayInfo, type Point, type Rect } from './placement'
import { ShortcutRegistrar, type GlobalShortcuts, type ShortcutEnvironment } from './shortcut'
import { buildTrayMenu, type TrayAction, type TrayMenuEntry } from './tray-menu'

/** The quick-ask window's size in logical pixels (shrunk on a smaller display). */
export const QUICK_WINDOW_SIZE = { width: 640, height: 420 } as const
/**
 * macOS sends a blur right after showing a window that is visible on all
 * workspaces, although it keeps the focus (electron #37875). Blurs this soon
 * after showing are not the person leaving.
 */
export const FALSE_BLUR_GRACE_MS = 300
/** A blur is acted on only if the window is still unfocused this much later (a false blur is followed by focus). */
export const BLUR_SETTLE_MS = 100

export interface QuickWindowPort {
  isVisible(): boolean
  isFocused(): boolean
  getBounds(): Rect
  setBounds(bounds: Rect): void
  showAndFocus(): void
  hide(): void
  send(payload: QuickShow): void
}

export interface MainWindowPort {
  /** Shows and focuses the main window, creating it when it is closed. */
  show(): void
  /** Sends a command to the main window's page (once it has loaded, if it was just created). */
  send(command: ShellCommand): void
}

export interface ScreenPort {
  displays(): DisplayInfo[]
  primaryId(): number | null
  cursor(): Point
}

export interface TrayPort {
  /** Replaces the menu; the shell calls `DesktopService.trayAction` when an entry is chosen. */
  setMenu(entries: TrayMenuEntry[]): void
}

export interface Notifier {
  notify(title: string, body: string): void
}

export interface DesktopPorts {
  platform: NodeJS.Platform
  quickWindow: QuickWindowPort | null
  mainWindow: MainWindowPort
  screen: ScreenPort
  /** Null when no tray icon could be made (then closing the window closes it). */
  tray: TrayPort | null
  shortcuts: GlobalShortcuts | null
  shortcutEnvironment: ShortcutEnvironment
  loginItems: LoginItems | null
  notifier: Notifier | null
  /** False where the OS places windows itself and ignores the app's position (Wayland). */
  canPlaceWindows: boolean
  /** Quits the app the normal way (running work saves first). */
  quit(): void
}

export interface DesktopServiceOptions {
  settings: SettingsService
  logger: Logger
  /** Told whenever the status (shortcut, launch at login) changes. */
  onStatus?: (status: DesktopStatus) => void
  now?: () => number
  setTimer?: (run: () => void, ms: number) => void
}

export const TRAY_NOTICE = {
  title: 'Skyport is still running',
  // GNOME shows no tray icon without an extension: starting the app again must be named as a way back.
  body: 'It stays in the tray so quick ask is one shortcut away. Open it again from the tray or by starting Skyport; Quit Skyport in the tray menu ends it.'
} as const

export class DesktopService {
  readonly #settings: SettingsService
  readonly #logger: Logger
  readonly #options: DesktopServiceOptions
  readonly #now: () => number
  #ports: DesktopPorts | null = null
  #registrar: ShortcutRegistrar
  #player: PlayerState = 'none'
  #launchAtLogin: DesktopStatus['launchAtLogin'] = { enabled: false, error: null }
  /** What the setting last asked for, so other settings changing does not touch the login item. */
  #loginWanted: boolean | null = null
  #quitting = false
  #shownAt = Number.NEGATIVE_INFINITY
  #unsubscribe: (() => void) | null = null
  #loginChange: Promise<void> = Promise.resolve()

  constructor(options: DesktopServiceOptions) {
    this.#options = options
    this.#settings = options.settings
    this.#logger = options.logger
    this.#now = options.now ?? Date.now
    this.#registrar = this.#newRegistrar(null, 'none', process.platform)
  }

  status(): DesktopStatus {
    return { shortcut: this.#registrar.status, launchAtLogin: { ...this.#launchAtLogin } }
  }

  /** Connects the OS: registers the shortcut, sets launch at login, fills the tray menu, and follows the settings from now on. */
  async attach(ports: DesktopPorts): Promise<void> {
    this.#ports = ports
    this.#registrar = this.#newRegistrar(ports.shortcuts, ports.shortcutEnvironment, ports.platform)
    const settings = this.#settings.get()
    this.#registrar.apply(settings.quickAskShortcut)
    this.#unsubscribe = this.#settings.onChange((next) => this.#follow(next))
    await this.#setLaunchAtLogin(settings.desktop.launchAtLogin)
    this.#refreshTray()
  }

  /** Waits for a launch-at-login change in progress (tests, quit). */
  settled(): Promise<void> {
    return this.#loginChange
  }

  retryShortcut(): DesktopStatus {
    this.#registrar.retry()
    return this.status()
  }

  setPlayerState(state: PlayerState): void {
    if (state === this.#player) return
    this.#player = state
    this.#refreshTray()
  }

  // ------------------------------------------------------------ the quick-ask window

  /** Shows the quick-ask window on the cursor's display, focused, with a question to fill in (never sent). */
  showQuickAsk(question: string | null = null): void {
    const ports = this.#ports
    const window = ports?.quickWindow
    if (!ports || !window) return
    if (ports.canPlaceWindows) this.#placeOnCursorDisplay(ports, window)
    this.#shownAt = this.#now()
    window.showAndFocus()
    window.send({ question })
  }

  hideQuickAsk(): void {
    const window = this.#ports?.quickWindow
    if (window?.isVisible()) window.hide()
  }

  /** The shortcut: opens quick ask, or hides it when it is already in front. */
  toggleQuickAsk(): void {
    const window = this.#ports?.quickWindow
    if (window && window.isVisible() && window.isFocused()) window.hide()
    else this.showQuickAsk(null)
  }

  /** The quick-ask window lost the focus: hide it if the setting says so and the blur is real. */
  quickAskBlurred(): void {
    if (!this.#settings.get().desktop.quickAskHidesOnBlur) return
    if (this.#now() - this.#shownAt < FALSE_BLUR_GRACE_MS) return
    const setTimer = this.#options.setTimer ?? ((run, ms) => void setTimeout(run, ms))
    setTimer(() => {
      const window = this.#ports?.quickWindow
      if (window && window.isVisible() && !window.isFocused()) window.hide()
    }, BLUR_SETTLE_MS)
  }

  /** A display was added, removed or changed: a visible window left on no display comes back to the cursor's. */
  displaysChanged(): void {
    const ports = this.#ports
    const window = ports?.quickWindow
    if (!ports || !window || !ports.canPlaceWindows || !window.isVisible()) return
    if (!isOnSomeDisplay(window.getBounds(), ports.screen.displays())) this.#placeOnCursorDisplay(ports, window)
  }

  /** "Open in Skyport": the quick-ask thread (already saved as a conversation) continues in the main window. */
  openInMain(conversationId: string): void {
    this.#fromQuickToMain({ command: 'open-conversation', conversationId })
  }

  /** "Open the library" after `/say` or `/song` in the quick-ask window: the speech or song lands there. */
  openLibrary(): void {
    this.#fromQuickToMain({ command: 'library' })
  }

  #fromQuickToMain(command: ShellCommand): void {
    const ports = this.#ports
    if (!ports) return
    ports.quickWindow?.hide()
    ports.mainWindow.show()
    ports.mainWindow.send(command)
  }

  // ------------------------------------------------------------ tray, launches, closing

  trayAction(action: TrayAction): void {
    const ports = this.#ports
    if (!ports) return
    switch (action) {
      case 'quick-ask':
        return this.showQuickAsk(null)
      case 'open':
        return ports.mainWindow.show()
      case 'toggle-playback':
        // The player lives in the main window's page; nothing needs to come to the front.
        return ports.mainWindow.send({ command: 'toggle-playback' })
      case 'quit':
        return ports.quit()
      default:
        ports.mainWindow.show()
        ports.mainWindow.send({ command: action })
    }
  }

  /** Does what a launch asked for. `background` (a login start) opens nothing. */
  handleLaunch(request: LaunchRequest): void {
    if (request.action === 'quick-ask') this.showQuickAsk(request.question)
    else if (request.action === 'open') this.#ports?.mainWindow.show()
  }

  /** Whether a launch at login should stay in the tray: only when there is a tray to stay in. */
  canStartInTray(): boolean {
    return this.#ports?.tray != null
  }

  /**
   * The main window is being closed: `hide` keeps the app in the tray (and
   * says so the first time), `close` lets it close.
   */
  mainWindowClosing(): 'hide' | 'close' {
    const ports = this.#ports
    if (this.#quitting || !ports?.tray || !this.#settings.get().desktop.closeToTray) return 'close'
    if (!this.#settings.get().desktop.trayNoticeShown) {
      ports.notifier?.notify(TRAY_NOTICE.title, TRAY_NOTICE.body)
      this.#settings.update({ desktop: { trayNoticeShown: true } })
    }
    return 'hide'
  }

  /** Quit was asked for: windows close for real from now on. */
  beginQuit(): void {
    this.#quitting = true
  }

  get quitting(): boolean {
    return this.#quitting
  }

  /** Gives the shortcut back and stops following the settings. */
  dispose(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
    this.#registrar.dispose()
  }

  // ------------------------------------------------------------ inside

  #newRegistrar(shortcuts: GlobalShortcuts | null, environment: ShortcutEnvironment, platform: NodeJS.Platform): ShortcutRegistrar {
    return new ShortcutRegistrar({
      shortcuts,
      environment,
      platform,
      onPress: () => this.toggleQuickAsk(),
      onStatus: (status) => {
        if (status.state !== 'registered') this.#logger.warn(`The quick-ask shortcut is not available: ${status.message}`)
        this.#refreshTray()
        this.#emit()
      }
    })
  }

  #follow(settings: Settings): void {
    this.#registrar.apply(settings.quickAskShortcut)
    if (settings.desktop.launchAtLogin !== this.#loginWanted) void this.#setLaunchAtLogin(settings.desktop.launchAtLogin)
  }

  #setLaunchAtLogin(wanted: boolean): Promise<void> {
    this.#loginWanted = wanted
    // One change at a time, in the order asked: a quick on-off-on ends on.
    this.#loginChange = this.#loginChange.then(async () => {
      const items = this.#ports?.loginItems
      let state: DesktopStatus['launchAtLogin']
      if (!items) state = { enabled: false, error: wanted ? 'Launch at login is not available on this system.' : null }
      else {
        try {
          if ((await items.isEnabled()) !== wanted) await items.setEnabled(wanted)
          const enabled = await items.isEnabled()
          state = { enabled, error: enabled === wanted ? null : 'The system did not accept the change.' }
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error)
          this.#logger.error('Launch at login could not be changed:', error)
          state = { enabled: !wanted, error: `Launch at login could not be ${wanted ? 'turned on' : 'turned off'}: ${reason}` }
        }
      }
      const changed = state.enabled !== this.#launchAtLogin.enabled || state.error !== this.#launchAtLogin.error
      this.#launchAtLogin = state
      if (changed) this.#emit()
    })
    return this.#loginChange
  }

  #placeOnCursorDisplay(ports: DesktopPorts, window: QuickWindowPort): void {
    const bounds = placeQuickWindow({ displays: ports.screen.displays(), cursor: ports.screen.cursor(), primaryId: ports.screen.primaryId(), size: QUICK_WINDOW_SIZE })
    if (bounds) window.setBounds(bounds)
  }

  #refreshTray(): void {
    const ports = this.#ports
    ports?.tray?.setMenu(buildTrayMenu({ shortcut: this.#registrar.status, player: this.#player, platform: ports.platform }))
  }

  #emit(): void {
    this.#options.onStatus?.(this.status())
  }
}
