// Code inside page.evaluate() runs in the browser, where the bridge is window.api.
import type { RawBridgeApi } from '../../src/shared/bridge'

declare global {
  var window: { api: RawBridgeApi }
  var document: { body: { innerText: string } }
}
