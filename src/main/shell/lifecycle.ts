/**
 * The app's lifecycle: one instance, start-up and what happens when it
 * fails, the main window and its crashes, quit. index.ts runs it; the tests
 * run it with a mocked electron.
 */
import { app, BrowserWindow, ipcMain, session, shell } from 'electron'
import { join } from 'node:path'
import { createAppServices, type AppServices, type Powers } from '../app-services'
import { eventChannel, type ShellCommand } from '../../shared/contract'
import type { MainWindowPort } from '../services/desktop/desktop-service'
import { desktopEnvironment } from '../services/desktop/environment'
import { parseDeepLink, parseLaunchArgs, type LaunchRequest, type ParsedLaunch } from '../services/desktop/launch-args'
import { createLogger, LOG_DIR, type Logger, type LogWriter } from '../services/log'
import { moveDatabaseAside, planStartupFailure, type StartupAction, type StartupFailurePlan } from '../services/startup-failure'
import { askAfterRendererGone, askWhenUnresponsive, chooseStartupAction } from './dialogs'
import { registerBridge } from './ipc'
import { electronPowers } from './powers'
import { handleAppProtocol } from './protocol'
import { createMainWindow, hardenSession, hardenWebContents, isAppUrl, MAIN_WINDOW_DEFAULTS } from './window'
import { openLogsFolder } from '../handlers'
import { installAppMenu } from './app-menu'
import { attachNativeContextMenu, setContextMenuRoots } from './context-menu'
import { electronDesktop, type ElectronDesktop, type ElectronDesktopOptions } from './desktop'
import { followSpellcheck, followThemeBackground, keepWindowState, windowOpening, zoomOnWheel, zoomWindows } from './window-chrome'

export interface ShellOptions {
  preloadPath: string
  iconPath?: string
  rendererDir: string
  devServerUrl?: string | undefined
  /** Opens the log file in this folder. */
  openLog: (dir: string) => LogWriter
  /** Electron's powers unless given (tests give plain-Node ones). */
  powers?: (log: LogWriter) => Powers
  createServices?: (powers: Powers) => Promise<AppServices>
  chooseStartupAction?: (plan: StartupFailurePlan) => Promise<StartupAction>
  /** Tray icons and the other desktop images. */
  resourcesDir?: string
  /** The tray, global shortcut, quick-ask window and login items (tests give fakes). */
  desktop?: (options: ElectronDesktopOptions) => ElectronDesktop
}

export interface Shell {
  logger: Logger
}

export function runShell(options: ShellOptions): Shell {
  const { devServerUrl } = options
  const createServices = options.createServices ?? createAppServices
  const choose = options.chooseStartupAction ?? chooseStartupAction
  const writeLog = options.openLog(join(app.getPath('userData'), LOG_DIR))
  let services: AppServices | null = null
  // Before the services exist no key is loaded, so there is nothing to scrub.
  const logger = createLogger(writeLog, (text) => services?.keyVault.redact(text) ?? text)

  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return { logger }
  }

  // Global shortcuts on native Wayland go through the desktop's portal; the switch must be set before ready.
  const environment = desktopEnvironment({ platform: process.platform, env: process.env, ozonePlatform: app.commandLine.getSwitchValue('ozone-platform') })
  if (environment.shortcuts === 'portal') app.commandLine.appendSwitch('enable-features', 'GlobalShortcutsPortal')

  let started = false
  let mainWindow: BrowserWindow | null = null
  /** The main window's page has loaded, so `shell.command` reaches a listener. */
  let mainLoaded = false
  const pendingCommands: ShellCommand[] = []
  let desktopShell: ElectronDesktop | null = null
  /** Launches (second instances, macOS links) that arrived before start-up finished. */
  const pendingLaunches: LaunchRequest[] = []

  function showMainWindow(): BrowserWindow {
    if (mainWindow && !mainWindow.isDestroyed()) {
      if (mainWindow.isMinimized()) mainWindow.restore()
      mainWindow.show()
      mainWindow.focus()
      return mainWindow
    }
    // Only called once start-up is done, when the services exist.
    const running = services as AppServices
    const states = running.windowStates
    const opening = windowOpening('main', MAIN_WINDOW_DEFAULTS, states, running.settings)
    const window = createMainWindow({ preloadPath: options.preloadPath, iconPath: options.iconPath, devServerUrl, opening })
    keepWindowState(window, 'main', states, (error) => logger.warn('The window state could not be saved:', error))
    zoomOnWheel(window, running.settings)
    mainWindow = window
    mainLoaded = false
    const ownerId = window.webContents.id
    offerRecovery(window)
    window.webContents.on('did-finish-load', () => {
      mainLoaded = true
      for (const command of pendingCommands.splice(0)) window.webContents.send(eventChannel('shell.command'), command)
    })
    // Closing leaves the app in the tray when the setting says so (the desktop service decides).
    window.on('close', (event) => {
      if (services?.desktop.mainWindowClosing() !== 'hide') return
      event.preventDefault()
      window.hide()
    })
    window.on('closed', () => {
      services?.streams.abortOwnedBy(ownerId)
      mainWindow = null
      mainLoaded = false
      pendingCommands.length = 0
      // The hidden quick-ask window would keep the app alive: a real close off macOS is a quit.
      if (process.platform !== 'darwin') app.quit()
    })
    return window
  }

  /** Commands for a window that is still loading wait for it; with no window they have no one to go to. */
  const mainWindowPort: MainWindowPort = {
    show: showMainWindow,
    send(command) {
      if (!mainWindow || mainWindow.isDestroyed()) return
      if (mainLoaded) mainWindow.webContents.send(eventChannel('shell.command'), command)
      else pendingCommands.push(command)
    }
  }

  /**
   * A dock click. Before start-up is done the app:// protocol and the bridge
   * are missing and a window would stay blank; start-up opens the window
   * when it is done, which answers the request.
   */
  function requestWindow(): void {
    if (started) showMainWindow()
  }

  /** A launch's arguments say what to show; what the parser ignored goes to the log. */
  function readLaunch({ request, problem }: ParsedLaunch): LaunchRequest {
    if (problem) logger.warn(problem)
    return request
  }

  /** A second launch or a link. Start-up handles those that arrive before it is done. */
  function requestLaunch(parsed: ParsedLaunch): void {
    const request = readLaunch(parsed)
    if (started && services) services.desktop.handleLaunch(request)
    else pendingLaunches.push(request)
  }

  /** A crashed page offers a reload; a hung one, waiting or a reload. */
  function offerRecovery(window: BrowserWindow): void {
    const contents = window.webContents
    // Set while we end a hung page ourselves: that is not a crash to report.
    let restarting = false
    contents.on('render-process-gone', (_event, details) => {
      if (restarting || details.reason === 'clean-exit') {
        restarting = false
        return
      }
      logger.error(`The window's page ended: ${details.reason} (exit code ${details.exitCode}).`)
      askAfterRendererGone(window, details.reason).then(
        (choice) => {
          if (choice === 'quit') app.quit()
          else if (!window.isDestroyed()) contents.reload()
        },
        (error: unknown) => logger.error('The crash dialog failed:', error)
      )
    })

    let waiting: AbortController | null = null
    window.on('unresponsive', () => {
      if (waiting) return
      logger.warn('The window is not responding.')
      const asking = new AbortController()
      waiting = asking
      askWhenUnresponsive(window, asking.signal).then(
        (choice) => {
          waiting = null
          if (choice !== 'reload' || window.isDestroyed()) return
          restarting = true
          contents.forcefullyCrashRenderer()
          contents.reload()
        },
        (error: unknown) => logger.error('The not-responding dialog failed:', error)
      )
    })
    window.on('responsive', () => waiting?.abort())
  }

  /**
   * Says what went wrong and does what the person chose. Resolves true when
   * the database was moved aside and start-up should run again; otherwise
   * the process exits (not quits: nothing is open to close, and the
   * single-instance lock must go with it).
   */
  async function recover(error: unknown, userDataDir: string, canRetry: boolean): Promise<boolean> {
    const plan = planStartupFailure(error, userDataDir)
    if (!canRetry) plan.actions = plan.actions.filter((choice) => choice.action !== 'start-fresh')
    const action = await choose(plan)
    if (action === 'start-fresh') {
      try {
        logger.info('Moved the database aside:', moveDatabaseAside(userDataDir).join(', '))
        return true
      } catch (moveError) {
        logger.error('The database could not be moved aside:', moveError)
        return recover(moveError, userDataDir, false)
      }
    }
    if (action === 'show-folder') {
      const problem = await shell.openPath(userDataDir)
      if (problem) logger.error(`The data folder could not be opened: ${problem}`)
    }
    app.exit(1)
    return false
  }

  /** The services, or null when they failed and the person chose to leave. */
  async function openServices(powers: Powers): Promise<AppServices | null> {
    for (;;) {
      let failure: unknown
      try {
        return await createServices(powers)
      } catch (error) {
        failure = error
      }
      logger.error('Skyport could not start:', failure)
      if (!(await recover(failure, powers.userDataDir, true))) return null
    }
  }

  async function start(): Promise<void> {
    hardenSession(session.defaultSession)
    const powers = (options.powers ?? electronPowers)(writeLog)
    const running = await openServices(powers)
    if (!running) return
    services = running
    try {
      const served = { renderer: options.rendererDir, media: join(powers.userDataDir, 'media') }
      handleAppProtocol(served, (pathname, signal) => running.songs.openLive(pathname, signal))
      setContextMenuRoots(served)
      registerBridge(ipcMain, running.handlers, {
        redact: (text) => running.keyVault.redact(text),
        isTrustedSender: (_contents, frameUrl) => isAppUrl(frameUrl, devServerUrl),
        onInternalError: (method, error) => logger.error(`Bridge method ${method} failed:`, error)
      })
      running.onBroadcast((event, payload) => {
        for (const window of BrowserWindow.getAllWindows()) {
          if (!window.isDestroyed()) window.webContents.send(eventChannel(event), payload)
        }
      })
      followThemeBackground(running.settings)
      followSpellcheck(session.defaultSession, running.settings, app.getLocale(), (error) => logger.warn('The spellchecker languages could not be set:', error))
      installAppMenu({
        menuState: running.menuState,
        dev: !app.isPackaged,
        // Greyed out until the quick-ask window exists; its shortcut shows while the OS holds it.
        quickAsk: () => {
          const { shortcut } = running.desktop.status()
          return { available: desktopShell !== null, accelerator: shortcut.state === 'registered' ? shortcut.accelerator : null }
        },
        onQuickAskChange: (rebuild) =>
          running.onBroadcast((event) => {
            if (event === 'shell.status') rebuild()
          }),
        mainWindow: () => (started ? showMainWindow() : null),
        handlers: {
          // What the global shortcut does: open it, or hide it when it is in front.
          quickAsk: () => running.desktop.toggleQuickAsk(),
          openLogsFolder: () => void openLogsFolder(powers).catch((error: unknown) => logger.error('The logs folder could not be opened:', error)),
          zoomIn: () => zoomWindows(running.settings, 'in'),
          zoomOut: () => zoomWindows(running.settings, 'out'),
          zoomReset: () => zoomWindows(running.settings, 'reset')
        }
      })
    } catch (error) {
      logger.error('Skyport could not start:', error)
      await recover(error, powers.userDataDir, false)
      return
    }
    try {
      desktopShell = (options.desktop ?? electronDesktop)({
        desktop: running.desktop,
        environment,
        mainWindow: mainWindowPort,
        preloadPath: options.preloadPath,
        resourcesDir: options.resourcesDir ?? join(options.rendererDir, '../../resources'),
        devServerUrl,
        iconPath: options.iconPath,
        settings: running.settings,
        windowStates: running.windowStates,
        quit: () => app.quit()
      })
      await running.desktop.attach(desktopShell.ports)
    } catch (error) {
      // The app works without a tray or shortcut; the settings screen shows the shortcut as unavailable.
      logger.error('The tray, shortcut or quick-ask window could not be set up:', error)
    }
    started = true
    const first = readLaunch(parseLaunchArgs(process.argv))
    const launches = [first, ...pendingLaunches.splice(0)]
    // A login start stays in the tray; anything else shows what it asked for (the main window by default).
    const opensWindow = launches.some((request) => request.action === 'open')
    if (opensWindow || (first.action === 'background' && !running.desktop.canStartInTray())) showMainWindow()
    for (const request of launches) if (request.action === 'quick-ask') running.desktop.handleLaunch(request)
  }

  app.on('second-instance', (_event, argv: string[] | undefined) => requestLaunch(parseLaunchArgs(argv ?? [])))
  // macOS hands links over by event, at a cold start before ready too.
  app.on('open-url', (event, url: string) => {
    event.preventDefault()
    requestLaunch(parseDeepLink(url))
  })
  app.on('activate', requestWindow)
  // Every page, the main window's included, gets the guards once, here.
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, devServerUrl)
    attachNativeContextMenu(contents)
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  // Hold the quit until stopped answers are saved and the database is closed.
  let closing = false
  app.on('before-quit', (event) => {
    // From here windows close for real: the main window no longer hides, the quick-ask window no longer refuses.
    services?.desktop.beginQuit()
    // A restart into an update closed the services already.
    if (closing || !services || services.updates.restarting) return
    event.preventDefault()
    closing = true
    services
      .close()
      .catch((error: unknown) => logger.error('Closing the services failed:', error))
      .finally(() => {
        // The tray icon goes with the app, never keeping it alive (jan #3944).
        desktopShell?.dispose()
        app.quit()
      })
  })
  app.whenReady().then(start, (error: unknown) => {
    logger.error('Electron failed to start:', error)
    app.exit(1)
  })
  return { logger }
}
