/**
 * Socket, DNS, TLS, proxy and timeout failures (anything thrown by undici
 * rather than answered by a server) as readable `AppError`s.
 */
import { AppError } from '../../../shared/errors'
import type { Timeouts } from '../../../shared/contract'
import { cleanMessage } from './errors'

export interface TransportContext {
  /** host[:port] of the server asked. */
  host: string
  /** host[:port] of the proxy in use, if any. */
  proxy: string | null
  timeouts: Timeouts
  signal?: AbortSignal | undefined
  secrets: readonly (string | null | undefined)[]
}

/** Error codes found on the error, its causes and, for AggregateError, its members. */
export function errorCodesOf(error: unknown): string[] {
  const codes: string[] = []
  const seen = new Set<unknown>()
  const visit = (value: unknown, depth: number): void => {
    if (depth > 5 || typeof value !== 'object' || value === null || seen.has(value)) return
    seen.add(value)
    const code = (value as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
    visit((value as { cause?: unknown }).cause, depth + 1)
    const members = (value as { errors?: unknown }).errors
    if (Array.isArray(members)) for (const member of members) visit(member, depth + 1)
  }
  visit(error, 0)
  return codes
}

/** A reset or refused connection: worth one more try for requests that may be repeated. */
export const CONNECTION_RETRY_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET'])

const seconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`)
const TLS_CODE = /^(CERT_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_SSL_)/

/** Maps anything thrown while talking to a server to an `AppError`. */
export function transportError(error: unknown, ctx: TransportContext): AppError {
  if (error instanceof AppError) return error
  if (ctx.signal?.aborted) return new AppError('aborted', 'Stopped.', { cause: error })

  const codes = errorCodesOf(error)
  const has = (...wanted: string[]): boolean => wanted.some((code) => codes.includes(code))
  const via = ctx.proxy ? ` (through the proxy ${ctx.proxy})` : ''
  const detail = error instanceof Error ? error.message : String(error)
  const make = (code: 'timeout' | 'network', message: string): AppError =>
    new AppError(code, cleanMessage(message, ctx.secrets), { cause: error })

  if (has('UND_ERR_CONNECT_TIMEOUT'))
    return make('timeout', `Could not connect to ${ctx.host}${via} within ${seconds(ctx.timeouts.connectMs)}.`)
  if (has('UND_ERR_HEADERS_TIMEOUT'))
    return make('timeout', `${ctx.host} did not start answering within ${seconds(ctx.timeouts.headersMs)}.`)
  if (has('UND_ERR_BODY_TIMEOUT'))
    return make('timeout', `${ctx.host} went silent for more than ${seconds(ctx.timeouts.idleMs)} in the middle of its answer.`)
  if (has('ECONNREFUSED')) return make('network', `${ctx.proxy ? `The proxy ${ctx.proxy}` : ctx.host} refused the connection.`)
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME'))
    return make('network', `Could not find ${ctx.proxy ? `the proxy ${ctx.proxy}` : ctx.host} (DNS lookup failed).`)
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN'))
    return make('network', `${ctx.host}${via} is unreachable from this network.`)
  if (has('ETIMEDOUT')) return make('timeout', `The connection to ${ctx.host}${via} timed out.`)
  if (codes.some((code) => TLS_CODE.test(code)))
    return make('network', `The TLS certificate of ${ctx.host} was rejected: ${detail}`)
  if (has('UND_ERR_ABORTED') && /proxy/i.test(detail))
    // undici reports a refused CONNECT tunnel as an abort; our signal was not aborted.
    return make('network', `The proxy ${ctx.proxy ?? ''} refused to connect to ${ctx.host}: ${detail}`)
  if (has(...CONNECTION_RETRY_CODES, 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'))
    return make('network', `The connection to ${ctx.host}${via} was closed unexpectedly.`)
  if (codes.some((code) => code.startsWith('HPE_')))
    return make('network', `${ctx.host} sent an answer that is not valid HTTP.`)
  return make('network', `Could not talk to ${ctx.host}${via}: ${detail}`)
}

/** True for resets and refusals, which a repeatable request may retry. */
export function isConnectionFailure(error: AppError): boolean {
  return error.code === 'network' && errorCodesOf(error.cause).some((code) => CONNECTION_RETRY_CODES.has(code))
}
