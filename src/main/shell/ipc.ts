/**
 * Wires the handler table to Electron IPC: one `ipcMain.handle` per contract
 * method, events to the calling window through a sink that drops sends to a
 * destroyed window.
 */
import type { IpcMain, WebContents } from 'electron'
import { eventChannel, invokeChannel, methodNames } from '../../shared/contract'
import { dispatch, type DispatchOptions, type EventSink, type HandlerTable } from '../bridge'

export function webContentsSink(contents: WebContents): EventSink {
  return {
    id: contents.id,
    send(event, payload) {
      if (contents.isDestroyed()) return
      contents.send(eventChannel(event), payload)
    }
  }
}

export function registerBridge(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  handlers: HandlerTable,
  options: DispatchOptions & { isTrustedSender: (contents: WebContents, frameUrl: string | undefined) => boolean }
): () => void {
  for (const method of methodNames) {
    ipcMain.handle(invokeChannel(method), (event, args: unknown) => {
      // Only our own pages may call in; a navigated or foreign frame gets nothing.
      if (!options.isTrustedSender(event.sender, event.senderFrame?.url)) {
        return { ok: false, error: { code: 'forbidden', message: 'Untrusted sender.' } }
      }
      return dispatch(handlers, method, args, { sink: webContentsSink(event.sender), startDrag: (item) => event.sender.startDrag(item) }, options)
    })
  }
  return () => {
    for (const method of methodNames) ipcMain.removeHandler(invokeChannel(method))
  }
}
