/**
 * Electron's side of the application menu: the entries buildAppMenu makes,
 * turned into a Menu. Window commands go to the focused window as a
 * `menu.command` event; main's own (zoom, quick ask, the logs folder) run here.
 */
import { app, BrowserWindow, Menu, type MenuItemConstructorOptions } from 'electron'
import { eventChannel, type MenuCommandEvent } from '../../shared/contract'
import { buildAppMenu, isMainCommand, type AppMenuState, type MainCommand, type MenuEntry, type MenuState } from '../services/app-menu'

export type MainCommandHandlers = Record<MainCommand, (window: BrowserWindow | null) => void>

export function toElectronTemplate(entries: readonly MenuEntry[], run: (entry: MenuEntry, window: BrowserWindow | null) => void): MenuItemConstructorOptions[] {
  return entries.map((entry) => {
    const { command, submenu, ...rest } = entry
    const item: MenuItemConstructorOptions = { ...rest }
    if (submenu) item.submenu = toElectronTemplate(submenu, run)
    if (command) item.click = (_item, window) => run(entry, window instanceof BrowserWindow ? window : null)
    // Hidden twins still answer their keys.
    if (entry.visible === false) item.acceleratorWorksWhenHidden = true
    return item
  })
}

export interface AppMenuOptions {
  menuState: MenuState
  dev: boolean
  /** Whether quick ask works, and its global shortcut while the OS holds it; read at every rebuild. */
  quickAsk: () => { available: boolean; accelerator: string | null }
  /** Something else the menu shows changed (the shortcut's registration): calls `rebuild`; returns an unsubscribe. */
  onQuickAskChange: (rebuild: () => void) => () => void
  /** The main window, shown (and opened if it was closed); window commands go there, not to quick ask. */
  mainWindow: () => BrowserWindow | null
  handlers: MainCommandHandlers
}

/** Sets the application menu now and again whenever its state changes. */
export function installAppMenu(options: AppMenuOptions): () => void {
  const state = (): AppMenuState => {
    const quickAsk = options.quickAsk()
    return {
      platform: process.platform,
      dev: options.dev,
      appName: app.getName(),
      route: options.menuState.route,
      quickAsk: quickAsk.available,
      quickAskAccelerator: quickAsk.accelerator
    }
  }
  const run = (entry: MenuEntry, window: BrowserWindow | null): void => {
    const command = entry.command
    if (!command) return
    if (isMainCommand(command)) {
      options.handlers[command](window)
      return
    }
    const target = options.mainWindow()
    if (!target || target.isDestroyed()) return
    const payload: MenuCommandEvent = { command }
    const send = (): void => target.webContents.send(eventChannel('menu.command'), payload)
    // A window the command just reopened hears it once its page is there.
    if (target.webContents.isLoading()) target.webContents.once('did-finish-load', send)
    else send()
  }
  const apply = (): void => Menu.setApplicationMenu(Menu.buildFromTemplate(toElectronTemplate(buildAppMenu(state()), run)))
  apply()
  const stops = [options.menuState.onChange(apply), options.onQuickAskChange(apply)]
  return () => {
    for (const stop of stops) stop()
  }
}
