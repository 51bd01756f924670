/** Words for AppErrors, shared by ErrorNotice and anything else that names an error. */
import { describeError, type BridgeErrorData, type ErrorCode } from '@shared/errors'

const titles: Record<ErrorCode, string> = {
  invalid_argument: 'That value was not accepted',
  no_key: 'No API key is set',
  unauthorized: 'The server rejected the API key',
  payment_required: 'No credit left on this key',
  forbidden: 'Your plan does not allow this',
  not_found: 'The server does not know this model or endpoint',
  too_large: 'The request is too large for the server',
  rate_limited: 'Rate limit reached',
  server_error: 'The server had an error',
  unavailable: 'The service is unavailable right now',
  timeout: 'The server took too long to answer',
  network: 'Could not reach the server',
  aborted: 'Stopped',
  bad_response: 'The server sent an unexpected answer',
  response_too_large: 'The answer was too large',
  stream_error: 'The server reported an error mid-answer',
  encryption_unavailable: 'The key cannot be stored securely',
  internal: 'Something went wrong'
}

function stripPeriod(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text
}

/** A short title for the error's code. */
export function errorTitle(error: BridgeErrorData): string {
  return titles[error.code] ?? titles.internal
}

/** "Try again in N s" when the server said how long to wait. */
export function retryHint(error: BridgeErrorData): string | null {
  if (error.retryAfterMs === undefined) return null
  return `Try again in ${Math.max(1, Math.ceil(error.retryAfterMs / 1000))} s`
}

/**
 * The sentence `describeError` gives when it adds something to the title
 * (e.g. "Add one in Settings."); null when it would only repeat the message.
 */
export function errorHint(error: BridgeErrorData): string | null {
  if (error.retryAfterMs !== undefined) return null
  const described = describeError(error)
  if (described === error.message) return null
  const title = errorTitle(error)
  const rest = described.startsWith(title) ? described.slice(title.length).replace(/^[.\s]+/, '') : described
  const hint = stripPeriod(rest.trim())
  return hint === '' || hint === stripPeriod(title) ? null : `${hint}.`
}

/**
 * A rate-limit message without the words the title already says ("The
 * server's rate limit was reached: Ratelimit Exceeded!" under "Rate limit
 * reached" said it three times); what is left is the useful part, e.g.
 * "1 request(s) per minute", or nothing.
 */
function rateLimitDetail(message: string): string | null {
  const rest = message
    .replace(/^the server's rate limit was reached:\s*/i, '')
    .replace(/^rate ?limit(?:ed)?(?: (?:exceeded|reached))?[!.:]*\s*/i, '')
    .replace(/^\((.*)\)\.?$/s, '$1')
    .trim()
  if (rest === '' || /^[.!]+$/.test(rest)) return null
  return rest.charAt(0).toUpperCase() + rest.slice(1)
}

/** The server's own words, unless they only repeat the title. */
export function errorDetail(error: BridgeErrorData): string | null {
  const message = error.message.trim()
  if (message === '') return null
  if (error.code === 'rate_limited') return rateLimitDetail(message)
  if (stripPeriod(message).toLowerCase() === stripPeriod(errorTitle(error)).toLowerCase()) return null
  return message
}

/** One line for labels: "Title: server message". */
export function errorSummary(error: BridgeErrorData): string {
  const detail = errorDetail(error)
  return detail ? `${errorTitle(error)}: ${detail}` : errorTitle(error)
}
