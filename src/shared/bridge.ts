/**
 * Builds the renderer-facing API object from the contract, over any
 * transport. The preload uses it with Electron IPC; the browser test host
 * uses it with HTTP and server-sent events. Both expose the same shape, so
 * the renderer cannot tell them apart.
 */
import {
  eventNames,
  methodNames,
  type ArgsOf,
  type Envelope,
  type EventName,
  type MethodName,
  type PayloadOf,
  type ResultOf
} from './contract'

type Namespace<K> = K extends `${infer N}.${string}` ? N : never
type Verb<K, N extends string> = K extends `${N}.${infer V}` ? V : never

/** A method as the raw bridge exposes it: resolves to an envelope, never throws. */
export type RawMethod<M extends MethodName> = [ArgsOf<M>] extends [null | undefined]
  ? () => Promise<Envelope<ResultOf<M>>>
  : (args: ArgsOf<M>) => Promise<Envelope<ResultOf<M>>>

/** `window.api`: `api.settings.get()`, `api.on('completion.delta', fn)`. */
export type RawBridgeApi = {
  [N in Namespace<MethodName>]: { [V in Verb<MethodName, N>]: RawMethod<`${N}.${V}` & MethodName> }
} & {
  on<E extends EventName>(event: E, listener: (payload: PayloadOf<E>) => void): () => void
}

export interface BridgeTransport {
  invoke(method: MethodName, args: unknown): Promise<Envelope<unknown>>
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void
}

export function buildBridgeApi(transport: BridgeTransport): RawBridgeApi {
  const api: Record<string, Record<string, (args?: unknown) => Promise<Envelope<unknown>>>> = {}
  for (const name of methodNames) {
    const [namespace, verb] = name.split('.') as [string, string]
    api[namespace] ??= {}
    api[namespace][verb] = (args?: unknown) => transport.invoke(name, args)
  }
  const on = (event: EventName, listener: (payload: unknown) => void): (() => void) => {
    if (!eventNames.includes(event)) throw new Error(`Unknown event: ${String(event)}`)
    return transport.subscribe(event, listener)
  }
  return Object.assign(api, { on }) as unknown as RawBridgeApi
}
