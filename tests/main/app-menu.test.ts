/**
 * The application menu as data, for each platform: the menus the issue lists,
 * accelerators taken from the shared shortcut table (the overlay's list), and
 * developer items only in development.
 */
import { describe, expect, it } from 'vitest'
import { buildAppMenu, flattenMenu, isMainCommand, MenuState, type AppMenuState, type MenuEntry } from '../../src/main/services/app-menu'
import { comboAccelerator, combosFor, shortcuts } from '../../src/shared/shortcuts'

const state = (over: Partial<AppMenuState> = {}): AppMenuState => ({ platform: 'linux', dev: false, appName: 'Skyport', route: 'chat', quickAsk: true, quickAskAccelerator: null, ...over })

const labels = (entries: MenuEntry[]): Array<string | undefined> => entries.map((entry) => entry.label ?? entry.role)
const submenu = (menu: MenuEntry[], label: string): MenuEntry[] => menu.find((entry) => entry.label === label)?.submenu ?? []
const find = (menu: MenuEntry[], predicate: (entry: MenuEntry) => boolean): MenuEntry | undefined => flattenMenu(menu).find(predicate)

describe('application menu', () => {
  it('has File, Edit, View, Go, Window and Help on Windows and Linux, with no app menu', () => {
    const menu = buildAppMenu(state())
    expect(labels(menu)).toEqual(['&File', '&Edit', '&View', '&Go', '&Window', '&Help'])
    expect(labels(submenu(menu, '&File')).filter(Boolean)).toEqual([
      'New chat',
      'Quick Ask',
      'Import Conversations…',
      'Export All Conversations…',
      'Settings…',
      'Close Window',
      'Quit'
    ])
    expect(submenu(menu, '&Edit').map((entry) => entry.role).filter(Boolean)).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'delete', 'selectAll'])
    expect(labels(submenu(menu, '&Go'))).toEqual(['Chat', 'Studio', 'Library', 'Models', 'Settings'])
    expect(labels(submenu(menu, '&Help')).filter(Boolean)).toEqual(['Keyboard Shortcuts', 'Open Logs Folder', 'About Skyport'])
    expect(find(menu, (entry) => entry.label === 'About Skyport')?.command).toBe('about')
  })

  it('puts About, Settings (Cmd+,), Hide and Quit in the macOS app menu', () => {
    const menu = buildAppMenu(state({ platform: 'darwin' }))
    expect(labels(menu)).toEqual(['Skyport', '&File', '&Edit', '&View', '&Go', 'windowMenu', '&Help'])
    const app = submenu(menu, 'Skyport')
    expect(app.map((entry) => entry.role ?? entry.command).filter(Boolean)).toEqual(['about', 'goSettings', 'services', 'hide', 'hideOthers', 'unhide', 'quit'])
    expect(app.find((entry) => entry.command === 'goSettings')?.accelerator).toBe('CommandOrControl+,')
    // Not twice: File has no Settings or Quit, Help no About on macOS.
    expect(submenu(menu, '&File').some((entry) => entry.command === 'goSettings' || entry.role === 'quit')).toBe(false)
    expect(submenu(menu, '&Help').some((entry) => entry.command === 'about')).toBe(false)
    expect(find(menu, (entry) => entry.role === 'pasteAndMatchStyle')).toBeDefined()
    expect(find(menu, (entry) => entry.role === 'togglefullscreen')?.accelerator).toBe('Control+CommandOrControl+F')
  })

  it('offers the developer tools and reload only in development', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(find(buildAppMenu(state({ platform })), (entry) => entry.role === 'toggleDevTools')).toBeUndefined()
      expect(find(buildAppMenu(state({ platform })), (entry) => entry.role === 'reload')).toBeUndefined()
      expect(find(buildAppMenu(state({ platform, dev: true })), (entry) => entry.role === 'toggleDevTools')).toBeDefined()
    }
  })

  it('has zoom, the sidebar and full screen in View, with Ctrl+= and a hidden Ctrl+Plus', () => {
    const view = submenu(buildAppMenu(state()), '&View')
    const zoomIn = view.filter((entry) => entry.command === 'zoomIn')
    expect(zoomIn.map((entry) => [entry.accelerator, entry.visible])).toEqual([
      ['CommandOrControl+=', undefined],
      ['CommandOrControl+Shift+Plus', false]
    ])
    expect(view.find((entry) => entry.command === 'zoomOut')?.accelerator).toBe('CommandOrControl+-')
    expect(view.find((entry) => entry.command === 'zoomReset')?.accelerator).toBe('CommandOrControl+0')
    expect(view.find((entry) => entry.command === 'toggleSidebar')?.accelerator).toBe('CommandOrControl+B')
    expect(view.find((entry) => entry.role === 'togglefullscreen')?.accelerator).toBe('F11')
  })

  it('ticks the screen the window shows in Go', () => {
    const go = submenu(buildAppMenu(state({ route: 'library' })), '&Go')
    expect(go.filter((entry) => entry.checked).map((entry) => entry.label)).toEqual(['Library'])
    expect(go.every((entry) => entry.type === 'radio')).toBe(true)
  })

  it('greys out Quick Ask when the build has no quick-ask window', () => {
    expect(find(buildAppMenu(state({ quickAsk: false })), (entry) => entry.command === 'quickAsk')?.enabled).toBe(false)
  })

  it('shows the global quick-ask shortcut next to Quick Ask while the OS holds it, without registering it a second time', () => {
    const item = (over: Partial<AppMenuState>): MenuEntry | undefined => find(buildAppMenu(state(over)), (entry) => entry.command === 'quickAsk')
    expect(item({ quickAskAccelerator: 'Alt+Shift+K' })).toMatchObject({ enabled: true, accelerator: 'Alt+Shift+K', registerAccelerator: false })
    expect(item({ quickAskAccelerator: null })?.accelerator).toBeUndefined()
    expect(item({ quickAsk: false, quickAskAccelerator: 'Alt+Shift+K' })?.accelerator).toBeUndefined()
  })

  it('takes every accelerator from the shared shortcut list, so the overlay lists the same keys', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const mac = platform === 'darwin'
      const known = new Set(shortcuts.flatMap((shortcut) => combosFor(shortcut, mac).map(comboAccelerator)))
      const menu = buildAppMenu(state({ platform, dev: true }))
      const withKeys = flattenMenu(menu).filter((entry) => entry.accelerator !== undefined)
      expect(withKeys.length).toBeGreaterThan(10)
      for (const entry of withKeys) expect(known, `${platform}: ${entry.label ?? entry.role} ${entry.accelerator}`).toContain(entry.accelerator)
      // And the other way: every shortcut that has a modifier key is in the menu (or handled by the chat screen only).
      const inMenu = new Set(withKeys.map((entry) => entry.accelerator))
      for (const id of ['newChat', 'toggleSidebar', 'help', 'goChat', 'goStudio', 'goLibrary', 'goModels', 'goSettings', 'zoomIn', 'zoomOut', 'zoomReset', 'fullScreen']) {
        const shortcut = shortcuts.find((candidate) => candidate.id === id)!
        expect(inMenu, `${platform}: ${id}`).toContain(comboAccelerator(combosFor(shortcut, mac)[0]!))
      }
    }
  })

  it('leaves keys the page handles to the page, and registers the ones only the menu can do', () => {
    const all = flattenMenu(buildAppMenu(state()))
    expect(all.find((entry) => entry.command === 'newChat')?.registerAccelerator).toBe(false)
    expect(all.find((entry) => entry.command === 'goLibrary')?.registerAccelerator).toBe(false)
    expect(all.find((entry) => entry.command === 'zoomIn')?.registerAccelerator).toBeUndefined()
  })

  it('sends window commands to the window and keeps main commands in main', () => {
    expect(isMainCommand('zoomIn')).toBe(true)
    expect(isMainCommand('openLogsFolder')).toBe(true)
    expect(isMainCommand('newChat')).toBe(false)
    expect(isMainCommand('goSettings')).toBe(false)
  })

  it('reports a route change once', () => {
    const menuState = new MenuState()
    const seen: string[] = []
    menuState.onChange(() => seen.push(menuState.route))
    menuState.setRoute('studio')
    menuState.setRoute('studio')
    menuState.setRoute('chat')
    expect(seen).toEqual(['studio', 'chat'])
  })
})
