/** Media downloads: resumed with Range after a cut, checked by their first bytes, bounded in size, and never sent the key. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HttpClient } from '../../../src/main/services/http/client'
import { downloadFile } from '../../../src/main/services/sound/download'
import { looksLikeMp3 } from '../../../src/main/services/sound/mp3'
import { songMp3 } from '../../fake-api/encoders'

const KEY = 'sk-download-secret-9876'
const audio = songMp3('download', 'Cut').file

let dir: string
let server: Server
let seen: IncomingMessage[]
let mediaUrl: string
let behave: (req: IncomingMessage, res: import('node:http').ServerResponse, attempt: number) => void

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skyport-download-'))
  seen = []
  server = createServer((req, res) => {
    seen.push(req)
    behave(req, res, seen.length)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  mediaUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/song.mp3`
})
afterEach(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(dir, { recursive: true, force: true })
})

/** The client as the app configures it: base URL and key for the API server, which is not the media host. */
const client = () =>
  new HttpClient(() => ({ baseUrl: 'http://127.0.0.2:9', apiKey: KEY, timeouts: { connectMs: 2_000, headersMs: 2_000, idleMs: 2_000 }, proxy: { mode: 'none', url: '' } }))

/** A CDN: whole file, or the rest from a `Range: bytes=N-`. */
function serveRanges(req: IncomingMessage, res: import('node:http').ServerResponse, body: Buffer): void {
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')
  if (range) {
    const start = Number(range[1])
    res.writeHead(206, { 'content-type': 'audio/mpeg', 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` })
    res.end(body.subarray(start))
    return
  }
  res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': body.length })
  res.end(body)
}

describe('downloadFile', () => {
  it('resumes a download cut off half way with Range, and the file is whole', async () => {
    const half = Math.floor(audio.length / 2)
    behave = (req, res, attempt) => {
      if (attempt === 1) {
        res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': audio.length })
        // Half the file reaches the client, then the connection breaks.
        res.write(audio.subarray(0, half), () => setTimeout(() => res.socket?.destroy(), 50))
        return
      }
      serveRanges(req, res, audio)
    }
    const file = join(dir, 'song.mp3.part')
    const progress: number[] = []
    const size = await downloadFile(client(), { url: mediaUrl, file, maxBytes: 10_000_000, looksRight: looksLikeMp3, what: 'MP3 audio', onProgress: (done) => progress.push(done) })
    expect(size).toBe(audio.length)
    expect(readFileSync(file).equals(audio)).toBe(true)
    expect(seen.map((req) => req.headers.range)).toEqual([undefined, `bytes=${half}-`])
    expect(progress.at(-1)).toBe(audio.length)
    // The media host is another origin: the key is never sent there.
    for (const req of seen) {
      expect(req.headers.authorization).toBeUndefined()
      expect(req.url).not.toContain(KEY)
    }
  })

  it('resumes a file left half done by an earlier run, and starts again when the server ignores the range', async () => {
    const file = join(dir, 'left.part')
    writeFileSync(file, audio.subarray(0, 1000))
    behave = (req, res) => serveRanges(req, res, audio)
    expect(await downloadFile(client(), { url: mediaUrl, file, maxBytes: 10_000_000, looksRight: looksLikeMp3, what: 'MP3 audio' })).toBe(audio.length)
    expect(seen[0]!.headers.range).toBe('bytes=1000-')
    expect(readFileSync(file).equals(audio)).toBe(true)

    writeFileSync(file, Buffer.from('stale bytes'))
    behave = (_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': audio.length })
      res.end(audio)
    }
    await downloadFile(client(), { url: mediaUrl, file, maxBytes: 10_000_000, looksRight: looksLikeMp3, what: 'MP3 audio' })
    expect(readFileSync(file).equals(audio)).toBe(true)
  })

  it('refuses a file that is not what it should be', async () => {
    behave = (_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/mpeg' })
      res.end('<!doctype html><html><body>Access denied</body></html>')
    }
    const file = join(dir, 'bad.part')
    await expect(downloadFile(client(), { url: mediaUrl, file, maxBytes: 10_000_000, looksRight: looksLikeMp3, what: 'MP3 audio' })).rejects.toMatchObject({
      code: 'bad_response',
      message: expect.stringContaining('not MP3 audio')
    })
  })

  it('refuses a file over the size limit', async () => {
    behave = (req, res) => serveRanges(req, res, audio)
    await expect(downloadFile(client(), { url: mediaUrl, file: join(dir, 'big.part'), maxBytes: 1_000, looksRight: looksLikeMp3, what: 'MP3 audio' })).rejects.toMatchObject({
      code: 'response_too_large'
    })
  })
})
