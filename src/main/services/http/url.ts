/**
 * Building request URLs from the configured base URL.
 *
 * The rule: paths are written from the server root, API version included
 * (`/v1/models`, `/check`, `/imagine`). A base URL may point at the root
 * (`https://api.airforce`) or at the versioned API (`http://localhost:8080/v1`,
 * `https://openrouter.ai/api/v1`); one trailing `/v1` and any trailing slashes
 * are dropped from it first, so `/v1` is never doubled and root paths such as
 * `/check` land next to `/v1`, not under it. A path that is already an
 * absolute http(s) URL (a media link the server handed out) is used as is.
 */
import { AppError } from '../../../shared/errors'

export type QueryValue = string | number | boolean | null | undefined
export type Query = Record<string, QueryValue>

/** The base URL without trailing slashes and without one trailing `/v1`. */
export function apiRoot(baseUrl: string): URL {
  let text = baseUrl.trim()
  // People paste "api.airforce" or "host:8080" without a scheme; "mailto:x" has one.
  const hasScheme = /^[a-z][a-z0-9+.-]*:(?!\d)/i.test(text)
  if (text !== '' && !hasScheme) text = `https://${text}`
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new AppError('invalid_argument', 'The base URL is not a valid http(s) URL.')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('invalid_argument', 'The base URL must start with http:// or https://.')
  }
  url.search = ''
  url.hash = ''
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/v1$/i, '')
  return url
}

export function buildUrl(baseUrl: string, path: string, query?: Query): URL {
  let url: URL
  if (/^https?:\/\//i.test(path)) {
    url = new URL(path)
  } else {
    const root = apiRoot(baseUrl)
    const [pathname = '', search = ''] = path.split('?', 2)
    url = new URL(root.href)
    url.pathname = `${root.pathname.replace(/\/+$/, '')}/${pathname.replace(/^\/+/, '')}`
    url.search = search
  }
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) url.searchParams.append(name, String(value))
  }
  return url
}
