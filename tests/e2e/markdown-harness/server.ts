/**
 * The markdown harness: harness.js (which imports the real renderer modules)
 * bundled with Vite's build() API in memory, served from a loopback HTTP
 * server with the app's Content Security Policy.
 *
 *   /          the harness page under the app's CSP
 *   /no-csp    the same page without any CSP (the sanitiser must hold alone)
 *   /bench     under the CSP, cross-origin isolated (finer performance.now())
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { CONTENT_SECURITY_POLICY } from '../../../src/shared/csp.ts'
import { bundleForBrowser } from '../../support/browser-bundle.ts'

/** Bundles harness.js once per process. */
export function buildMarkdownHarness(): Promise<string> {
  return bundleForBrowser(join(import.meta.dirname, 'harness.js'), { minify: true })
}

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <link rel="icon" href="data:," />
    <title>markdown harness</title>
    <script type="module" src="/harness.js"></script>
  </head>
  <body>
    <div id="out"></div>
  </body>
</html>
`

export interface HarnessServer {
  url: string
  /** Every request the server saw (method and path), in order. */
  requests: string[]
  close(): Promise<void>
}

export async function startMarkdownHarness(): Promise<HarnessServer> {
  const script = await buildMarkdownHarness()
  const requests: string[] = []
  const server = createServer((request: IncomingMessage, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    requests.push(`${request.method ?? 'GET'} ${url.pathname}${url.search}`)
    const isolated = url.pathname === '/bench' || url.searchParams.has('isolated')
    const headers: Record<string, string> = { 'cache-control': 'no-store' }
    if (url.pathname !== '/no-csp') headers['content-security-policy'] = CONTENT_SECURITY_POLICY
    if (isolated) {
      headers['cross-origin-opener-policy'] = 'same-origin'
      headers['cross-origin-embedder-policy'] = 'require-corp'
    }
    if (url.pathname === '/harness.js') {
      response.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' })
      response.end(script)
      return
    }
    if (url.pathname === '/' || url.pathname === '/no-csp' || url.pathname === '/bench') {
      response.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' })
      response.end(PAGE)
      return
    }
    response.writeHead(404, { 'content-type': 'text/plain' })
    response.end('Not found')
  })
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()))
    }
  }
}

/** A second loopback server the payloads point at: any hit on it means something loaded. */
export async function startTrapServer(): Promise<HarnessServer> {
  const requests: string[] = []
  const server = createServer((request, response) => {
    requests.push(`${request.method ?? 'GET'} ${request.url ?? ''}`)
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'access-control-allow-origin': '*' })
    response.end('<script>top.__xss = "trap"</script>')
  })
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()))
    }
  }
}
