/**
 * The `app://local/` protocol: the renderer bundle and local media, served
 * from disk with the CSP attached. Loading from a custom protocol instead of
 * file:// gives the renderer a real origin that CSP 'self' can name and that
 * cannot read arbitrary files.
 */
import { net, protocol } from 'electron'
import { pathToFileURL } from 'node:url'
import { CONTENT_SECURITY_POLICY } from '../../shared/csp'
import { APP_SCHEME, resolveServedFile, type ProtocolRoots } from '../services/app-protocol'

/** Must run before the app is ready. */
export function registerAppSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } }
  ])
}

/** Audio main relays (a song still generating), by path; null when there is none. */
export type LiveAudio = (pathname: string, signal: AbortSignal) => Promise<Response | null>

export function handleAppProtocol(roots: ProtocolRoots, live?: LiveAudio): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (live && new URL(request.url).pathname.startsWith('/live/')) {
      const relayed = await live(new URL(request.url).pathname, request.signal).catch(() => null)
      if (!relayed) return new Response('Not found', { status: 404 })
      relayed.headers.set('content-security-policy', CONTENT_SECURITY_POLICY)
      relayed.headers.set('x-content-type-options', 'nosniff')
      return relayed
    }
    // Only regular files of served types whose real path stays inside their root.
    const file = await resolveServedFile(request.url, roots)
    if (!file) return new Response('Not found', { status: 404 })
    // net.fetch on a file URL streams it and honours Range (audio seeking).
    const response = await net.fetch(pathToFileURL(file.path).toString(), { headers: request.headers })
    if (!response.ok && response.status !== 206) return new Response('Not found', { status: 404 })
    const headers = new Headers(response.headers)
    headers.set('content-type', file.contentType)
    headers.set('content-security-policy', CONTENT_SECURITY_POLICY)
    headers.set('x-content-type-options', 'nosniff')
    return new Response(response.body, { status: response.status, headers })
  })
}
