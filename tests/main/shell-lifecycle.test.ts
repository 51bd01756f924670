/**
 * The app's lifecycle (shell/lifecycle.ts) with `electron` replaced by a fake
 * that behaves like it where it matters here: app and page events are
 * EventEmitters with any number of listeners, `web-contents-created` fires
 * while a window is being built, message boxes answer as the test says. The
 * services are the real ones, on real files.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createAppServices, DATABASE_FILE, type AppServices, type Powers } from '../../src/main/app-services'
import { nodePowers, type NodePowers } from '../support/node-powers'
import { fakePorts, type FakePorts } from '../support/desktop-fakes'

interface MessageBox {
  window: unknown
  options: { type?: string; message: string; detail?: string; buttons: string[]; cancelId?: number; signal?: AbortSignal }
}

const fake = vi.hoisted(() => ({
  userDataDir: '',
  /** What happened, in order: 'protocol', 'bridge', 'window'. */
  order: [] as string[],
  windows: [] as Array<import('node:events').EventEmitter & Record<string, unknown>>,
  boxes: [] as MessageBox[],
  /** Which button the next message box answers with (its label); null leaves it open until its signal aborts. */
  answer: (_box: MessageBox): string | null => 'Quit',
  openedPaths: [] as string[],
  openedExternal: [] as string[],
  exits: [] as number[],
  quits: 0,
  sessionCalls: { request: [] as unknown[], check: [] as unknown[], device: [] as unknown[] },
  perContentsPermissionCalls: 0,
  lock: true,
  /** The displays `screen` reports, the primary first. */
  displays: [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }] as Array<{ id: number; workArea: { x: number; y: number; width: number; height: number } }>,
  osDark: false,
  /** Every application menu set, as the template it was built from. */
  menus: [] as unknown[][],
  spellcheck: { enabled: [] as boolean[], languages: [] as string[][] },
  ready: { resolve: () => {} } as { resolve: () => void; promise?: Promise<void> }
}))

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events')
  let nextId = 1

  class FakeWebContents extends EventEmitter {
    id = nextId++
    windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null
    session = { setPermissionRequestHandler: () => void fake.perContentsPermissionCalls++ }
    reload = vi.fn()
    forcefullyCrashRenderer = vi.fn()
    send = vi.fn()
    setZoomLevel = vi.fn()
    isLoading() {
      return false
    }
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.windowOpenHandler = handler
    }
    isDestroyed() {
      return false
    }
  }

  class BrowserWindow extends EventEmitter {
    webContents = new FakeWebContents()
    destroyed = false
    shown = 0
    loaded: string[] = []
    options: Record<string, unknown>
    constructor(options: Record<string, unknown>) {
      super()
      this.options = options
      fake.order.push('window')
      fake.windows.push(this as never)
      // Electron announces the page while the window is being built.
      app.emit('web-contents-created', {}, this.webContents)
    }
    loadURL(url: string) {
      this.loaded.push(url)
      return Promise.resolve()
    }
    isDestroyed() {
      return this.destroyed
    }
    isMinimized() {
      return false
    }
    restore() {}
    hidden = 0
    show() {
      this.shown++
    }
    bounds = { x: 0, y: 0, width: 0, height: 0 }
    maximized = false
    fullScreen = false
    background = ''
    getNormalBounds() {
      return this.bounds
    }
    isMaximized() {
      return this.maximized
    }
    isFullScreen() {
      return this.fullScreen
    }
    maximize() {
      this.maximized = true
    }
    setFullScreen(on: boolean) {
      this.fullScreen = on
    }
    setBackgroundColor(colour: string) {
      this.background = colour
    }
    hide() {
      this.hidden++
    }
    focus() {}
    static getAllWindows() {
      return fake.windows.filter((window) => !(window as unknown as BrowserWindow).destroyed)
    }
  }

  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    getPath: () => fake.userDataDir,
    getName: () => 'Skyport',
    getLocale: () => 'en-US',
    getVersion: () => '0.0.0-test',
    requestSingleInstanceLock: () => fake.lock,
    whenReady: () => fake.ready.promise!,
    quit: () => {
      fake.quits++
      app.emit('before-quit', { preventDefault: () => undefined })
    },
    exit: (code: number) => void fake.exits.push(code),
    commandLine: { getSwitchValue: () => '', appendSwitch: () => undefined }
  })

  const showMessageBox = async (...args: unknown[]) => {
    const [window, options] = args.length === 2 ? args : [null, args[0]]
    const box = { window, options } as MessageBox
    fake.boxes.push(box)
    const label = fake.answer(box)
    if (label === null) {
      // Electron closes a box whose signal aborts as if the person cancelled it.
      await new Promise((resolve) => box.options.signal?.addEventListener('abort', resolve))
      return { response: box.options.cancelId ?? 0, checkboxChecked: false }
    }
    const response = box.options.buttons.indexOf(label)
    if (response < 0) throw new Error(`no button "${label}" in ${box.options.buttons.join(', ')}`)
    return { response, checkboxChecked: false }
  }

  return {
    app,
    BrowserWindow,
    dialog: { showMessageBox },
    ipcMain: { handle: () => void (fake.order.at(-1) !== 'bridge' && fake.order.push('bridge')), removeHandler: () => undefined },
    protocol: { registerSchemesAsPrivileged: () => undefined, handle: () => void fake.order.push('protocol') },
    net: { fetch: vi.fn() },
    screen: { getAllDisplays: () => fake.displays, getPrimaryDisplay: () => fake.displays[0] },
    nativeTheme: Object.assign(new EventEmitter(), {
      get shouldUseDarkColors() {
        return fake.osDark
      }
    }),
    Menu: {
      buildFromTemplate: (template: unknown[]) => template,
      setApplicationMenu: (menu: unknown[]) => void fake.menus.push(menu)
    },
    session: {
      defaultSession: {
        availableSpellCheckerLanguages: ['en-US', 'de-DE', 'fr'],
        setSpellCheckerEnabled: (enabled: boolean) => void fake.spellcheck.enabled.push(enabled),
        setSpellCheckerLanguages: (languages: string[]) => void fake.spellcheck.languages.push(languages),
        setPermissionRequestHandler: (handler: unknown) => void fake.sessionCalls.request.push(handler),
        setPermissionCheckHandler: (handler: unknown) => void fake.sessionCalls.check.push(handler),
        setDevicePermissionHandler: (handler: unknown) => void fake.sessionCalls.device.push(handler)
      }
    },
    shell: {
      openExternal: async (url: string) => void fake.openedExternal.push(url),
      openPath: async (path: string) => {
        fake.openedPaths.push(path)
        return ''
      }
    },
    safeStorage: {}
  }
})

// electron-store requires the real electron package, which has no binary here.
vi.mock('electron-store', () => ({ default: class {} }))

const electron = await import('electron')
const { runShell } = await import('../../src/main/shell/lifecycle')

type FakeWindow = InstanceType<typeof electron.BrowserWindow> & {
  webContents: { windowOpenHandler: (details: { url: string }) => { action: string }; reload: ReturnType<typeof vi.fn>; forcefullyCrashRenderer: ReturnType<typeof vi.fn> }
  shown: number
  destroyed: boolean
}

let powers: NodePowers
let logged: string[]
let opened: AppServices[]
/** The desktop ports the shell attached (tray, shortcut, quick-ask window): fakes around its real main window. */
let desktop: FakePorts | null
let desktopDisposed: number

beforeEach(() => {
  fake.userDataDir = mkdtempSync(join(tmpdir(), 'skyport-shell-'))
  fake.order.length = 0
  fake.windows.length = 0
  fake.boxes.length = 0
  fake.openedPaths.length = 0
  fake.openedExternal.length = 0
  fake.exits.length = 0
  fake.quits = 0
  fake.sessionCalls = { request: [], check: [], device: [] }
  fake.perContentsPermissionCalls = 0
  fake.answer = () => 'Quit'
  fake.lock = true
  fake.displays = [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }]
  fake.osDark = false
  fake.menus.length = 0
  fake.spellcheck = { enabled: [], languages: [] }
  let resolve = (): void => undefined
  fake.ready = { promise: new Promise<void>((done) => (resolve = done)), resolve: () => resolve() }
  electron.app.removeAllListeners()
  powers = nodePowers({ userDataDir: fake.userDataDir })
  logged = []
  opened = []
  desktop = null
  desktopDisposed = 0
})

afterEach(async () => {
  for (const services of opened) await services.close()
})

/** Runs the shell with plain-Node powers on the test's data folder. */
function run(options: { createServices?: (powers: Powers) => Promise<AppServices> } = {}): ReturnType<typeof runShell> {
  return runShell({
    preloadPath: '/app/preload.cjs',
    rendererDir: '/app/renderer',
    openLog: () => (level, text) => void logged.push(`${level} ${text}`),
    powers: () => powers,
    desktop: (given) => {
      desktop = fakePorts({ mainWindow: given.mainWindow as never, quit: given.quit })
      return { ports: desktop, dispose: () => void desktopDisposed++ }
    },
    createServices: async (given) => {
      const services = await (options.createServices ?? createAppServices)(given)
      opened.push(services)
      return services
    }
  })
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const windows = (): FakeWindow[] => fake.windows as unknown as FakeWindow[]

async function started(): Promise<FakeWindow> {
  run()
  fake.ready.resolve()
  await until(() => windows().length === 1, 'the main window')
  return windows()[0]!
}

describe('windows during start-up', () => {
  it('open only once the protocol and the bridge are ready, however often they are asked for', async () => {
    let openGate = (): void => undefined
    const gate = new Promise<void>((resolve) => (openGate = resolve))
    run({
      createServices: async (given) => {
        await gate
        return createAppServices(given)
      }
    })
    fake.ready.resolve()
    await until(() => fake.sessionCalls.request.length === 1, 'start-up to begin')

    electron.app.emit('second-instance')
    electron.app.emit('activate')
    expect(windows()).toHaveLength(0)

    openGate()
    await until(() => windows().length === 1, 'the main window')
    expect(fake.order).toEqual(['protocol', 'bridge', 'window'])

    // Once running, a second launch brings the window forward instead of opening another.
    electron.app.emit('second-instance')
    expect(windows()).toHaveLength(1)
    expect(windows()[0]!.shown).toBe(1)
  })
})

describe('page guards', () => {
  it('are installed once on the main window: an external link opens in the OS browser exactly once', async () => {
    const window = await started()
    const navigation = { preventDefault: vi.fn() }
    window.webContents.emit('will-navigate', navigation, 'https://example.com/docs')
    expect(navigation.preventDefault).toHaveBeenCalled()
    expect(window.webContents.windowOpenHandler({ url: 'https://example.com/new' })).toEqual({ action: 'deny' })
    await Promise.resolve()
    expect(fake.openedExternal).toEqual(['https://example.com/docs', 'https://example.com/new'])
  })
})

describe('permissions', () => {
  it('are decided once for the session, requests and checks by one allow-list, devices never', async () => {
    const first = await started()
    first.destroyed = true
    first.emit('closed')
    electron.app.emit('activate')
    expect(windows()).toHaveLength(2)

    expect(fake.sessionCalls.request).toHaveLength(1)
    expect(fake.sessionCalls.check).toHaveLength(1)
    expect(fake.sessionCalls.device).toHaveLength(1)
    expect(fake.perContentsPermissionCalls).toBe(0)

    const request = fake.sessionCalls.request[0] as (contents: unknown, permission: string, callback: (granted: boolean) => void) => void
    const check = fake.sessionCalls.check[0] as (contents: unknown, permission: string) => boolean
    const device = fake.sessionCalls.device[0] as (details: unknown) => boolean
    for (const permission of ['clipboard-sanitized-write', 'media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'fullscreen']) {
      let granted: boolean | undefined
      request(null, permission, (answer) => (granted = answer))
      expect([permission, granted]).toEqual([permission, permission === 'clipboard-sanitized-write'])
      expect([permission, check(null, permission)]).toEqual([permission, permission === 'clipboard-sanitized-write'])
    }
    expect(device({ deviceType: 'usb', origin: 'app://local' })).toBe(false)
  })
})

describe('a failed start-up', () => {
  function corruptDatabase(): Buffer {
    const bytes = Buffer.from('not a database, just text '.repeat(200))
    writeFileSync(join(fake.userDataDir, DATABASE_FILE), bytes)
    return bytes
  }

  it('says what happened, opens no window and exits (releasing the single-instance lock) on Quit', async () => {
    const bytes = corruptDatabase()
    run()
    fake.ready.resolve()
    await until(() => fake.exits.length === 1, 'the exit')

    expect(fake.exits).toEqual([1])
    expect(windows()).toHaveLength(0)
    const [box] = fake.boxes
    expect(box?.options.type).toBe('error')
    expect(box?.options.message).toBe('The database that holds your conversations could not be read.')
    expect(box?.options.detail).toContain('file is not a database')
    expect(box?.options.buttons).toEqual(['Quit', 'Show data folder', 'Move database aside and start fresh'])
    // Nothing was touched, and the failure is in the log.
    expect(readFileSync(join(fake.userDataDir, DATABASE_FILE))).toEqual(bytes)
    expect(logged.join('\n')).toMatch(/^error Skyport could not start: AppError: The database .* file is not a database/m)
  })

  it('shows the data folder, then exits', async () => {
    corruptDatabase()
    fake.answer = () => 'Show data folder'
    run()
    fake.ready.resolve()
    await until(() => fake.exits.length === 1, 'the exit')
    expect(fake.openedPaths).toEqual([fake.userDataDir])
    expect(windows()).toHaveLength(0)
  })

  it('moves a newer database aside on request and starts fresh', async () => {
    const newer = new DatabaseSync(join(fake.userDataDir, DATABASE_FILE))
    newer.exec('CREATE TABLE future (x); PRAGMA user_version = 99')
    newer.close()
    fake.answer = () => 'Move database aside and start fresh'
    run()
    fake.ready.resolve()
    await until(() => windows().length === 1, 'the main window')

    expect(fake.boxes[0]?.options.message).toBe('Your conversations were saved by a newer version of Skyport.')
    expect(fake.exits).toEqual([])
    const aside = readdirSync(fake.userDataDir).filter((name) => /^skyport\.unreadable-.+\.db$/.test(name))
    expect(aside).toHaveLength(1)
    const kept = new DatabaseSync(join(fake.userDataDir, aside[0]!), { readOnly: true })
    expect(kept.prepare('PRAGMA user_version').get()).toEqual({ user_version: 99 })
    kept.close()
    expect(opened.at(-1)!.chatStore.listConversations()).toEqual([])
  })

  it('runs the quit held by before-quit only after the services closed', async () => {
    await started()
    const services = opened[0]!
    let closed = false
    const close = services.close.bind(services)
    services.close = async () => {
      await close()
      closed = true
    }
    electron.app.emit('before-quit', { preventDefault: vi.fn() })
    expect(fake.quits).toBe(0)
    await until(() => fake.quits === 1, 'the quit')
    expect(closed).toBe(true)
    opened.length = 0
  })
})

describe('a crashed or hung page', () => {
  it('offers to reload after a crash, and quits when asked', async () => {
    const window = await started()
    fake.answer = () => 'Reload'
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 })
    await until(() => window.webContents.reload.mock.calls.length === 1, 'the reload')
    expect(fake.boxes[0]?.window).toBe(window)
    expect(fake.boxes[0]?.options.buttons).toEqual(['Reload', 'Quit'])
    expect(logged.join('\n')).toContain("error The window's page ended: crashed (exit code 139).")

    fake.answer = () => 'Quit'
    window.webContents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 1 })
    // The first quit is held by before-quit until the services closed; then it runs again.
    await until(() => fake.quits === 2, 'the quit')

    // A page that ended normally (a window closing) is no crash.
    window.webContents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(fake.boxes).toHaveLength(2)
  })

  it('offers to wait for a hung page or reload it, and closes the question when the page answers again', async () => {
    const window = await started()
    fake.answer = () => null
    window.emit('unresponsive')
    window.emit('unresponsive')
    expect(fake.boxes).toHaveLength(1)
    expect(fake.boxes[0]?.options.buttons).toEqual(['Wait', 'Reload'])
    const signal = fake.boxes[0]!.options.signal!
    expect(signal.aborted).toBe(false)
    window.emit('responsive')
    expect(signal.aborted).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(window.webContents.reload).not.toHaveBeenCalled()

    fake.answer = () => 'Reload'
    window.emit('unresponsive')
    await until(() => window.webContents.reload.mock.calls.length === 1, 'the reload')
    expect(window.webContents.forcefullyCrashRenderer).toHaveBeenCalledOnce()
    // Ending the hung page ourselves is not reported as a crash.
    window.webContents.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(fake.boxes).toHaveLength(2)
  })
})

describe('the log', () => {
  it('never holds the key, raw or URL-encoded, once it is loaded', async () => {
    const key = 'sk-live-a+b/c=0123456789'
    writeFileSync(join(fake.userDataDir, 'api-key.bin'), await powers.cipher.encrypt(key))
    const shell = run()
    fake.ready.resolve()
    await until(() => windows().length === 1, 'the main window')
    shell.logger.error(`GET /check?key=${encodeURIComponent(key)} failed:`, new Error(`bad key ${key}`, { cause: new Error(key) }))
    const text = logged.join('\n')
    expect(text).toContain('GET /check?key=[redacted] failed: Error: bad key [redacted]')
    expect(text).not.toContain(key)
    expect(text).not.toContain(encodeURIComponent(key))
    expect(text).not.toContain('0123456789')
  })
})

describe('a desktop window', () => {
  type Item = { label?: string; role?: string; accelerator?: string; enabled?: boolean; registerAccelerator?: boolean; click?: (item: unknown, window: unknown) => void; submenu?: Item[] }
  const items = (menu: unknown[]): Item[] => (menu as Item[]).flatMap((item) => [item, ...items(item.submenu ?? [])])
  const lastMenu = (): Item[] => items(fake.menus.at(-1)!)
  const click = (label: string): void => lastMenu().find((item) => item.label === label)!.click!({}, undefined)

  it('opens where it was, in the theme colour, at the saved zoom; a window on an unplugged display opens on the primary one', async () => {
    writeFileSync(join(fake.userDataDir, 'settings.json'), JSON.stringify({ theme: 'dark', appearance: { zoomLevel: 1, messageFontSize: 16 } }))
    writeFileSync(
      join(fake.userDataDir, 'window-state.json'),
      JSON.stringify({ main: { bounds: { x: 2400, y: 100, width: 1000, height: 700 }, maximized: true, fullScreen: false } })
    )
    fake.displays = [
      { id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } },
      { id: 2, workArea: { x: 1920, y: 0, width: 2560, height: 1400 } }
    ]
    const window = await started()
    const options = (window as unknown as { options: Record<string, unknown> & { webPreferences: { zoomFactor: number } } }).options
    expect(options).toMatchObject({ x: 2400, y: 100, width: 1000, height: 700, backgroundColor: '#111114' })
    expect(options.webPreferences.zoomFactor).toBeCloseTo(1.2)
    window.emit('ready-to-show')
    expect((window as unknown as { maximized: boolean }).maximized).toBe(true)

    // The second display is gone at the next start.
    await opened[0]!.close()
    opened.length = 0
    fake.windows.length = 0
    fake.displays = [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }]
    electron.app.removeAllListeners()
    const again = await started()
    expect((again as unknown as { options: unknown }).options).toMatchObject({ x: 460, y: 170, width: 1000, height: 700 })
  })

  it('saves its place when it closes, into the tray too', async () => {
    const window = await started()
    opened[0]!.settings.update({ desktop: { closeToTray: true } })
    Object.assign(window, { bounds: { x: 30, y: 40, width: 900, height: 650 }, fullScreen: true })
    const close = { preventDefault: vi.fn() }
    window.emit('close', close)
    expect(close.preventDefault).toHaveBeenCalled()
    await until(() => {
      try {
        return JSON.parse(readFileSync(join(fake.userDataDir, 'window-state.json'), 'utf8')).main.fullScreen === true
      } catch {
        return false
      }
    }, 'the window state file')
    const saved = JSON.parse(readFileSync(join(fake.userDataDir, 'window-state.json'), 'utf8'))
    expect(saved.main).toEqual({ bounds: { x: 30, y: 40, width: 900, height: 650 }, maximized: false, fullScreen: true })
  })

  it('zooms from the View menu and Ctrl + wheel, and keeps the level in the settings', async () => {
    const window = await started()
    expect(lastMenu().some((item) => item.label === 'Zoom in' && item.accelerator === 'CommandOrControl+=')).toBe(true)
    click('Zoom in')
    click('Zoom in')
    expect(window.webContents.setZoomLevel).toHaveBeenLastCalledWith(1)
    window.webContents.emit('zoom-changed', {}, 'out')
    expect(window.webContents.setZoomLevel).toHaveBeenLastCalledWith(0.5)
    expect(JSON.parse(readFileSync(join(fake.userDataDir, 'settings.json'), 'utf8')).appearance.zoomLevel).toBe(0.5)
    click('Actual size')
    expect(opened[0]!.settings.get().appearance.zoomLevel).toBe(0)
  })

  it('opens quick ask from File > Quick Ask, which shows the global shortcut only while the OS holds it', async () => {
    await started()
    const quickAsk = (): Item => lastMenu().find((item) => item.label === 'Quick Ask')!
    expect(quickAsk()).toMatchObject({ enabled: true, accelerator: 'CommandOrControl+Shift+Space', registerAccelerator: false })
    click('Quick Ask')
    expect(desktop!.quickWindow.visible).toBe(true)
    expect(desktop!.quickWindow.sent).toEqual([{ question: null }])

    // Another app holds the new shortcut: the menu no longer promises those keys, and the item still works.
    desktop!.shortcuts!.taken.add('Alt+Shift+K')
    opened[0]!.settings.update({ quickAskShortcut: 'Alt+Shift+K' })
    expect(quickAsk()).toMatchObject({ enabled: true })
    expect(quickAsk().accelerator).toBeUndefined()
    desktop!.quickWindow.hide()
    click('Quick Ask')
    expect(desktop!.quickWindow.visible).toBe(true)
  })

  it('sends Go and File commands to the main window, and ticks the screen it reports', async () => {
    const window = await started()
    click('Library')
    expect(window.webContents.send).toHaveBeenLastCalledWith('event:menu.command', { command: 'goLibrary' })
    click('Import Conversations…')
    expect(window.webContents.send).toHaveBeenLastCalledWith('event:menu.command', { command: 'import' })
    opened[0]!.menuState.setRoute('studio')
    expect(lastMenu().find((item) => item.label === 'Studio')).toMatchObject({ type: 'radio', checked: true })
    expect(lastMenu().find((item) => item.label === 'Chat')).toMatchObject({ checked: false })
  })

  it('follows the theme and the spellchecker languages in the settings', async () => {
    const window = await started()
    expect(fake.spellcheck.languages.at(-1)).toEqual(['en-US'])
    opened[0]!.settings.update({ spellcheck: { languages: ['de-DE', 'fr-FR'] } })
    expect(fake.spellcheck.languages.at(-1)).toEqual(['de-DE', 'fr'])
    opened[0]!.settings.update({ spellcheck: { enabled: false } })
    expect(fake.spellcheck.enabled.at(-1)).toBe(false)
    opened[0]!.settings.update({ theme: 'dark' })
    expect((window as unknown as { background: string }).background).toBe('#111114')
    opened[0]!.settings.update({ theme: 'system' })
    fake.osDark = false
    ;(electron.nativeTheme as unknown as import('node:events').EventEmitter).emit('updated')
    expect((window as unknown as { background: string }).background).toBe('#f6f6f8')
  })
})

describe('the desktop shell', () => {
  it('passes a second launch on: --quick-ask and skyport://ask links open quick ask, a plain launch the main window', async () => {
    const window = await started()
    const quick = desktop!.quickWindow
    electron.app.emit('second-instance', {}, ['/usr/bin/skyport', '--no-sandbox', '--quick-ask'], '/home/ana')
    expect(quick.visible).toBe(true)
    expect(quick.sent).toEqual([{ question: null }])

    electron.app.emit('second-instance', {}, ['/usr/bin/skyport', 'skyport://ask?q=2%2B2%3F'], '/home/ana')
    expect(quick.sent.at(-1)).toEqual({ question: '2+2?' })
    expect(window.shown).toBe(0)

    electron.app.emit('second-instance', {}, ['/usr/bin/skyport'], '/home/ana')
    expect(window.shown).toBe(1)
    expect(windows()).toHaveLength(1)
  })

  it('answers a link that arrives during start-up once it is done, and logs a link it ignores', async () => {
    run()
    electron.app.emit('open-url', { preventDefault: vi.fn() }, 'skyport://ask?q=early')
    electron.app.emit('open-url', { preventDefault: vi.fn() }, 'skyport://wipe')
    fake.ready.resolve()
    await until(() => desktop !== null && desktop.quickWindow.sent.length === 1, 'quick ask')
    expect(desktop!.quickWindow.sent).toEqual([{ question: 'early' }])
    // The unknown link asked for the main window.
    expect(windows()).toHaveLength(1)
    expect(logged.join('\n')).toMatch(/unknown action "wipe"/)
  })

  it('starts in the tray when launched at login with --hidden', async () => {
    const argv = process.argv
    process.argv = [...argv, '--hidden']
    try {
      run()
      fake.ready.resolve()
      await until(() => desktop !== null && desktop.tray!.menus.length > 0, 'the tray')
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(windows()).toHaveLength(0)
      // The tray opens it when asked.
      opened[0]!.desktop.trayAction('library')
      expect(windows()).toHaveLength(1)
    } finally {
      process.argv = argv
    }
  })

  it('sends tray commands to the main window once its page has loaded', async () => {
    const window = await started()
    opened[0]!.desktop.trayAction('settings')
    expect(window.webContents.send).not.toHaveBeenCalled()
    window.webContents.emit('did-finish-load')
    expect(window.webContents.send).toHaveBeenCalledWith('event:shell.command', { command: 'settings' })
    opened[0]!.desktop.trayAction('new-chat')
    expect(window.webContents.send).toHaveBeenLastCalledWith('event:shell.command', { command: 'new-chat' })
  })

  it('hides the main window into the tray on close, says so once, and really closes on quit', async () => {
    const window = await started()
    const services = opened[0]!
    services.settings.update({ desktop: { closeToTray: true } })
    const close = { preventDefault: vi.fn() }
    window.emit('close', close)
    window.emit('close', { preventDefault: vi.fn() })
    expect(close.preventDefault).toHaveBeenCalled()
    expect((window as unknown as { hidden: number }).hidden).toBe(2)
    expect(desktop!.notified).toHaveLength(1)

    // Quit from the tray: the window closes for real and the tray goes with the app.
    desktop!.quit()
    const closing = { preventDefault: vi.fn() }
    window.emit('close', closing)
    expect(closing.preventDefault).not.toHaveBeenCalled()
    await until(() => fake.quits >= 2, 'the quit')
    expect(desktopDisposed).toBe(1)
    opened.length = 0
  })

  it('quits when the main window really closes off macOS, though the hidden quick-ask window is still there', async () => {
    const window = await started()
    opened[0]!.settings.update({ desktop: { closeToTray: false } })
    const close = { preventDefault: vi.fn() }
    window.emit('close', close)
    expect(close.preventDefault).not.toHaveBeenCalled()
    window.destroyed = true
    window.emit('closed')
    expect(fake.quits).toBeGreaterThanOrEqual(1)
    await until(() => desktopDisposed === 1, 'the tray to go')
    opened.length = 0
  })
})
