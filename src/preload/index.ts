/**
 * Exposes exactly the bridge contract to the renderer as `window.api`, built
 * from the contract's method and event lists. The renderer never sees
 * ipcRenderer itself.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { buildBridgeApi } from '../shared/bridge'
import { eventChannel, invokeChannel, type Envelope } from '../shared/contract'

const api = buildBridgeApi({
  invoke: (method, args) => ipcRenderer.invoke(invokeChannel(method), args) as Promise<Envelope<unknown>>,
  subscribe(event, listener) {
    const forward = (_event: Electron.IpcRendererEvent, payload: unknown): void => listener(payload)
    ipcRenderer.on(eventChannel(event), forward)
    return () => {
      ipcRenderer.removeListener(eventChannel(event), forward)
    }
  }
})

contextBridge.exposeInMainWorld('api', api)
