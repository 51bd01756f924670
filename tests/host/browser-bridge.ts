/**
 * `window.api` for the renderer running in a plain browser: the same object
 * the preload builds from the contract, carried over HTTP (calls) and
 * server-sent events (events) to the test host instead of Electron IPC.
 */
import { buildBridgeApi } from '../../src/shared/bridge'
import type { Envelope, EventName } from '../../src/shared/contract'

const clientId = crypto.randomUUID()
const source = new EventSource(`/bridge/events?client=${clientId}`)
// Calls wait for the event channel so no stream event can be missed.
const connected = new Promise<void>((resolve) => source.addEventListener('open', () => resolve(), { once: true }))

const api = buildBridgeApi({
  async invoke(method, args) {
    await connected
    try {
      const response = await fetch(`/bridge/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-client-id': clientId },
        body: JSON.stringify(args ?? null)
      })
      return (await response.json()) as Envelope<unknown>
    } catch (error) {
      return { ok: false, error: { code: 'internal', message: `Bridge unreachable: ${String(error)}` } }
    }
  },
  subscribe(event: EventName, listener) {
    const forward = (message: MessageEvent<string>): void => listener(JSON.parse(message.data))
    source.addEventListener(event, forward)
    return () => source.removeEventListener(event, forward)
  }
})

Object.defineProperty(window, 'api', { value: Object.freeze(api), writable: false })
