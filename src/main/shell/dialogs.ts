/**
 * Electron's dialogs: the file pickers behind the FileDialogs interface,
 * attached to the window in front so they open as sheets on macOS, and the
 * message boxes the shell shows when start-up fails or a page crashes.
 */
import { BrowserWindow, dialog, type MessageBoxOptions } from 'electron'
import type { FileDialogs } from '../app-services'
import type { StartupAction, StartupFailurePlan } from '../services/startup-failure'

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
  async openFolder({ title }) {
    const window = BrowserWindow.getFocusedWindow()
    const options = { title, properties: ['openDirectory' as const, 'createDirectory' as const] }
    const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
    return result.canceled ? null : (result.filePaths[0] ?? null)
  },
  async confirm({ title, message, detail, confirmLabel, cancelLabel }) {
    const window = BrowserWindow.getFocusedWindow()
    // Enter and Escape both pick the cancel button: agreeing takes a deliberate choice.
    const options: MessageBoxOptions = { type: 'question', title, message, detail, buttons: [confirmLabel, cancelLabel], defaultId: 1, cancelId: 1, noLink: true }
    const result = window ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options)
    return result.response === 0
  }
}

/** Why start-up failed and what the person wants done; shown before any window exists. */
export async function chooseStartupAction(plan: StartupFailurePlan): Promise<StartupAction> {
  const { response } = await dialog.showMessageBox({
    type: 'error',
    title: plan.title,
    message: plan.message,
    detail: plan.detail,
    buttons: plan.actions.map((choice) => choice.label),
    defaultId: 0,
    // Esc or closing the box quits.
    cancelId: Math.max(0, plan.actions.findIndex((choice) => choice.action === 'quit')),
    noLink: true
  })
  return plan.actions[response]?.action ?? 'quit'
}

/** The window's page crashed or was killed: reload it, or quit. */
export async function askAfterRendererGone(window: BrowserWindow, reason: string): Promise<'reload' | 'quit'> {
  const { response } = await dialog.showMessageBox(window, {
    type: 'error',
    title: 'Skyport',
    message: 'This window stopped working.',
    detail: `Its page ended unexpectedly (${reason}). Your conversations are saved; reload the window to continue.`,
    buttons: ['Reload', 'Quit'],
    defaultId: 0,
    cancelId: 1,
    noLink: true
  })
  return response === 0 ? 'reload' : 'quit'
}

/** The window's page is busy; `signal` closes the box when it answers again. */
export async function askWhenUnresponsive(window: BrowserWindow, signal: AbortSignal): Promise<'wait' | 'reload'> {
  const { response } = await dialog.showMessageBox(window, {
    type: 'warning',
    title: 'Skyport',
    message: 'This window is not responding.',
    detail: 'Wait for it, or reload it. Your conversations are saved.',
    buttons: ['Wait', 'Reload'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
    signal
  })
  return response === 1 ? 'reload' : 'wait'
}
