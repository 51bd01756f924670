import { describe, expect, it } from 'vitest'
import { mimeTypeFor, resolveAppUrl } from '../../src/main/services/app-protocol'

const roots = { renderer: '/app/out/renderer', media: '/home/u/.config/Skyport/media' }

describe('app:// URLs', () => {
  it('map to the renderer bundle and to media files', () => {
    expect(resolveAppUrl('app://local/index.html', roots)).toBe('/app/out/renderer/index.html')
    expect(resolveAppUrl('app://local/', roots)).toBe('/app/out/renderer/index.html')
    expect(resolveAppUrl('app://local/assets/index-abc.js', roots)).toBe('/app/out/renderer/assets/index-abc.js')
    expect(resolveAppUrl('app://local/media/images/a%20b.png', roots)).toBe('/home/u/.config/Skyport/media/images/a b.png')
  })

  it.each([
    'app://local/../../etc/passwd',
    'app://local/%2e%2e/%2e%2e/etc/passwd',
    'app://local/media/%2e%2e/settings.json',
    'app://local/media/..%2f..%2fapi-key.bin',
    'app://local/..%2f..%2f..%2fetc/passwd'
  ])('never leave their root: %s', (url) => {
    const file = resolveAppUrl(url, roots)
    // The URL parser folds plain dot segments; encoded slashes reach our check.
    expect(file === null || file.startsWith(`${roots.renderer}/`)).toBe(true)
    expect(file ?? '').not.toMatch(/^\/etc|Skyport\/(settings|api-key)/)
  })

  it('refuse encoded climbs out of the media folder', () => {
    expect(resolveAppUrl('app://local/media/..%2f..%2fapi-key.bin', roots)).toBeNull()
    expect(resolveAppUrl('app://local/media/..%2fsettings.json', roots)).toBeNull()
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

  it('serve the right content types', () => {
    expect(mimeTypeFor('a/b.MP3')).toBe('audio/mpeg')
    expect(mimeTypeFor('x.png')).toBe('image/png')
    expect(mimeTypeFor('x.unknown')).toBe('application/octet-stream')
  })
})
