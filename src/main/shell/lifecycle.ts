/**
 * The app's lifecycle: one instance, start-up and what happens when it
 * fails, the main window and its crashes, quit. index.ts runs it; the tests
 * run it with a mocked electron.
 */
import { app, BrowserWindow, ipcMain, session, shell } from 'electron'
import { join } from 'node:path'
import { createAppServices, type AppServices, type Powers } from '../app-services'
import { eventChannel } from '../../shared/contract'
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

  let started = false
  let mainWindow: BrowserWindow | null = null

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
    const ownerId = window.webContents.id
    offerRecovery(window)
    window.on('closed', () => {
      services?.streams.abortOwnedBy(ownerId)
      mainWindow = null
    })
    return window
  }

  /**
   * A second launch or a dock click. Before start-up is done the app:// protocol
   * and the bridge are missing and a window would stay blank; start-up opens
   * the window when it is done, which answers the request.
   */
  function requestWindow(): void {
    if (started) showMainWindow()
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
      handleAppProtocol(served)
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
        // The quick-ask window is not part of this build yet: the item shows, greyed out.
        quickAsk: false,
        mainWindow: () => (started ? showMainWindow() : null),
        handlers: {
          quickAsk: () => undefined,
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
    started = true
    showMainWindow()
  }

  app.on('second-instance', requestWindow)
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
    // A restart into an update closed the services already.
    if (closing || !services || services.updates.restarting) return
    event.preventDefault()
    closing = true
    services
      .close()
      .catch((error: unknown) => logger.error('Closing the services failed:', error))
      .finally(() => app.quit())
  })
  app.whenReady().then(start, (error: unknown) => {
    logger.error('Electron failed to start:', error)
    app.exit(1)
  })
  return { logger }
}
