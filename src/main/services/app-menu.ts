/**
 * The application menu, built from the app's state as plain data: the shell
 * turns it into an Electron Menu (roles stay roles, a `command` becomes a
 * click). Accelerators come from the shared shortcut table, the one the
 * window's key handlers and its shortcuts overlay use.
 */
import type { RouteId, WindowCommand } from '../../shared/contract'
import { shortcutAccelerators, shortcutById, type ShortcutId } from '../../shared/shortcuts'

/** What main itself does when a menu item is chosen; every other command goes to the window. */
export type MainCommand = 'quickAsk' | 'openLogsFolder' | 'zoomIn' | 'zoomOut' | 'zoomReset'
export type MenuCommand = MainCommand | WindowCommand

export const MAIN_COMMANDS: readonly MainCommand[] = ['quickAsk', 'openLogsFolder', 'zoomIn', 'zoomOut', 'zoomReset']

export function isMainCommand(command: MenuCommand): command is MainCommand {
  return (MAIN_COMMANDS as readonly string[]).includes(command)
}

/** Electron's menu roles this menu uses. */
export type MenuRole =
  | 'appMenu'
  | 'about'
  | 'services'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'pasteAndMatchStyle'
  | 'delete'
  | 'selectAll'
  | 'togglefullscreen'
  | 'toggleDevTools'
  | 'reload'
  | 'forceReload'
  | 'minimize'
  | 'zoom'
  | 'front'
  | 'close'
  | 'windowMenu'
  | 'startSpeaking'
  | 'stopSpeaking'

export interface MenuEntry {
  label?: string
  role?: MenuRole
  command?: MenuCommand
  type?: 'separator' | 'submenu' | 'radio'
  accelerator?: string
  /**
   * False when the window's own key handler does the shortcut: the menu shows
   * the keys but leaves them to the page (Windows and Linux; macOS gives the
   * page the keys first anyway), so one press never acts twice.
   */
  registerAccelerator?: boolean
  /** Kept out of sight: a second accelerator for the same command (Ctrl+Plus next to Ctrl+=). */
  visible?: boolean
  enabled?: boolean
  checked?: boolean
  submenu?: MenuEntry[]
}

type Route = RouteId

export interface AppMenuState {
  platform: NodeJS.Platform
  /** Development build: the developer tools and reload are offered. */
  dev: boolean
  appName: string
  /** The screen the main window shows, ticked in the Go menu. */
  route: Route
  /** Whether the quick-ask window exists in this build. */
  quickAsk: boolean
  /** The global quick-ask shortcut while the OS holds it for the app; null when it does not work. */
  quickAskAccelerator: string | null
}

const separator: MenuEntry = { type: 'separator' }

/** A menu item for a shortcut of the shared table: its label, its command and its keys. */
function shortcutItem(id: ShortcutId & MenuCommand, mac: boolean, label = shortcutById(id).description, extra: Partial<MenuEntry> = {}): MenuEntry[] {
  const shortcut = shortcutById(id)
  const [primary, ...others] = shortcutAccelerators(id, mac)
  const pageHandles = shortcut.scope !== 'menu'
  const item: MenuEntry = { label, command: id, ...extra }
  if (primary) {
    item.accelerator = primary
    if (pageHandles) item.registerAccelerator = false
  }
  // The page's handler knows every combo; only keys the menu alone handles need hidden twins.
  const twins: MenuEntry[] = pageHandles ? [] : others.map((accelerator) => ({ label, command: id, accelerator, visible: false }))
  return [item, ...twins]
}

const routes: Array<{ route: Route; command: ShortcutId & WindowCommand; label: string }> = [
  { route: 'chat', command: 'goChat', label: 'Chat' },
  { route: 'studio', command: 'goStudio', label: 'Studio' },
  { route: 'library', command: 'goLibrary', label: 'Library' },
  { route: 'models', command: 'goModels', label: 'Models' },
  { route: 'settings', command: 'goSettings', label: 'Settings' }
]

export function buildAppMenu(state: AppMenuState): MenuEntry[] {
  const mac = state.platform === 'darwin'
  const menu: MenuEntry[] = []

  if (mac) {
    menu.push({
      label: state.appName,
      submenu: [
        { label: `About ${state.appName}`, role: 'about' },
        separator,
        ...shortcutItem('goSettings', mac, 'Settings…'),
        separator,
        { role: 'services' },
        separator,
        { label: `Hide ${state.appName}`, role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        separator,
        { label: `Quit ${state.appName}`, role: 'quit' }
      ]
    })
  }

  menu.push({
    label: '&File',
    submenu: [
      ...shortcutItem('newChat', mac),
      {
        label: 'Quick Ask',
        command: 'quickAsk',
        enabled: state.quickAsk,
        // Shown only: the OS delivers the global shortcut itself, and a menu key as well would toggle twice.
        ...(state.quickAsk && state.quickAskAccelerator ? { accelerator: state.quickAskAccelerator, registerAccelerator: false } : {})
      },
      separator,
      { label: 'Import Conversations…', command: 'import' },
      { label: 'Export All Conversations…', command: 'exportAll' },
      separator,
      // Settings live in the app menu on macOS, and under File elsewhere (as VS Code and Slack do).
      ...(mac ? [] : [...shortcutItem('goSettings', mac, 'Settings…'), separator]),
      { role: 'close', label: 'Close Window' },
      ...(mac ? [] : [{ role: 'quit', label: 'Quit' } as MenuEntry])
    ]
  })

  menu.push({
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as MenuEntry] : []),
      { role: 'delete' },
      separator,
      { role: 'selectAll' },
      ...(mac ? [separator, { label: 'Speech', submenu: [{ role: 'startSpeaking' }, { role: 'stopSpeaking' }] } as MenuEntry] : [])
    ]
  })

  menu.push({
    label: '&View',
    submenu: [
      ...shortcutItem('toggleSidebar', mac, 'Toggle Sidebar'),
      separator,
      ...shortcutItem('zoomIn', mac),
      ...shortcutItem('zoomOut', mac),
      ...shortcutItem('zoomReset', mac),
      separator,
      { role: 'togglefullscreen', label: 'Toggle Full Screen', accelerator: shortcutAccelerators('fullScreen', mac)[0] },
      ...(state.dev ? [separator, { role: 'reload' } as MenuEntry, { role: 'forceReload' } as MenuEntry, { role: 'toggleDevTools' } as MenuEntry] : [])
    ]
  })

  menu.push({
    label: '&Go',
    submenu: routes.flatMap(({ route, command, label }) => shortcutItem(command, mac, label, { type: 'radio', checked: state.route === route }))
  })

  menu.push(
    mac
      ? { role: 'windowMenu' }
      : { label: '&Window', submenu: [{ role: 'minimize' }, { role: 'close' }] }
  )

  menu.push({
    label: '&Help',
    submenu: [
      ...shortcutItem('help', mac, 'Keyboard Shortcuts'),
      { label: 'Open Logs Folder', command: 'openLogsFolder' },
      // On macOS, About is in the app menu.
      ...(mac ? [] : [separator, { label: `About ${state.appName}`, command: 'about' } as MenuEntry])
    ]
  })

  return menu
}

/** Every entry of a menu, submenus included, in order. */
export function flattenMenu(entries: readonly MenuEntry[]): MenuEntry[] {
  return entries.flatMap((entry) => [entry, ...flattenMenu(entry.submenu ?? [])])
}

/** The part of the menu's state the window reports (its screen); the shell rebuilds the menu when it changes. */
export class MenuState {
  #route: Route = 'chat'
  #listeners = new Set<() => void>()

  get route(): Route {
    return this.#route
  }

  setRoute(route: Route): void {
    if (route === this.#route) return
    this.#route = route
    for (const listener of this.#listeners) listener()
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
