/**
 * The handler table: one function per contract method, built once from the
 * services. Transports (Electron IPC in the app, HTTP in the browser test
 * host) call `dispatch`, which turns every outcome into an envelope so that
 * errors cross the bridge as data with their code, status and wait time.
 */
import type { CheckedArgsOf, Envelope, EventName, MethodName, PayloadOf, ResultOf } from '../shared/contract'
import { methods } from '../shared/contract'
import { AppError, toErrorData } from '../shared/errors'
import { parseOrThrow } from '../shared/schemas'

/** Where a caller's events go. Sends to a closed window are dropped, not thrown. */
export interface EventSink {
  /** Identifies the window (or test client) that made the call. */
  readonly id: number
  send<E extends EventName>(event: E, payload: PayloadOf<E>): void
}

export interface CallContext {
  sink: EventSink
  /** Starts dragging a file out of the calling window (Electron's webContents.startDrag); absent where no window can. */
  startDrag?(item: { file: string; icon: string }): void
}

/** A handler trusts its arguments: `dispatch` has checked them against the method's schema. */
export type Handler<M extends MethodName> = (args: CheckedArgsOf<M>, context: CallContext) => Promise<ResultOf<M>> | ResultOf<M>
export type HandlerTable = { [M in MethodName]: Handler<M> }

export interface DispatchOptions {
  /** Scrubs secrets from error messages before they leave main. */
  redact?: (text: string) => string
  /** Told about unexpected (internal) errors, for the log. */
  onInternalError?: (method: string, error: unknown) => void
}

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name)
}

export async function dispatch(
  table: HandlerTable,
  method: string,
  args: unknown,
  context: CallContext,
  options: DispatchOptions = {}
): Promise<Envelope<unknown>> {
  try {
    if (!isMethodName(method)) throw new AppError('invalid_argument', `Unknown method: ${method}`)
    // The renderer is untrusted: nothing reaches a handler before its schema passed it.
    const checked = parseOrThrow(methods[method].args, args)
    const handler = table[method] as (args: unknown, context: CallContext) => unknown
    return { ok: true, result: await handler(checked, context) }
  } catch (error) {
    const data = toErrorData(error)
    if (data.code === 'internal') options.onInternalError?.(method, error)
    if (options.redact) data.message = options.redact(data.message)
    return { ok: false, error: data }
  }
}
