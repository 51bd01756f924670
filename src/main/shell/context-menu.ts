/**
 * Right-click menus in Electron, built from the items of
 * services/context-menus.ts. A small module of our own rather than
 * electron-context-menu: every item here comes from those tested templates
 * (the library would only attach the `context-menu` listener), and the
 * messages' and images' menus are popped up by a bridge call and answer with
 * the chosen command, which the library has no way to do.
 */
import { BrowserWindow, clipboard, Menu, shell, webContents, type MenuItemConstructorOptions, type WebContents } from 'electron'
import type { ContextCommand } from '../../shared/contract'
import { parseExternalUrl } from '../handlers'
import { resolveServedFile, type ProtocolRoots } from '../services/app-protocol'
import { commandOf, nativeContextMenu, type ContextItem } from '../services/context-menus'

/** Where app:// addresses are served from, so a picture's file can be shown in its folder. */
let roots: ProtocolRoots = { renderer: '', media: '' }

function toTemplate(items: readonly ContextItem[], contents: WebContents, choose: (command: ContextCommand) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' }
      case 'role':
        return { role: item.role, label: item.label, enabled: item.enabled }
      case 'suggestion':
        return { label: item.label, click: () => contents.replaceMisspelling(item.word) }
      case 'learn':
        return { label: item.label, click: () => contents.session.addWordToSpellCheckerDictionary(item.word) }
      case 'link':
        return {
          label: item.label,
          click: () => {
            if (item.action === 'copyLink') clipboard.writeText(item.url)
            else void shell.openExternal(parseExternalUrl(item.url))
          }
        }
      case 'image':
        return {
          label: item.label,
          click: () => {
            if (item.action === 'copyImage') contents.copyImageAt(item.x, item.y)
            // With no will-download handler, Electron asks where to save.
            else if (item.action === 'saveImage') contents.downloadURL(item.src)
            else void resolveServedFile(item.src, roots).then((file) => file && shell.showItemInFolder(file.path))
          }
        }
      case 'command': {
        const command = commandOf(item)
        return command ? { label: item.label, click: () => choose(command) } : { label: item.label, enabled: false }
      }
    }
  })
}

/** Text fields (with the spellchecker's suggestions), links, pictures and selected text, on every page. */
export function attachNativeContextMenu(contents: WebContents): void {
  contents.on('context-menu', (_event, params) => {
    const items = nativeContextMenu(params)
    if (items.length === 0) return
    const window = BrowserWindow.fromWebContents(contents) ?? undefined
    Menu.buildFromTemplate(toTemplate(items, contents, () => undefined)).popup(window ? { window } : {})
  })
}

export function setContextMenuRoots(served: ProtocolRoots): void {
  roots = served
}

/** The `showContextMenu` power: a message's or an image's menu, resolving to the command chosen. */
export function showContextMenu(items: ContextItem[], contentsId: number): Promise<ContextCommand | null> {
  const contents = webContents.fromId(contentsId)
  const window = contents ? BrowserWindow.fromWebContents(contents) : null
  if (!contents || !window) return Promise.resolve(null)
  return new Promise((resolve) => {
    const menu = Menu.buildFromTemplate(toTemplate(items, contents, resolve))
    // On some platforms the menu reports closing before the chosen item's click: wait a moment for it.
    menu.popup({ window, callback: () => setTimeout(() => resolve(null), 100) })
  })
}
