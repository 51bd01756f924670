import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp'
import { mimeTypeFor, realFileInside, resolveAppUrl, resolveServedFile, type ProtocolRoots } from '../../src/main/services/app-protocol'

// The shell's handler runs with `electron` replaced: protocol.handle keeps the
// handler, net.fetch records what it was asked for (the handler's checks run for real).
const electron = vi.hoisted(() => ({
  handler: null as ((request: Request) => Promise<Response>) | null,
  fetched: [] as { url: string; range: string | null }[]
}))

vi.mock('electron', () => ({
  protocol: {
    registerSchemesAsPrivileged: vi.fn(),
    handle: (_scheme: string, handler: (request: Request) => Promise<Response>) => void (electron.handler = handler)
  },
  net: {
    fetch: async (url: string, init: { headers: Headers }) => {
      const range = new Headers(init.headers).get('range')
      electron.fetched.push({ url, range })
      return new Response('bytes', { status: range ? 206 : 200, headers: { 'content-type': 'text/html', 'accept-ranges': 'bytes' } })
    }
  }
}))

const { handleAppProtocol } = await import('../../src/main/shell/protocol')

const roots = { renderer: '/app/out/renderer', media: '/home/u/.config/Skyport/media' }

describe('app:// URLs', () => {
  it('map to the renderer bundle and to media files', () => {
    expect(resolveAppUrl('app://local/index.html', roots)).toEqual({ root: roots.renderer, path: '/app/out/renderer/index.html', contentType: 'text/html; charset=utf-8' })
    expect(resolveAppUrl('app://local/', roots)?.path).toBe('/app/out/renderer/index.html')
    expect(resolveAppUrl('app://local/assets/index-abc.js', roots)?.path).toBe('/app/out/renderer/assets/index-abc.js')
    expect(resolveAppUrl('app://local/media/images/a%20b.png', roots)).toEqual({
      root: roots.media,
      path: '/home/u/.config/Skyport/media/images/a b.png',
      contentType: 'image/png'
    })
  })

  it.each([
    'app://local/../../etc/passwd',
    'app://local/%2e%2e/%2e%2e/etc/passwd',
    'app://local/media/%2e%2e/settings.json',
    'app://local/media/..%2f..%2fapi-key.bin',
    'app://local/..%2f..%2f..%2fetc/passwd'
  ])('never leave their root: %s', (url) => {
    const file = resolveAppUrl(url, roots)?.path ?? null
    // The URL parser folds plain dot segments; encoded slashes reach our check.
    expect(file === null || file.startsWith(`${roots.renderer}/`)).toBe(true)
    expect(file ?? '').not.toMatch(/^\/etc|Skyport\/(settings|api-key)/)
  })

  it('refuse encoded climbs out of the media folder', () => {
    expect(resolveAppUrl('app://local/media/..%2f..%2fapi-key.bin', roots)).toBeNull()
    expect(resolveAppUrl('app://local/media/..%2fsettings.json', roots)).toBeNull()
    expect(resolveAppUrl('app://local/media/..%2f..%2fcover.png', roots)).toBeNull()
  })

  it.each([
    'app://local/assets/%00.js',
    'app://other/index.html',
    'https://local/index.html',
    'app://local/%E0%A4%A',
    'not a url'
  ])('refuse %s', (url) => {
    expect(resolveAppUrl(url, roots)).toBeNull()
  })

  it.each([
    ['png', 'image/png'],
    ['jpg', 'image/jpeg'],
    ['jpeg', 'image/jpeg'],
    ['webp', 'image/webp'],
    ['gif', 'image/gif'],
    ['avif', 'image/avif'],
    ['mp3', 'audio/mpeg'],
    ['m4a', 'audio/mp4'],
    ['aac', 'audio/aac'],
    ['wav', 'audio/wav'],
    ['ogg', 'audio/ogg'],
    ['opus', 'audio/ogg'],
    ['flac', 'audio/flac'],
    ['mp4', 'video/mp4'],
    ['webm', 'video/webm'],
    ['MP3', 'audio/mpeg']
  ])('serve .%s from the media folder as %s', (ext, type) => {
    expect(resolveAppUrl(`app://local/media/songs/a.${ext}`, roots)?.contentType).toBe(type)
  })

  it.each(['x.html', 'x.htm', 'x.js', 'x.mjs', 'x.svg', 'x.SVG', 'x.json', 'x.css', 'x.xml', 'x.pdf', 'x', 'images/', 'x.png/', 'attachments/abc.json'])(
    'never serve media/%s',
    (name) => {
      expect(resolveAppUrl(`app://local/media/${name}`, roots)).toBeNull()
    }
  )

  it('keep serving the renderer bundle its own types', () => {
    expect(resolveAppUrl('app://local/assets/logo.svg', roots)?.contentType).toBe('image/svg+xml')
    expect(resolveAppUrl('app://local/assets/index.css', roots)?.contentType).toBe('text/css; charset=utf-8')
    expect(resolveAppUrl('app://local/assets/KaTeX_Main-Regular.woff2', roots)?.contentType).toBe('font/woff2')
  })

  it('serve the right content types', () => {
    expect(mimeTypeFor('a/b.MP3')).toBe('audio/mpeg')
    expect(mimeTypeFor('x.png')).toBe('image/png')
    expect(mimeTypeFor('x.unknown')).toBe('application/octet-stream')
  })
})

/**
 * A user-data folder on disk:
 *   settings.json, secret.png        outside media/
 *   media/images/a.png               a real image
 *   media/images/inner.png -> a.png  a link that stays inside
 *   media/leak.png -> ../secret.png  a link out of media/
 *   media/settings.png -> ../settings.json
 *   media/up -> ..                   a folder link out of media/
 *   media/folder.png/                a folder with an image's name
 *   media/page.html, media/icon.svg  types never served from media/
 *   linked-media -> media            media/ reached through a link (the root itself)
 *   renderer/index.html, renderer/assets/
 */
let dir: string
let disk: ProtocolRoots

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'app-protocol-')))
  const userData = join(dir, 'user-data')
  const media = join(userData, 'media')
  mkdirSync(join(media, 'images'), { recursive: true })
  mkdirSync(join(media, 'folder.png'))
  mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true })
  writeFileSync(join(userData, 'settings.json'), '{"apiKey":"secret"}')
  writeFileSync(join(userData, 'secret.png'), 'not for the window')
  writeFileSync(join(media, 'images', 'a.png'), 'png')
  writeFileSync(join(media, 'song.mp3'), 'mp3')
  writeFileSync(join(media, 'page.html'), '<script>api.settings.get()</script>')
  writeFileSync(join(media, 'icon.svg'), '<svg onload="api.settings.get()"/>')
  symlinkSync('a.png', join(media, 'images', 'inner.png'))
  symlinkSync('../secret.png', join(media, 'leak.png'))
  symlinkSync('../settings.json', join(media, 'settings.png'))
  symlinkSync('..', join(media, 'up'))
  symlinkSync('media', join(userData, 'linked-media'))
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html>')
  disk = { renderer: join(dir, 'renderer'), media }
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('real paths', () => {
  it('accept regular files inside the root, through links that stay inside', async () => {
    expect(await realFileInside(disk.media, join(disk.media, 'images', 'a.png'))).toBe(join(disk.media, 'images', 'a.png'))
    expect(await realFileInside(disk.media, join(disk.media, 'images', 'inner.png'))).toBe(join(disk.media, 'images', 'a.png'))
  })

  it('refuse links that point out of the root, folders and missing files', async () => {
    expect(await realFileInside(disk.media, join(disk.media, 'leak.png'))).toBeNull()
    expect(await realFileInside(disk.media, join(disk.media, 'settings.png'))).toBeNull()
    expect(await realFileInside(disk.media, join(disk.media, 'up', 'secret.png'))).toBeNull()
    expect(await realFileInside(disk.media, join(disk.media, 'folder.png'))).toBeNull()
    expect(await realFileInside(disk.media, join(disk.media, 'images'))).toBeNull()
    expect(await realFileInside(disk.media, join(disk.media, 'missing.png'))).toBeNull()
  })

  it('compare against the real path of the root too', async () => {
    const linkedRoot = join(dir, 'user-data', 'linked-media')
    expect(await realFileInside(linkedRoot, join(linkedRoot, 'images', 'a.png'))).toBe(join(disk.media, 'images', 'a.png'))
    expect(await realFileInside(linkedRoot, join(linkedRoot, 'leak.png'))).toBeNull()
  })

  it('serve files by URL only when the URL and the disk both allow it', async () => {
    expect(await resolveServedFile('app://local/media/images/inner.png', disk)).toEqual({
      root: disk.media,
      path: join(disk.media, 'images', 'a.png'),
      contentType: 'image/png'
    })
    expect((await resolveServedFile('app://local/', disk))?.path).toBe(join(disk.renderer, 'index.html'))
    for (const url of [
      'app://local/media/leak.png',
      'app://local/media/settings.png',
      'app://local/media/up/secret.png',
      'app://local/media/up/settings.json',
      'app://local/media/folder.png',
      'app://local/media/page.html',
      'app://local/media/icon.svg',
      'app://local/assets',
      'app://local/assets/'
    ]) {
      expect(await resolveServedFile(url, disk), url).toBeNull()
    }
  })
})

describe('the shell protocol handler', () => {
  beforeEach(() => {
    electron.fetched.length = 0
    handleAppProtocol(disk)
  })

  async function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    expect(electron.handler).not.toBeNull()
    return electron.handler!(new Request(url, { headers }))
  }

  it.each([
    ['a link to a file outside media/', 'app://local/media/leak.png'],
    ['a link to settings.json', 'app://local/media/settings.png'],
    ['a folder link out of media/', 'app://local/media/up/secret.png'],
    ['a page in media/', 'app://local/media/page.html'],
    ['an SVG in media/', 'app://local/media/icon.svg'],
    ['a folder with an image name', 'app://local/media/folder.png'],
    ['a renderer folder', 'app://local/assets/']
  ])('answers 404 for %s without reading it', async (_what, url) => {
    const response = await get(url)
    expect(response.status).toBe(404)
    expect(electron.fetched).toEqual([])
  })

  it('streams media from its real path with its type, the CSP, and Range passed on', async () => {
    const response = await get('app://local/media/song.mp3', { range: 'bytes=0-1' })
    expect(electron.fetched).toEqual([{ url: pathToFileURL(join(disk.media, 'song.mp3')).toString(), range: 'bytes=0-1' }])
    expect(response.status).toBe(206)
    expect(response.headers.get('content-type')).toBe('audio/mpeg')
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('accept-ranges')).toBe('bytes')

    await get('app://local/media/images/inner.png')
    expect(electron.fetched.at(-1)?.url).toBe(pathToFileURL(join(disk.media, 'images', 'a.png')).toString())
  })
})
