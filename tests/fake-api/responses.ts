/** Response bodies in the shapes real servers use: errors, JSON, event-stream framing. */
import type { OutgoingHttpHeaders } from 'node:http'
import { STATUS_CODES } from 'node:http'
import type { ErrorShape } from './faults.ts'
import type { Reply } from './faults-runtime.ts'

interface ErrorDefaults {
  message: string
  type: string
  code: string
}

/** Realistic defaults for the statuses the gateway uses. */
const errorDefaults: Record<number, ErrorDefaults> = {
  400: { message: 'Bad request', type: 'invalid_request_error', code: 'bad_request' },
  401: { message: 'Invalid API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
  402: { message: 'Insufficient credits', type: 'insufficient_quota', code: 'insufficient_quota' },
  403: {
    message: 'Your plan does not include access to this model. Upgrade at https://api.airforce',
    type: 'permission_error',
    code: 'plan_required'
  },
  404: {
    message: 'The model does not exist or you do not have access to it.',
    type: 'invalid_request_error',
    code: 'model_not_found'
  },
  408: { message: 'Request timed out', type: 'timeout_error', code: 'timeout' },
  413: { message: 'One message exceeds the 1000chars per message limit', type: 'invalid_request_error', code: 'request_too_large' },
  429: {
    message: 'Rate limit exceeded (1 request(s) per minute). Try again in 56 seconds.',
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded'
  },
  500: { message: 'Internal server error', type: 'server_error', code: 'internal_error' },
  502: { message: 'The server is restarting. Please try again in a few seconds.', type: 'server_error', code: 'bad_gateway' },
  503: { message: 'All providers failed', type: 'server_error', code: 'service_unavailable' },
  504: { message: 'Gateway timeout', type: 'server_error', code: 'gateway_timeout' }
}

const anthropicTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
  503: 'overloaded_error'
}

function reason(status: number): string {
  return STATUS_CODES[status] ?? 'Error'
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'))
}

export interface ErrorBody {
  contentType: string
  body: string
}

/** The body of an error response in one of the shapes real servers send. */
export function errorBody(
  status: number,
  shape: ErrorShape,
  message?: string,
  code?: string | number | null,
  param: string | null = null
): ErrorBody {
  const d = errorDefaults[status] ?? {
    message: reason(status),
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: reason(status).toLowerCase().replace(/\W+/g, '_')
  }
  const msg = message ?? d.message
  const json = 'application/json; charset=utf-8'
  switch (shape) {
    case 'openai':
      return {
        contentType: json,
        body: JSON.stringify({ error: { message: msg, type: d.type, param, code: code === undefined ? d.code : code } })
      }
    case 'string':
      return { contentType: json, body: JSON.stringify({ error: msg }) }
    case 'error-and-message':
      return { contentType: json, body: JSON.stringify({ error: reason(status), message: msg }) }
    case 'anthropic':
      return {
        contentType: json,
        body: JSON.stringify({ type: 'error', error: { type: anthropicTypes[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message: msg } })
      }
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', body: msg }
    case 'html': {
      const title = `${status} ${reason(status)}`
      return {
        contentType: 'text/html; charset=utf-8',
        body:
          `<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>${title}</title></head>\n<body>\n` +
          `<center><h1>${title}</h1></center>\n<p>${escapeHtml(msg)}</p>\n<hr><center>nginx</center>\n</body>\n</html>\n`
      }
    }
  }
}

export async function sendError(
  reply: Reply,
  status: number,
  shape: ErrorShape,
  message?: string,
  extra: { code?: string | number | null; param?: string | null; headers?: OutgoingHttpHeaders } = {}
): Promise<void> {
  const { contentType, body } = errorBody(status, shape, message, extra.code, extra.param)
  await reply.send(status, { 'content-type': contentType, ...extra.headers }, body)
}

export async function sendJson(reply: Reply, status: number, value: unknown, headers: OutgoingHttpHeaders = {}): Promise<void> {
  await reply.send(status, { 'content-type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(value))
}

export const sseHeaders: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no'
}

export function sse(value: unknown): string {
  return `data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`
}
