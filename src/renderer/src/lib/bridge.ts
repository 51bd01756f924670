/**
 * The renderer's typed view of `window.api`: the same methods, but a failed
 * call throws an `AppError` (rebuilt from the envelope) instead of resolving
 * to `{ ok: false }`. Components import `api` from here, never `window.api`.
 */
import type { RawBridgeApi } from '@shared/bridge'
import type { Envelope, EventName, PayloadOf } from '@shared/contract'
import { AppError } from '@shared/errors'

declare global {
  interface Window {
    api: RawBridgeApi
  }
}

type Unwrap<F> = F extends (...args: infer A) => Promise<Envelope<infer R>> ? (...args: A) => Promise<R> : never

export type BridgeApi = {
  [N in Exclude<keyof RawBridgeApi, 'on'>]: { [V in keyof RawBridgeApi[N]]: Unwrap<RawBridgeApi[N][V]> }
} & {
  on<E extends EventName>(event: E, listener: (payload: PayloadOf<E>) => void): () => void
}

export function unwrapBridge(raw: RawBridgeApi): BridgeApi {
  const api: Record<string, unknown> = {}
  for (const [namespace, verbs] of Object.entries(raw)) {
    if (namespace === 'on') continue
    const wrapped: Record<string, (...args: unknown[]) => Promise<unknown>> = {}
    for (const [verb, call] of Object.entries(verbs as Record<string, (...args: unknown[]) => Promise<Envelope<unknown>>>)) {
      wrapped[verb] = async (...args) => {
        const envelope = await call(...args)
        if (envelope.ok) return envelope.result
        throw AppError.fromData(envelope.error)
      }
    }
    api[namespace] = wrapped
  }
  api.on = raw.on.bind(raw)
  return api as BridgeApi
}

let cached: BridgeApi | null = null

/** The bridge, unwrapped once on first use (tests may install their own `window.api` first). */
export function getApi(): BridgeApi {
  cached ??= unwrapBridge(window.api)
  return cached
}

/** For tests: forget the cached bridge so a new `window.api` is picked up. */
export function resetApiForTests(): void {
  cached = null
}
