// Code inside page.evaluate() runs in the browser, where the bridge is window.api.
import type { RawBridgeApi } from '../../src/shared/bridge'

declare global {
  interface Window {
    api: RawBridgeApi
  }
}
