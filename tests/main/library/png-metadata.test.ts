/** The PNG text chunk writer and reader: every text chunk type, the pixels untouched, the reader stopping at the pixels. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { encodeTextChunk, readPngHead, readPngHeadFromBuffer, withTextChunks } from '../../../src/main/services/library/png-metadata'
import { imageBytes, tempFolder } from './helpers'

/** The chunk types of a PNG, in order. */
function chunkTypes(png: Buffer): string[] {
  const types: string[] = []
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset)
    types.push(png.toString('latin1', offset + 4, offset + 8))
    offset += 12 + length
  }
  return types
}

describe('PNG text chunks', () => {
  it('write and read back tEXt, zTXt and iTXt (plain and compressed), before the pixels, with valid CRCs', async () => {
    const png = await imageBytes()
    const texts = [
      { keyword: 'parameters', text: 'café, Seed: 1', encoding: 'latin1' as const },
      { keyword: 'zipped', text: 'latin one '.repeat(50), encoding: 'latin1' as const, compress: true },
      { keyword: 'skyport', text: '{"prompt":"灯台 ✨ “quotes”"}', encoding: 'utf8' as const },
      { keyword: 'big', text: 'ünïcödé '.repeat(1000), encoding: 'utf8' as const, compress: true },
      // Not Latin-1: written as iTXt even when Latin-1 was asked for, as Pillow does.
      { keyword: 'fallback', text: 'emoji 🐱', encoding: 'latin1' as const }
    ]
    const written = withTextChunks(png, texts)
    expect(chunkTypes(written).slice(0, 7)).toEqual(['IHDR', 'tEXt', 'zTXt', 'iTXt', 'iTXt', 'iTXt', ...chunkTypes(png).slice(1, 2)])
    const head = await readPngHeadFromBuffer(written)
    expect(head).toEqual({ width: 64, height: 48, texts: texts.map(({ keyword, text }) => ({ keyword, text })) })
    for (let offset = 8; offset < written.length; ) {
      const length = written.readUInt32BE(offset)
      expect(crc32(written.subarray(offset + 4, offset + 8 + length))).toBe(written.readUInt32BE(offset + 8 + length))
      offset += 12 + length
    }
    // The pixels are what they were.
    const [before, after] = await Promise.all([png, written].map((data) => sharp(data).raw().toBuffer()))
    expect(after!.equals(before!)).toBe(true)
  })

  it('replace chunks of the same keyword and keep every other chunk byte for byte', async () => {
    const png = withTextChunks(await imageBytes(), [
      { keyword: 'skyport', text: 'old' },
      { keyword: 'workflow', text: '{"nodes":[]}' }
    ])
    const again = withTextChunks(png, [{ keyword: 'skyport', text: 'new' }])
    expect((await readPngHeadFromBuffer(again)).texts).toEqual([
      { keyword: 'skyport', text: 'new' },
      { keyword: 'workflow', text: '{"nodes":[]}' }
    ])
    expect(again.length).toBe(png.length)
  })

  it('read a file only up to its pixels: a file cut right after the first IDAT header still reads', async () => {
    const png = withTextChunks(await imageBytes({ width: 500, height: 500 }), [{ keyword: 'skyport', text: '{"a":1}' }])
    const idat = png.indexOf('IDAT', 8, 'latin1')
    const file = join(tempFolder(), 'cut.png')
    // Everything after the IDAT chunk's type is garbage: a reader that went on would fail or decode it.
    writeFileSync(file, Buffer.concat([png.subarray(0, idat + 4), Buffer.alloc(100_000, 0xee)]))
    expect(await readPngHead(file)).toEqual({ width: 500, height: 500, texts: [{ keyword: 'skyport', text: '{"a":1}' }] })
  })

  it('skip a text chunk whose CRC is wrong, and refuse what is not a PNG or ends before its pixels', async () => {
    const png = withTextChunks(await imageBytes(), [
      { keyword: 'damaged', text: 'x' },
      { keyword: 'fine', text: 'y' }
    ])
    const at = png.indexOf('damaged', 8, 'latin1')
    const broken = Buffer.from(png)
    broken[at + 8] = 'z'.charCodeAt(0)
    expect((await readPngHeadFromBuffer(broken)).texts).toEqual([{ keyword: 'fine', text: 'y' }])
    await expect(readPngHeadFromBuffer(Buffer.from('GIF89a....'))).rejects.toThrow('Not a PNG file.')
    await expect(readPngHeadFromBuffer(png.subarray(0, 40))).rejects.toThrow(/ends/)
  })

  it('refuse keywords that PNG does not allow', () => {
    for (const keyword of ['', ' lead', 'trail ', 'two  spaces', 'x'.repeat(80), 'tab\there', 'emoji🐱']) {
      expect(() => encodeTextChunk(keyword, 'text'), JSON.stringify(keyword)).toThrow(/cannot be a PNG text keyword/)
    }
    expect(() => encodeTextChunk('Raw prompt', 'text')).not.toThrow()
  })

  it('bound a compressed chunk that would inflate past the limit (a deflate bomb) by skipping it', async () => {
    const bomb = encodeTextChunk('bomb', 'a'.repeat(17 * 1024 * 1024), { encoding: 'utf8', compress: true })
    expect(bomb.length).toBeLessThan(100_000)
    const png = await imageBytes()
    const withBomb = Buffer.concat([png.subarray(0, 33), bomb, encodeTextChunk('after', 'ok'), png.subarray(33)])
    expect((await readPngHeadFromBuffer(withBomb)).texts).toEqual([{ keyword: 'after', text: 'ok' }])
  })
})
