import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32, deflateSync } from 'node:zlib'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AttachmentStore, displayName, isAttachmentId } from '../../src/main/services/attachments'
import type { Attachment } from '../../src/shared/contract'
import { AppError } from '../../src/shared/errors'
import { tree } from '../support/file-tree'

const roots: string[] = []

function tempDir(prefix = 'skyport-attach-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  roots.push(dir)
  return dir
}

function makeStore(options: { maxLongSide?: number; maxInputBytes?: number; maxInputPixels?: number } = {}) {
  const root = tempDir()
  const mediaDir = join(root, 'media')
  return { root, mediaDir, dir: join(mediaDir, 'attachments'), store: new AttachmentStore({ mediaDir, ...options }) }
}


async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    return error as AppError
  }
  throw new Error('expected a rejection')
}

async function pixelAt(data: Buffer, x: number, y: number): Promise<number[]> {
  const { data: raw, info } = await sharp(data).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const at = (y * info.width + x) * info.channels
  return Array.from(raw.subarray(at, at + 3))
}

function isClose(actual: number[], expected: number[], tolerance = 40): boolean {
  return actual.every((value, i) => Math.abs(value - (expected[i] ?? 0)) <= tolerance)
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** A valid 20000 × 20000 one-bit PNG: about 50 KB on disk, 400 megapixels once decoded. */
function decompressionBomb(): Buffer {
  const side = 20_000
  const header = Buffer.alloc(13)
  header.writeUInt32BE(side, 0)
  header.writeUInt32BE(side, 4)
  header.set([1, 0, 0, 0, 0], 8) // 1 bit, greyscale
  const scanlines = Buffer.alloc(side * (1 + side / 8))
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(scanlines, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))])
}

const SECRET = 'Jane Secret'
const RED = [255, 0, 0]
const BLUE = [0, 0, 255]

const fixtures = {} as {
  photo: Buffer // 4000 × 3000 JPEG, orientation 6, EXIF with GPS, XMP
  alphaPng: Buffer
  opaqueRgbaPng: Buffer
  noisyPng: Buffer
  tinyGif: Buffer
  animatedGif: Buffer
  webp: Buffer
  alphaWebp: Buffer
  avif: Buffer
  tiff: Buffer
}

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

beforeAll(async () => {
  // Stored red on the left and blue on the right; orientation 6 turns it a quarter clockwise, so red shows on top.
  const blueHalf = await sharp({ create: { width: 2000, height: 3000, channels: 3, background: '#0000ff' } }).png().toBuffer()
  fixtures.photo = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#ff0000' } })
    .composite([{ input: blueHalf, left: 2000, top: 0 }])
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Copyright: SECRET, Make: 'PhoneCo', Model: 'Phone 9' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1', GPSMapDatum: 'WGS-84' }
    })
    .withXmp(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${SECRET}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`)
    .toBuffer()

  fixtures.alphaPng = await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 128, b: 0, alpha: 0.5 } } })
    .png()
    .toBuffer()
  fixtures.opaqueRgbaPng = await sharp({ create: { width: 320, height: 240, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 1 } } })
    .png()
    .toBuffer()
  fixtures.noisyPng = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .png({ compressionLevel: 1 })
    .toBuffer()
  fixtures.tinyGif = await sharp({ create: { width: 16, height: 12, channels: 3, background: '#00ff00' } }).gif().toBuffer()
  const frame = (colour: string) => sharp({ create: { width: 40, height: 30, channels: 3, background: colour } }).png().toBuffer()
  fixtures.animatedGif = await sharp([await frame('#ff0000'), await frame('#00ff00'), await frame('#0000ff')], { join: { animated: true } })
    .gif()
    .toBuffer()
  fixtures.webp = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#336699' } }).webp().toBuffer()
  fixtures.alphaWebp = await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.25 } } })
    .webp()
    .toBuffer()
  fixtures.avif = await sharp({ create: { width: 96, height: 64, channels: 3, background: '#ff0000' } }).avif().toBuffer()
  fixtures.tiff = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#ff0000' } }).tiff().toBuffer()
})

describe('AttachmentStore.add', () => {
  it('orients, scales down and strips every bit of metadata from a camera photo', async () => {
    const source = await sharp(fixtures.photo).metadata()
    expect(source.orientation).toBe(6)
    expect(source.exif?.includes(SECRET)).toBe(true)
    expect(source.exif?.includes('WGS-84')).toBe(true) // the GPS block really is there

    const { store, dir } = makeStore()
    const attachment = await store.add({ name: 'IMG_0001.JPG', mime: 'image/jpeg', data: fixtures.photo })
    expect(attachment).toMatchObject({ kind: 'image', mime: 'image/jpeg', width: 1536, height: 2048, name: 'IMG_0001.JPG' })
    expect(isAttachmentId(attachment.id)).toBe(true)
    expect(attachment.url).toBe(`/media/attachments/${attachment.id}.jpg`)

    const stored = readFileSync(join(dir, `${attachment.id}.jpg`))
    expect(attachment.bytes).toBe(stored.length)
    const meta = await sharp(stored).metadata()
    expect(meta).toMatchObject({ format: 'jpeg', width: 1536, height: 2048 })
    expect(meta.orientation).toBeUndefined()
    expect(meta.exif).toBeUndefined()
    expect(meta.xmp).toBeUndefined()
    expect(meta.iptc).toBeUndefined()
    for (const marker of ['Exif\0\0', SECRET, 'WGS-84', 'PhoneCo', 'xmpmeta']) expect(stored.includes(marker)).toBe(false)

    // Red was on the left of the stored pixels; shown upright it is on top.
    expect(isClose(await pixelAt(stored, 768, 200), RED)).toBe(true)
    expect(isClose(await pixelAt(stored, 768, 1850), BLUE)).toBe(true)
  })

  it('keeps a transparent PNG as PNG with its alpha, and never scales up', async () => {
    const { store, dir } = makeStore()
    const attachment = await store.add({ name: 'logo.png', mime: 'image/png', data: fixtures.alphaPng })
    expect(attachment).toMatchObject({ mime: 'image/png', width: 300, height: 200 })
    expect(attachment.url.endsWith('.png')).toBe(true)
    const stored = readFileSync(join(dir, `${attachment.id}.png`))
    const meta = await sharp(stored).metadata()
    expect(meta).toMatchObject({ format: 'png', width: 300, height: 200, hasAlpha: true })
    const { data } = await sharp(stored).raw().toBuffer({ resolveWithObject: true })
    expect(Math.abs((data[3] ?? 0) - 128)).toBeLessThanOrEqual(1)
  })

  it('keeps a small opaque PNG as PNG and drops its unused alpha channel', async () => {
    const { store, dir } = makeStore()
    const attachment = await store.add({ name: 'shot.png', mime: 'image/png', data: fixtures.opaqueRgbaPng })
    expect(attachment).toMatchObject({ mime: 'image/png', width: 320, height: 240 })
    const meta = await sharp(readFileSync(join(dir, `${attachment.id}.png`))).metadata()
    expect(meta.hasAlpha).toBe(false)
  })

  it('turns a big photo-like PNG into a JPEG', async () => {
    const { store } = makeStore()
    const attachment = await store.add({ name: 'render.png', mime: 'image/png', data: fixtures.noisyPng })
    expect(attachment).toMatchObject({ mime: 'image/jpeg', width: 2048, height: 1365 })
    expect(attachment.url.endsWith('.jpg')).toBe(true)
  })

  it('honours a smaller maxLongSide', async () => {
    const { store } = makeStore({ maxLongSide: 100 })
    expect(await store.add({ name: 'w.webp', mime: 'image/webp', data: fixtures.webp })).toMatchObject({ width: 100, height: 75 })
  })

  it('accepts GIF (first frame), WebP and AVIF', async () => {
    const { store, dir } = makeStore()
    expect(await store.add({ name: 'tiny.gif', mime: 'image/gif', data: fixtures.tinyGif })).toMatchObject({ mime: 'image/png', width: 16, height: 12 })

    const animated = await store.add({ name: 'anim.gif', mime: 'image/gif', data: fixtures.animatedGif })
    expect(animated).toMatchObject({ mime: 'image/png', width: 40, height: 30 })
    expect(isClose(await pixelAt(readFileSync(join(dir, `${animated.id}.png`)), 20, 15), RED, 10)).toBe(true)

    expect(await store.add({ name: 'photo.webp', mime: 'image/webp', data: fixtures.webp })).toMatchObject({ mime: 'image/jpeg', width: 640, height: 480 })
    expect(await store.add({ name: 'sticker.webp', mime: 'image/webp', data: fixtures.alphaWebp })).toMatchObject({ mime: 'image/png', width: 64, height: 64 })
    expect(await store.add({ name: 'x.avif', mime: 'image/avif', data: fixtures.avif })).toMatchObject({ mime: 'image/jpeg', width: 96, height: 64 })
  })

  it('converts a wide-gamut photo to sRGB instead of dropping its profile blindly', async () => {
    const p3 = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#00ff00' } }).jpeg({ quality: 100 }).withIccProfile('p3').toBuffer()
    const { store, dir } = makeStore()
    const attachment = await store.add({ name: 'p3.jpg', mime: 'image/jpeg', data: p3 })
    const stored = readFileSync(join(dir, `${attachment.id}.jpg`))
    expect((await sharp(stored).metadata()).hasProfile).toBe(false)
    expect(isClose(await pixelAt(stored, 32, 32), [0, 255, 0], 12)).toBe(true)
  })

  it('ignores the declared type and name extension', async () => {
    const { store } = makeStore()
    const attachment = await store.add({ name: 'looks-like.txt', mime: 'text/plain', data: fixtures.alphaPng })
    expect(attachment).toMatchObject({ mime: 'image/png', name: 'looks-like.txt' })
  })

  it('writes only an image and its sidecar, inside mediaDir/attachments, with plain file permissions', async () => {
    const { store, root } = makeStore()
    const first = await store.add({ name: '../../../etc/passwd', mime: 'image/png', data: fixtures.alphaPng })
    const second = await store.add({ name: '/tmp/evil.jpg', mime: 'image/jpeg', data: fixtures.webp })
    expect(first.name).toBe('passwd')
    expect(second.name).toBe('evil.jpg')
    expect(tree(root)).toEqual(
      [`media/attachments/${first.id}.png`, `media/attachments/${first.id}.json`, `media/attachments/${second.id}.jpg`, `media/attachments/${second.id}.json`].sort()
    )
    if (process.platform !== 'win32') {
      const mode = statSync(join(root, 'media/attachments', `${first.id}.png`)).mode & 0o777
      expect(mode & 0o600).toBe(0o600)
      expect(mode & 0o133).toBe(0) // nobody else writes, nobody executes
    }
  })

  it('stores many images at once without collisions or leftovers', async () => {
    const { store, dir } = makeStore()
    const inputs = Array.from({ length: 12 }, (_, i) => ({
      name: `file-${i}`,
      mime: 'image/png',
      data: [fixtures.alphaPng, fixtures.webp, fixtures.tinyGif, fixtures.opaqueRgbaPng][i % 4] as Buffer
    }))
    const results = await Promise.all(inputs.map((input) => store.add(input)))
    expect(new Set(results.map((r) => r.id)).size).toBe(12)
    expect(results.map((r) => r.name)).toEqual(inputs.map((input) => input.name))
    const files = tree(dir)
    expect(files).toHaveLength(24)
    expect(files.some((file) => file.endsWith('.tmp'))).toBe(false)
    for (const result of results) expect(await store.get(result.id)).toEqual(result)
  })
})

describe('AttachmentStore refuses hostile input', () => {
  const svg = Buffer.from(
    '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>'
  )
  const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

  const cases: Array<[string, () => Buffer, RegExp]> = [
    ['an SVG with a script, named .png', () => svg, /SVG images cannot be attached/],
    ['an SVG without an XML prolog', () => svg.subarray(svg.indexOf('<svg')), /SVG images cannot be attached/],
    ['a text file renamed .png', () => Buffer.from('Dear diary,\nthis is not an image.\n'), /not a supported image/],
    ['a PDF', () => Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n'), /PDF files cannot be attached/],
    ['a TIFF', () => fixtures.tiff, /not a supported image/],
    ['a truncated PNG', () => fixtures.noisyPng.subarray(0, Math.floor(fixtures.noisyPng.length * 0.6)), /PNG image is damaged/],
    ['a PNG signature followed by garbage', () => Buffer.concat([pngSignature, Buffer.alloc(4096, 0x41)]), /PNG image is damaged/],
    ['a PNG signature alone', () => pngSignature, /PNG image is damaged/],
    ['a JPEG marker followed by garbage', () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 0x5a)]), /JPEG image is damaged/],
    ['a GIF header hiding a script', () => Buffer.from('GIF89a<script>alert(1)</script>'), /GIF image is damaged/],
    ['a truncated JPEG', () => fixtures.photo.subarray(0, Math.floor(fixtures.photo.length / 2)), /JPEG image is damaged/],
    ['a decompression bomb', decompressionBomb, /too large to open safely: 20000 × 20000 pixels \(the limit is 100 megapixels\)/],
    ['an empty buffer', () => Buffer.alloc(0), /empty/]
  ]

  it.each(cases)('refuses %s and writes nothing', async (_label, make, message) => {
    const { store, root } = makeStore()
    const error = await rejection(store.add({ name: 'innocent.png', mime: 'image/png', data: make() }))
    expect(error.code).toBe('invalid_argument')
    expect(error.message).toMatch(message)
    expect(tree(root)).toEqual([])
  })

  it('refuses input over the byte limit before decoding it', async () => {
    const { store, root } = makeStore()
    const started = performance.now()
    const error = await rejection(store.add({ name: 'huge.png', mime: 'image/png', data: Buffer.alloc(25 * 1024 * 1024 + 1) }))
    expect(performance.now() - started).toBeLessThan(1000)
    expect(error).toMatchObject({ code: 'invalid_argument', message: 'The image is larger than 25 MB, the most that can be attached.' })

    const small = makeStore({ maxInputBytes: 10 * 1024 })
    const tooBig = await rejection(small.store.add({ name: 'a.jpg', mime: 'image/jpeg', data: fixtures.photo }))
    expect(tooBig.message).toBe('The image is larger than 10 KB, the most that can be attached.')
    expect(tree(root)).toEqual([])
    expect(tree(small.root)).toEqual([])
  })

  it('refuses images over a lowered pixel limit', async () => {
    const { store, root } = makeStore({ maxInputPixels: 1_000_000 })
    const error = await rejection(store.add({ name: 'p.jpg', mime: 'image/jpeg', data: fixtures.photo }))
    expect(error.message).toBe('The image is too large to open safely: 4000 × 3000 pixels (the limit is 1 megapixels).')
    expect(tree(root)).toEqual([])
  })

  it('refuses a missing or malformed data field', async () => {
    const { store } = makeStore()
    const error = await rejection(store.add({ name: 'x', mime: 'image/png', data: 'iVBORw0KGgo=' as unknown as Buffer }))
    expect(error).toMatchObject({ code: 'invalid_argument', message: 'No image data was given.' })
  })
})

describe('AttachmentStore.get, toDataUrl and remove', () => {
  it('round-trips through a new store, keeping the sanitised original name', async () => {
    const { store, mediaDir } = makeStore()
    const name = 'C:\\Users\\me\\Pictures\\holiday\u0007 \u202egnp.exe\n.png'
    const added = await store.add({ name, mime: 'image/png', data: fixtures.alphaPng })
    expect(added.name).toBe('holiday gnp.exe.png')
    const reopened = new AttachmentStore({ mediaDir })
    expect(await reopened.get(added.id)).toEqual(added)
  })

  it('returns a data URL holding exactly the stored bytes, whatever the caller claims', async () => {
    const { store, dir } = makeStore()
    const added = await store.add({ name: 'photo.jpg', mime: 'image/jpeg', data: fixtures.photo })
    const stored = readFileSync(join(dir, `${added.id}.jpg`))

    const url = await store.toDataUrl(added)
    expect(url.startsWith('data:image/jpeg;base64,')).toBe(true)
    expect(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').equals(stored)).toBe(true)
    expect(await store.toDataUrl(added.id)).toBe(url)

    const forged: Attachment = { ...added, url: '/media/../../etc/passwd', mime: 'text/html' }
    expect(await store.toDataUrl(forged)).toBe(url)
  })

  it('removes the image and its sidecar', async () => {
    const { store, root } = makeStore()
    const keep = await store.add({ name: 'keep.png', mime: 'image/png', data: fixtures.alphaPng })
    const drop = await store.add({ name: 'drop.png', mime: 'image/png', data: fixtures.alphaPng })
    expect(await store.remove(drop.id)).toBe(true)
    expect(await store.remove(drop.id)).toBe(false)
    expect((await rejection(store.get(drop.id))).code).toBe('not_found')
    expect((await rejection(store.toDataUrl(drop))).code).toBe('not_found')
    expect(tree(root)).toEqual([`media/attachments/${keep.id}.json`, `media/attachments/${keep.id}.png`])
  })

  it('reports an unknown id as not found', async () => {
    const { store } = makeStore()
    const error = await rejection(store.get('0b6c1f55-3c1e-4a58-9d3f-6a1f1c2e3d4b'))
    expect(error.code).toBe('not_found')
  })

  it('treats an image without its sidecar, or a sidecar without its image, as missing', async () => {
    const { store, dir } = makeStore()
    const a = await store.add({ name: 'a.png', mime: 'image/png', data: fixtures.alphaPng })
    const b = await store.add({ name: 'b.png', mime: 'image/png', data: fixtures.alphaPng })
    rmSync(join(dir, `${a.id}.json`))
    rmSync(join(dir, `${b.id}.png`))
    expect((await rejection(store.get(a.id))).code).toBe('not_found')
    expect((await rejection(store.get(b.id))).code).toBe('not_found')
  })

  it('does not let an edited sidecar point at another file', async () => {
    const { store, dir } = makeStore()
    const added = await store.add({ name: 'a.png', mime: 'image/png', data: fixtures.alphaPng })
    const sidecar = join(dir, `${added.id}.json`)
    const record = JSON.parse(readFileSync(sidecar, 'utf8')) as Record<string, unknown>
    for (const ext of ['../../../etc/passwd', 'json', 'svg', 'toString']) {
      writeFileSync(sidecar, JSON.stringify({ ...record, ext }))
      expect(await rejection(store.get(added.id))).toMatchObject({ code: 'not_found', message: expect.stringMatching(/damaged/) })
    }
    writeFileSync(sidecar, '{ not json')
    expect((await rejection(store.get(added.id))).code).toBe('not_found')
  })

  const hostileIds = [
    '../x',
    '..',
    '/etc/passwd',
    'C:\\Windows\\win.ini',
    '%2e%2e',
    '%2e%2e%2fx',
    '..%2f..%2fetc%2fpasswd',
    '0b6c1f55-3c1e-4a58-9d3f-6a1f1c2e3d4b/../0b6c1f55-3c1e-4a58-9d3f-6a1f1c2e3d4b',
    '0b6c1f55-3c1e-4a58-9d3f-6a1f1c2e3d4b.json',
    '0B6C1F55-3C1E-4A58-9D3F-6A1F1C2E3D4B',
    '0b6c1f55-3c1e-4a58-9d3f-6a1f1c2e3d4b\0',
    ' 0b6c1f55-3c1e-4a58-9d3f-6a1f1c2e3d4b',
    ''
  ]

  it.each(hostileIds)('refuses the id %j everywhere', async (id) => {
    const { store } = makeStore()
    for (const attempt of [store.get(id), store.remove(id), store.toDataUrl(id), store.toDataUrl({ id } as Attachment)]) {
      expect(await rejection(attempt)).toMatchObject({ code: 'invalid_argument', message: 'The attachment id is not valid.' })
    }
  })

  it('refuses ids that are not strings', async () => {
    const { store } = makeStore()
    for (const id of [undefined, null, 42, {}, ['x']]) {
      expect((await rejection(store.get(id as unknown as string))).code).toBe('invalid_argument')
    }
  })
})

describe('AttachmentStore.addFromFile', () => {
  it('stores a file under its base name', async () => {
    const { store, root } = makeStore()
    const source = join(tempDir('skyport-src-'), 'Screenshot 2025.png')
    writeFileSync(source, fixtures.alphaPng)
    const attachment = await store.add({ name: source, mime: '', data: fixtures.alphaPng })
    const fromFile = await store.addFromFile(source)
    expect(fromFile).toMatchObject({ name: 'Screenshot 2025.png', mime: 'image/png', width: 300, height: 200, bytes: attachment.bytes })
    expect(tree(root)).toHaveLength(4)
  })

  it('checks the size from stat before reading', async () => {
    const { store, root } = makeStore({ maxInputBytes: 1000 })
    const source = join(tempDir('skyport-src-'), 'big.jpg')
    writeFileSync(source, fixtures.photo)
    expect(await rejection(store.addFromFile(source))).toMatchObject({ code: 'invalid_argument', message: 'The image is larger than 1000 bytes, the most that can be attached.' })
    expect(tree(root)).toEqual([])
  })

  it('refuses missing files, folders and non-images', async () => {
    const { store, root } = makeStore()
    const folder = tempDir('skyport-src-')
    expect((await rejection(store.addFromFile(join(folder, 'missing.png')))).code).toBe('not_found')
    mkdirSync(join(folder, 'sub.png'))
    expect(await rejection(store.addFromFile(join(folder, 'sub.png')))).toMatchObject({ code: 'invalid_argument', message: 'Only files can be attached.' })
    writeFileSync(join(folder, 'notes.png'), 'just text')
    expect((await rejection(store.addFromFile(join(folder, 'notes.png')))).message).toMatch(/not a supported image/)
    writeFileSync(join(folder, 'empty.png'), '')
    expect((await rejection(store.addFromFile(join(folder, 'empty.png')))).message).toBe('The file is empty.')
    expect((await rejection(store.addFromFile(''))).code).toBe('invalid_argument')
    expect(tree(root)).toEqual([])
  })
})

describe('displayName', () => {
  it('keeps a readable base name and nothing dangerous', () => {
    expect(displayName('photo.jpg')).toBe('photo.jpg')
    expect(displayName('/home/me/a b.png')).toBe('a b.png')
    expect(displayName('..\\..\\x.png')).toBe('x.png')
    expect(displayName('a\u0000b\u001b[31mc\u202e.png')).toBe('ab[31mc.png')
    expect(displayName('')).toBe('image')
    expect(displayName('..')).toBe('image')
    expect(displayName('folder/')).toBe('image')
    expect(displayName(undefined)).toBe('image')
    expect(displayName('😀'.repeat(300))).toBe('😀'.repeat(200))
    expect(Array.from(displayName('x'.repeat(1000)))).toHaveLength(200)
  })
})
