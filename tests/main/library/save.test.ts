/**
 * Saving an image: what came back is checked before anything is kept, the
 * settings go into the PNG, file and thumbnails are written, then the row.
 * Any failure half way leaves nothing behind.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { bundleChildScript } from '../../support/child-script'
import { readPngHead } from '../../../src/main/services/library/png-metadata'
import { parseA1111 } from '../../../src/main/services/library/foreign-metadata'
import { imageBytes, makeLibrary, newImage, rejection, rowCount, tempFolder, tree } from './helpers'

describe('addImage', () => {
  it('keeps the image under images/YYYY/MM/<id>.png with its settings, thumbnails, colour and row', async () => {
    const { library, mediaDir, clock } = makeLibrary()
    const changes: unknown[] = []
    library.onChange((change) => changes.push(change))
    const item = await library.addImage(await newImage({ id: 'job-1', color: '#c03020' }))

    const month = String(new Date(clock.time).getMonth() + 1).padStart(2, '0')
    const path = `images/${new Date(clock.time).getFullYear()}/${month}/job-1.png`
    expect(item).toMatchObject({
      id: 'job-1',
      kind: 'image',
      path,
      url: `/media/${path}`,
      thumbUrl: '/media/thumbs/job-1-s.webp',
      largeThumbUrl: '/media/thumbs/job-1-l.webp',
      mime: 'image/png',
      width: 64,
      height: 48,
      durationMs: null,
      title: 'A lighthouse at dusk, oil painting',
      prompt: 'A lighthouse at dusk, oil painting',
      model: 'flux',
      source: 'studio',
      settings: { prompt: 'A lighthouse at dusk, oil painting', model: 'flux', size: '1:1', seed: 42, endpoint: 'imagine2' },
      starred: false,
      trashedAt: null,
      collectionIds: [],
      createdAt: clock.time
    })
    expect(item.color).toMatch(/^#[0-9a-f]{6}$/)
    // The block of red dominates the picture: the colour is reddish, not the yellow square or black.
    const [r, g, b] = [1, 3, 5].map((at) => parseInt(item.color!.slice(at, at + 2), 16))
    expect(r).toBeGreaterThan(g! + 50)
    expect(r).toBeGreaterThan(b! + 50)
    expect(tree(mediaDir)).toEqual([path, 'thumbs/job-1-l.webp', 'thumbs/job-1-s.webp'])
    expect(readFileSync(join(mediaDir, path)).length).toBe(item.bytes)
    expect(changes).toEqual([{ changed: ['job-1'], removed: [] }])

    const small = await sharp(join(mediaDir, 'thumbs/job-1-s.webp')).metadata()
    expect(small.format).toBe('webp')
    // Never enlarged: a 64 px image keeps 64 px thumbnails.
    expect([small.width, small.height]).toEqual([64, 48])
  })

  it('makes thumbnails of about 256 and 1024 px on the long side', async () => {
    const { library, mediaDir } = makeLibrary()
    const item = await library.addImage({ ...(await newImage()), bytes: await imageBytes({ width: 2048, height: 1152 }) })
    const small = await sharp(join(mediaDir, `thumbs/${item.id}-s.webp`)).metadata()
    const large = await sharp(join(mediaDir, `thumbs/${item.id}-l.webp`)).metadata()
    expect([small.width, small.height]).toEqual([256, 144])
    expect([large.width, large.height]).toEqual([1024, 576])
  })

  it('embeds the app chunk and an A1111 parameters chunk that read back equal', async () => {
    const { library, mediaDir } = makeLibrary()
    const prompt = 'Ein Leuchtturm, “quoted”, with: colons\nand a second line ✨'
    const item = await library.addImage(await newImage({ settings: { prompt, seed: 4_294_967_295, size: '16:9', model: 'flux-realism' } }))
    const head = await readPngHead(join(mediaDir, item.path))
    expect(head).toMatchObject({ width: 64, height: 48 })
    const own = JSON.parse(head.texts.find((text) => text.keyword === 'skyport')!.text)
    expect(own).toMatchObject({
      format: 'skyport.media',
      version: 1,
      id: item.id,
      kind: 'image',
      source: 'studio',
      createdAt: item.createdAt,
      prompt,
      model: 'flux-realism',
      color: item.color,
      appVersion: '9.8.7',
      settings: { prompt, model: 'flux-realism', size: '16:9', seed: 4_294_967_295, endpoint: 'imagine2' }
    })
    expect(own.sourceHash).toMatch(/^[0-9a-f]{64}$/)

    const parameters = head.texts.find((text) => text.keyword === 'parameters')!.text
    // The way A1111 (and every tool copying its parser) reads it back.
    expect(parseA1111(parameters)).toEqual({
      prompt,
      negativePrompt: '',
      params: { Seed: '4294967295', Size: '64x48', Model: 'flux-realism', 'Aspect ratio': '16:9', Endpoint: 'imagine2', Version: 'Skyport 9.8.7' }
    })
    expect(parameters.split('\n').at(-1)).toBe('Seed: 4294967295, Size: 64x48, Model: flux-realism, Aspect ratio: "16:9", Endpoint: imagine2, Version: Skyport 9.8.7')
    // The pixels are still a valid PNG any decoder reads.
    const decoded = await sharp(join(mediaDir, item.path)).raw().toBuffer({ resolveWithObject: true })
    expect(decoded.info).toMatchObject({ width: 64, height: 48 })
  })

  it('converts JPEG and WebP to PNG, and takes the size after orientation', async () => {
    const { library, mediaDir } = makeLibrary()
    for (const format of ['jpeg', 'webp'] as const) {
      const item = await library.addImage({ ...(await newImage()), bytes: await imageBytes({ format, width: 40, height: 30 }) })
      expect(item.path.endsWith('.png')).toBe(true)
      const meta = await sharp(join(mediaDir, item.path)).metadata()
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 40, 30])
    }
    // EXIF orientation 6 (rotate 90°): the kept image is upright, 30 × 40.
    const rotated = await sharp(await imageBytes({ width: 40, height: 30, format: 'jpeg' })).withMetadata({ orientation: 6 }).jpeg().toBuffer()
    const item = await library.addImage({ ...(await newImage()), bytes: rotated })
    expect([item.width, item.height]).toEqual([30, 40])
  })

  it('refuses every body that is not an image, with the server’s words, and keeps nothing', async () => {
    const { library, mediaDir, db } = makeLibrary({ maxImageBytes: 200_000 })
    const png = await imageBytes({ width: 300, height: 300 })
    const noisy = await sharp(Buffer.from(Array.from({ length: 400 * 400 * 3 }, (_, index) => (index * 7919) % 251)), { raw: { width: 400, height: 400, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer()
    const cases: Array<[string, Buffer, string, RegExp]> = [
      ['html', Buffer.from('<!DOCTYPE html><html><head><title>Sign in to Hotel Wi-Fi</title></head><body>Welcome</body></html>'), 'bad_response', /web page.*Sign in to Hotel Wi-Fi/],
      ['json', Buffer.from(JSON.stringify({ error: { message: 'Model flux-9 does not exist', code: 404 } })), 'bad_response', /JSON instead of an image: “Model flux-9 does not exist”/],
      ['text', Buffer.from('Rate limit reached, please try again in 56 seconds.'), 'bad_response', /text instead of an image: “Rate limit reached, please try again in 56 seconds\.”/],
      ['empty', Buffer.alloc(0), 'bad_response', /empty answer/],
      ['truncated png', png.subarray(0, Math.floor(png.length * 0.6)), 'bad_response', /damaged or incomplete PNG/],
      ['png cut in its header', png.subarray(0, 20), 'bad_response', /damaged or incomplete PNG/],
      ['truncated jpeg', (await imageBytes({ format: 'jpeg', width: 300, height: 300 })).subarray(0, 400), 'bad_response', /damaged or incomplete JPEG/],
      ['gif', await imageBytes({ format: 'gif' }), 'bad_response', /GIF image; only PNG, JPEG and WebP/],
      ['binary', Buffer.from(Array.from({ length: 300 }, (_, index) => index % 7)), 'bad_response', /300 bytes of data that is not an image/],
      ['too large', noisy, 'response_too_large', /larger than the 195\.3 KB limit/]
    ]
    expect(noisy.length).toBeGreaterThan(200_000)
    for (const [name, bytes, code, message] of cases) {
      const error = await rejection(library.addImage({ ...(await newImage()), bytes }))
      expect(error.code, name).toBe(code)
      expect(error.message, name).toMatch(message)
    }
    expect(tree(mediaDir)).toEqual([])
    expect(rowCount(db)).toBe(0)
  })

  it('refuses an id already in the library without touching its file', async () => {
    const { library, mediaDir } = makeLibrary()
    const first = await library.addImage(await newImage({ id: 'same' }))
    const before = readFileSync(join(mediaDir, first.path))
    const error = await rejection(library.addImage(await newImage({ id: 'same', color: '#00ff00' })))
    expect(error.code).toBe('invalid_argument')
    expect(readFileSync(join(mediaDir, first.path)).equals(before)).toBe(true)
    expect((await rejection(library.addImage(await newImage({ id: '../escape' })))).code).toBe('invalid_argument')
    expect(tree(mediaDir)).toEqual([first.path, `thumbs/same-l.webp`, `thumbs/same-s.webp`])
  })

  it('stops on an abort before anything is written', async () => {
    const { library, mediaDir, db } = makeLibrary()
    const controller = new AbortController()
    controller.abort()
    const error = await rejection(library.addImage(await newImage(), controller.signal))
    expect(error.code).toBe('aborted')
    expect(tree(mediaDir)).toEqual([])
    expect(rowCount(db)).toBe(0)
  })

  it('removes the file it wrote when an abort comes after it', async () => {
    const { library, mediaDir, db } = makeLibrary()
    const controller = new AbortController()
    const image = await newImage({ id: 'cut' })
    const saving = library.addImage(image, controller.signal)
    // Abort the moment the PNG is in place, while the thumbnails are still being written.
    const watcher = (async () => {
      while (!tree(mediaDir).some((file) => file.endsWith('cut.png'))) await new Promise((resume) => setImmediate(resume))
      controller.abort()
    })()
    const error = await rejection(saving)
    await watcher
    expect(error.code).toBe('aborted')
    expect(tree(mediaDir).filter((file) => !file.endsWith('/'))).toEqual([])
    expect(rowCount(db)).toBe(0)
  })

  it('removes the image when writing its thumbnails fails', async () => {
    const { library, mediaDir, db } = makeLibrary()
    await library.addImage(await newImage({ id: 'first' }))
    // A file where the thumbnails folder should be: every write into it fails, after the image was written.
    const thumbs = join(mediaDir, 'thumbs')
    rmSync(thumbs, { recursive: true })
    writeFileSync(thumbs, 'not a folder')
    const error = await rejection(library.addImage(await newImage({ id: 'second' })))
    expect(error.code).toBe('internal')
    expect(error.message).toMatch(/^The image could not be written to the media folder: (EEXIST|ENOTDIR)/)
    expect(tree(mediaDir).filter((file) => file.includes('second'))).toEqual([])
    expect(rowCount(db)).toBe(1)
  })

  it('removes the file and thumbnails when the row cannot be written', async () => {
    const { library, mediaDir, db } = makeLibrary()
    db.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON media BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    const error = await rejection(library.addImage(await newImage()))
    expect(error.code).toBe('internal')
    expect(error.message).toMatch(/could not be recorded in the library: database or disk is full/)
    expect(tree(mediaDir)).toEqual([])
    expect(rowCount(db)).toBe(0)
    expect(existsSync(join(mediaDir, 'thumbs'))).toBe(true)
  })
})

describe('addImage on a full disk', () => {
  let childScript: string
  beforeAll(async () => {
    childScript = await bundleChildScript('tests/full-disk/child.ts', 'full-disk-child')
  }, 60_000)

  /** Runs the child with at most `limitKiB` per file written (`ulimit -f`); Node ignores SIGXFSZ, so writes fail with EFBIG. */
  function runChild(userDataDir: string, limitKiB: number | 'unlimited'): Promise<Record<string, unknown>> {
    return new Promise((resolveRun, reject) => {
      const child = spawn('bash', ['-c', `ulimit -f ${limitKiB} && exec "$0" "$1" "$2"`, process.execPath, childScript, userDataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      let err = ''
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
      child.on('exit', (code) => {
        try {
          resolveRun(JSON.parse(out.trim().split('\n').at(-1) ?? '') as Record<string, unknown>)
        } catch {
          reject(new Error(`child exited ${code}: ${out} ${err}`))
        }
      })
    })
  }

  it.skipIf(process.platform === 'win32')('leaves neither a partial file nor a row when the disk fills half way through the image', async () => {
    const userDataDir = tempFolder()
    const outcome = await runChild(userDataDir, 1024)
    expect(outcome.bytes).toBeGreaterThan(2 * 1024 * 1024)
    expect(outcome.code).toBe('internal')
    expect(outcome.message).toMatch(/^The image could not be written to the media folder: EFBIG/)
    expect(tree(join(userDataDir, 'media'))).toEqual([])
    const db = new DatabaseSync(join(userDataDir, 'skyport.db'))
    expect(rowCount(db)).toBe(0)
    db.close()

    // The same child with room to write saves it: the limit was the only cause.
    expect(await runChild(userDataDir, 'unlimited')).toMatchObject({ saved: expect.any(String) })
  })
})

describe('addExternalImage', () => {
  it('keeps an image made elsewhere (a kept vision preview) with its link and description, checked like any other', async () => {
    const { library, mediaDir } = makeLibrary()
    const item = await library.addExternalImage({
      bytes: await imageBytes({ format: 'webp' }),
      source: 'studio',
      sourceUrl: 'https://example.com/photos/red%20barn.webp?size=large',
      description: 'A red barn in a snowy field.'
    })
    expect(item).toMatchObject({ title: 'A red barn in a snowy field.', description: 'A red barn in a snowy field.', prompt: '', model: null, source: 'studio', settings: { sourceUrl: 'https://example.com/photos/red%20barn.webp?size=large' } })
    expect(library.query({ search: 'snowy barn' }).total).toBe(1)
    const plain = await library.addExternalImage({ bytes: await imageBytes(), source: 'studio', sourceUrl: 'https://example.com/photos/red%20barn.webp' })
    expect(plain.title).toBe('red barn.webp')
    expect((await rejection(library.addExternalImage({ bytes: Buffer.from('<html><title>Not found</title></html>'), source: 'studio' }))).code).toBe('bad_response')
    expect(tree(mediaDir).filter((path) => path.startsWith('images/'))).toHaveLength(2)
  })
})

describe('the library and the main process', () => {
  it('never touches the network: no HTTP client, socket or fetch in its code', async () => {
    const { readdirSync } = await import('node:fs')
    const folder = join(import.meta.dirname, '../../../src/main/services/library')
    const sources = readdirSync(folder).filter((name) => name.endsWith('.ts'))
    expect(sources.length).toBeGreaterThan(8)
    for (const name of sources) {
      const code = readFileSync(join(folder, name), 'utf8')
      const imports = [...code.matchAll(/from '([^']+)'/g)].map((match) => match[1])
      for (const module of imports) expect(module, `${name} imports ${module}`).not.toMatch(/undici|^node:(http|https|net|tls|dgram|dns)$|http\/client|gateway/)
      expect(code, name).not.toMatch(/\bfetch\(|new WebSocket|XMLHttpRequest/)
    }
  })

  it('keeps the event loop turning while a large image is thumbnailed', async () => {
    const { library } = makeLibrary()
    const big = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#808080' } })
      .composite([{ input: Buffer.from('<svg width="4000" height="3000"><circle cx="2000" cy="1500" r="1200" fill="#ff8800"/></svg>') }])
      .png()
      .toBuffer()
    let ticks = 0
    let worstGap = 0
    let last = performance.now()
    const timer = setInterval(() => {
      const now = performance.now()
      worstGap = Math.max(worstGap, now - last)
      last = now
      ticks++
    }, 5)
    const started = performance.now()
    await library.addImage({ ...(await newImage()), bytes: big })
    const took = performance.now() - started
    clearInterval(timer)
    console.log(`addImage of a 4000 × 3000 PNG: ${took.toFixed(0)} ms, ${ticks} timer ticks, longest gap ${worstGap.toFixed(0)} ms`)
    // Decoding alone takes far longer than the longest pause: the work ran off the main thread.
    expect(ticks).toBeGreaterThan(took / 5 / 4)
    expect(worstGap).toBeLessThan(took / 2)
  })
})

describe('addImage twice with one id at once', () => {
  it('keeps one of them whole and refuses the other', async () => {
    const { library, mediaDir, db } = makeLibrary()
    const results = await Promise.allSettled([library.addImage(await newImage({ id: 'twice' })), library.addImage(await newImage({ id: 'twice', color: '#00ff00' }))])
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(rowCount(db)).toBe(1)
    const item = library.get('twice')
    expect(readFileSync(join(mediaDir, item.path)).length).toBe(item.bytes)
    expect(tree(mediaDir)).toEqual([item.path, 'thumbs/twice-l.webp', 'thumbs/twice-s.webp'])
  })
})
