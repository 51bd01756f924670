/**
 * Electron's dialogs behind the FileDialogs interface, attached to the
 * window in front so they open as sheets on macOS.
 */
import { BrowserWindow, dialog, type MessageBoxOptions } from 'electron'
import type { FileDialogs } from '../app-services'

export const electronDialogs: FileDialogs = {
  async saveFile({ title, defaultName, filters }) {
    const window = BrowserWindow.getFocusedWindow()
    const options = { title, defaultPath: defaultName, filters }
    const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options)
    return result.canceled || !result.filePath ? null : result.filePath
  },
  async openFiles({ title, filters, multiple }) {
    const window = BrowserWindow.getFocusedWindow()
    const properties: Array<'openFile' | 'multiSelections'> = multiple ? ['openFile', 'multiSelections'] : ['openFile']
    const options = { title, filters, properties }
    const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
    return result.canceled ? [] : result.filePaths
  },
  async confirm({ title, message, detail, confirmLabel, cancelLabel }) {
    const window = BrowserWindow.getFocusedWindow()
    // Enter and Escape both pick the cancel button: agreeing takes a deliberate choice.
    const options: MessageBoxOptions = { type: 'question', title, message, detail, buttons: [confirmLabel, cancelLabel], defaultId: 1, cancelId: 1, noLink: true }
    const result = window ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options)
    return result.response === 0
  }
}
