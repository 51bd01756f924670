/**
 * The Electron shell, with `electron` replaced by recording fakes: the only
 * part of main that cannot run for real here.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { eventChannel, invokeChannel, methodNames } from '../../src/shared/contract'
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp'

const electron = vi.hoisted(() => {
  const handlers = new Map<string, (...args: unknown[]) => unknown>()
  const handleCalls: string[] = []
  const windows: Array<{ options: Record<string, unknown>; loaded: string[] }> = []
  const exposed: Record<string, unknown> = {}
  const invoked: Array<[string, unknown]> = []
  const listening: string[] = []
  const opened: string[] = []
  const safeStorageState = { available: true, backend: 'gnome_libsecret' }
  const messageBoxes: Array<Record<string, unknown>> = []
  const messageBoxAnswer = { response: 1 }
  return { handlers, handleCalls, windows, exposed, invoked, listening, opened, safeStorageState, messageBoxes, messageBoxAnswer }
})

vi.mock('electron', () => {
  class FakeWebContents {
    id = 42
    listeners = new Map<string, (...args: unknown[]) => void>()
    windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null
    session = { setPermissionRequestHandler: vi.fn() }
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.windowOpenHandler = handler
    }
    on(event: string, listener: (...args: unknown[]) => void) {
      this.listeners.set(event, listener)
    }
    isDestroyed() {
      return false
    }
    send = vi.fn()
  }
  class BrowserWindow {
    webContents = new FakeWebContents()
    record: { options: Record<string, unknown>; loaded: string[] }
    constructor(options: Record<string, unknown>) {
      this.record = { options, loaded: [] }
      electron.windows.push(this.record)
    }
    once() {}
    on() {}
    loadURL(url: string) {
      this.record.loaded.push(url)
      return Promise.resolve()
    }
    static getAllWindows() {
      return []
    }
    static getFocusedWindow() {
      return null
    }
  }
  return {
    BrowserWindow,
    ipcMain: {
      handle: (channel: string, handler: (...args: unknown[]) => unknown) => {
        electron.handleCalls.push(channel)
        electron.handlers.set(channel, handler)
      },
      removeHandler: (channel: string) => electron.handlers.delete(channel)
    },
    shell: { openExternal: async (url: string) => void electron.opened.push(url) },
    dialog: {
      showMessageBox: async (options: Record<string, unknown>) => {
        electron.messageBoxes.push(options)
        return { response: electron.messageBoxAnswer.response, checkboxChecked: false }
      }
    },
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => void (electron.exposed[key] = value) },
    ipcRenderer: {
      invoke: async (channel: string, args: unknown) => {
        electron.invoked.push([channel, args])
        return { ok: true, result: null }
      },
      on: (channel: string) => void electron.listening.push(channel),
      removeListener: () => {}
    },
    safeStorage: {
      isAsyncEncryptionAvailable: async () => electron.safeStorageState.available,
      getSelectedStorageBackend: () => electron.safeStorageState.backend,
      encryptStringAsync: async (text: string) => Buffer.from(`enc:${text}`),
      decryptStringAsync: async (data: Buffer) => ({ result: data.toString().slice(4), shouldReEncrypt: false })
    },
    app: { getPath: () => '/tmp', getName: () => 'Skyport', getVersion: () => '0.1.0' },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    net: { fetch: vi.fn() }
  }
})

// electron-store requires the real electron package, which has no binary here.
vi.mock('electron-store', () => ({ default: class {} }))

const { registerBridge } = await import('../../src/main/shell/ipc')
const { createMainWindow, hardenWebContents, isAppUrl, secureWebPreferences } = await import('../../src/main/shell/window')
const { safeStorageCipher } = await import('../../src/main/shell/powers')
const { electronDialogs } = await import('../../src/main/shell/dialogs')

type Handlers = Parameters<typeof registerBridge>[1]

beforeEach(() => {
  electron.handlers.clear()
  electron.handleCalls.length = 0
  electron.opened.length = 0
})

describe('IPC wiring', () => {
  const table = Object.fromEntries(methodNames.map((name) => [name, (args: unknown) => ({ name, args })])) as unknown as Handlers

  it('registers exactly one handler per contract method', async () => {
    const { ipcMain } = await import('electron')
    registerBridge(ipcMain, table, { isTrustedSender: () => true })
    expect([...electron.handleCalls].sort()).toEqual(methodNames.map(invokeChannel).sort())
    expect(new Set(electron.handleCalls).size).toBe(methodNames.length)
  })

  it('answers trusted frames with an envelope and refuses others', async () => {
    const { ipcMain } = await import('electron')
    registerBridge(ipcMain, table, { isTrustedSender: (_contents, url) => isAppUrl(url, undefined) })
    const handler = electron.handlers.get(invokeChannel('conversations.get'))!
    const sender = { id: 3, isDestroyed: () => false, send: vi.fn() }
    expect(await handler({ sender, senderFrame: { url: 'app://local/index.html' } }, { id: 'c1' })).toEqual({
      ok: true,
      result: { name: 'conversations.get', args: { id: 'c1' } }
    })
    expect(await handler({ sender, senderFrame: { url: 'https://evil.example/' } }, {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
  })
})

describe('isAppUrl', () => {
  it('trusts the app scheme and host only', () => {
    expect(isAppUrl('app://local/index.html', undefined)).toBe(true)
    expect(isAppUrl('app://local/index.html#settings', undefined)).toBe(true)
    for (const url of ['app://local.evil.example/', 'app://localx/', 'app://evil/local/', 'app://local@evil/', 'app://local:8080/', 'https://local/', 'local/index.html', 'not a url', '', undefined]) {
      expect(isAppUrl(url, undefined), String(url)).toBe(false)
    }
  })

  it('trusts the dev server by its exact origin', () => {
    const dev = 'http://localhost:5173'
    expect(isAppUrl('http://localhost:5173/', dev)).toBe(true)
    expect(isAppUrl('http://localhost:5173/src/main.ts?x=1', dev)).toBe(true)
    for (const url of [
      'http://localhost:51730/',
      'http://localhost:5173.evil.example/',
      'http://localhost:5173@evil.example/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
      'http://localhost/'
    ]) {
      expect(isAppUrl(url, dev), url).toBe(false)
    }
    expect(isAppUrl('http://localhost:5173/', 'not a url')).toBe(false)
  })
})

describe('preload', () => {
  it('exposes exactly the contract as window.api and nothing of ipcRenderer', async () => {
    await import('../../src/preload/index')
    const api = electron.exposed['api'] as Record<string, unknown>
    expect(Object.keys(electron.exposed)).toEqual(['api'])
    const exposed: string[] = []
    for (const [namespace, value] of Object.entries(api)) {
      if (namespace === 'on') continue
      for (const verb of Object.keys(value as object)) exposed.push(`${namespace}.${verb}`)
    }
    expect(exposed.sort()).toEqual([...methodNames].sort())
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipc|send|invoke/i)

    const settings = api['settings'] as Record<string, (args?: unknown) => Promise<unknown>>
    await settings['update']!({ theme: 'dark' })
    expect(electron.invoked.at(-1)).toEqual([invokeChannel('settings.update'), { theme: 'dark' }])
    ;(api['on'] as (event: string, listener: () => void) => void)('completion.delta', () => {})
    expect(electron.listening).toContain(eventChannel('completion.delta'))
  })
})

describe('windows', () => {
  it('are sandboxed with context isolation and no Node', () => {
    expect(secureWebPreferences('/p.cjs')).toMatchObject({
      preload: '/p.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false
    })
    const opening = { options: { x: 10, y: 20, width: 900, height: 700, backgroundColor: '#111114', webPreferences: { zoomFactor: 1.2, sandbox: false } }, maximized: false, fullScreen: false }
    createMainWindow({ preloadPath: '/p.cjs', opening })
    const created = electron.windows.at(-1)!
    expect(created.options['webPreferences']).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true })
    // Its saved place, the theme's colour before the page paints, and the saved zoom; never a weaker sandbox.
    expect(created.options).toMatchObject({ x: 10, y: 20, width: 900, height: 700, backgroundColor: '#111114', show: false })
    expect(created.options['webPreferences']).toMatchObject({ zoomFactor: 1.2, sandbox: true })
    expect(created.loaded).toEqual(['app://local/index.html'])
  })

  it('never navigate away and send web links to the OS browser only', async () => {
    const { BrowserWindow } = await import('electron')
    const contents = new BrowserWindow({}).webContents as unknown as {
      windowOpenHandler: (details: { url: string }) => { action: string }
      listeners: Map<string, (event: { preventDefault: () => void }, url: string) => void>
    }
    hardenWebContents(contents as never, undefined)

    expect(contents.windowOpenHandler({ url: 'https://example.com/page' })).toEqual({ action: 'deny' })
    expect(contents.windowOpenHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(contents.windowOpenHandler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' })
    expect(contents.windowOpenHandler({ url: 'mailto:help@api.example' })).toEqual({ action: 'deny' })

    const navigate = contents.listeners.get('will-navigate')!
    const outside = { preventDefault: vi.fn() }
    navigate(outside, 'http://example.org/')
    expect(outside.preventDefault).toHaveBeenCalled()
    const inside = { preventDefault: vi.fn() }
    navigate(inside, 'app://local/index.html#settings')
    expect(inside.preventDefault).not.toHaveBeenCalled()

    await Promise.resolve()
    expect(electron.opened).toEqual(['https://example.com/page', 'mailto:help@api.example', 'http://example.org/'])
  })
})

describe('confirm dialog', () => {
  const question = { title: 'API key', message: 'Send it?', detail: 'Why', confirmLabel: 'Send the key', cancelLabel: "Don't send" }

  it('makes the safe answer the default and reports only the confirm button as yes', async () => {
    electron.messageBoxAnswer.response = 1
    expect(await electronDialogs.confirm(question)).toBe(false)
    expect(electron.messageBoxes.at(-1)).toMatchObject({
      message: 'Send it?',
      detail: 'Why',
      buttons: ['Send the key', "Don't send"],
      defaultId: 1,
      cancelId: 1
    })
    electron.messageBoxAnswer.response = 0
    expect(await electronDialogs.confirm(question)).toBe(true)
  })
})

describe('content security policy', () => {
  it('is the same in index.html as in the protocol header', () => {
    const html = readFileSync(join(import.meta.dirname, '../../src/renderer/index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY)
  })

  it('forbids remote and inline scripts and remote resources', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/)
      return [name!, values]
    }))
    expect(directives.get('default-src')).toEqual(["'none'"])
    expect(directives.get('script-src')).toEqual(["'self'"])
    expect(directives.get('object-src')).toEqual(["'none'"])
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*|unsafe-eval/)
    expect(directives.get('script-src')).not.toContain("'unsafe-inline'")
  })
})

describe('safeStorage adapter', () => {
  it('maps the OS state to a protection level', async () => {
    electron.safeStorageState.available = false
    expect(await safeStorageCipher.protection()).toBe('unavailable')
    electron.safeStorageState.available = true
    electron.safeStorageState.backend = 'basic_text'
    expect(await safeStorageCipher.protection()).toBe(process.platform === 'linux' ? 'basic_text' : 'os')
    electron.safeStorageState.backend = 'gnome_libsecret'
    expect(await safeStorageCipher.protection()).toBe('os')
    const sealed = await safeStorageCipher.encrypt('k')
    expect(await safeStorageCipher.decrypt(sealed)).toEqual({ text: 'k', shouldReEncrypt: false })
  })
})
