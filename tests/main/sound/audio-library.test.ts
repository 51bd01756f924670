/** Speech and songs in the library: tagged MP3s under audio/, peaks and duration from a decode, covers as thumbnails, rescan from the tags. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import NodeID3 from 'node-id3'
import { describe, expect, it } from 'vitest'
import { analyzeMp3 } from '../../../src/main/services/sound/peaks'
import { decodePeaks } from '../../../src/shared/peaks'
import { makeLibrary, imageBytes, tempFolder } from '../library/helpers'
import { renderPng, songMp3, speechMp3 } from '../../fake-api/encoders'

function mp3File(bytes: Buffer): string {
  const file = join(tempFolder('skyport-audio-'), 'in.mp3')
  writeFileSync(file, bytes)
  return file
}

const speechSettings = { voice: 'sophia', text: '# Hello\n\nThe quick brown fox.', markdown: true }

describe('library audio items', () => {
  it('keeps a speech as a tagged MP3 with its duration, peaks and text, and search finds the spoken words', async () => {
    const { library, mediaDir } = makeLibrary()
    const source = speechMp3('Hello. The quick brown fox jumps over the lazy dog.', 'sophia')
    const item = await library.addAudio({
      id: 'speech-1',
      kind: 'speech',
      file: mp3File(source),
      title: 'Hello',
      prompt: '',
      text: 'Hello. The quick brown fox jumps over the lazy dog.',
      model: 'sophia',
      keywords: 'sophia',
      settings: speechSettings,
      artist: 'Skyport speech · sophia',
      source: 'chat'
    })
    expect(item).toMatchObject({ kind: 'speech', mime: 'audio/mpeg', thumbUrl: null, model: 'sophia', settings: speechSettings, source: 'chat' })
    expect(item.path).toMatch(/^audio\/\d{4}\/\d{2}\/speech-1\.mp3$/)
    expect(item.url).toBe(`/media/${item.path}`)
    const expected = await analyzeMp3(mp3File(source))
    expect(item.durationMs).toBe(expected.durationMs)
    expect(decodePeaks(item.peaks)).toHaveLength(64)
    expect(decodePeaks(item.waveform).length).toBeGreaterThan(64)
    expect(Math.max(...decodePeaks(item.peaks))).toBe(1)

    // The file carries its own record; the source's tag (TIT2 = its text) is gone.
    const file = readFileSync(join(mediaDir, item.path))
    const tags = NodeID3.read(file)
    expect(tags.title).toBe('Hello')
    expect(tags.unsynchronisedLyrics?.text).toBe('Hello. The quick brown fox jumps over the lazy dog.')
    expect(tags.userDefinedText?.find((frame) => frame.description === 'skyport')?.value).toContain('"kind":"speech"')
    expect(file.indexOf(Buffer.from('lamejs'))).toBe(-1)

    expect(library.query({ search: 'lazy dog' }).cards.map((card) => card.id)).toEqual(['speech-1'])
    expect(library.query({ kinds: ['speech'] }).cards[0]).toMatchObject({ id: 'speech-1', durationMs: expected.durationMs, peaks: item.peaks })
  })

  it('keeps a song with its cover as thumbnails, and a rescan rebuilds both audio items from their tags after the database is lost', async () => {
    const first = makeLibrary()
    const cover = renderPng('synth pop', 7, 'flux', '1:1')
    const song = await first.library.addAudio({
      id: 'song-1',
      kind: 'song',
      file: mp3File(songMp3('key', 'Night Drive').file),
      cover,
      title: 'Night Drive',
      prompt: '',
      text: 'Neon lights and empty streets',
      model: 'chirp-v3-5',
      keywords: 'synth pop',
      settings: { mode: 'custom', prompt: '', lyrics: 'Neon lights and empty streets', style: 'synth pop', title: 'Night Drive', instrumental: false, model: 'chirp-v3-5', clipId: 'c1' },
      artist: 'Suno · chirp-v3-5',
      source: 'studio'
    })
    expect(song.thumbUrl).toBe('/media/thumbs/song-1-s.webp')
    expect(song.largeThumbUrl).toBe('/media/thumbs/song-1-l.webp')
    expect(song.color).toMatch(/^#[0-9a-f]{6}$/)
    expect(song.durationMs).toBeGreaterThan(4900)
    const speech = await first.library.addAudio({
      id: 'speech-2',
      kind: 'speech',
      file: mp3File(speechMp3('Read me aloud please.', 'alex')),
      title: 'Read me',
      prompt: '',
      text: 'Read me aloud please.',
      model: 'alex',
      keywords: 'alex',
      settings: { voice: 'alex', text: 'Read me aloud please.', markdown: false },
      artist: 'Skyport speech · alex',
      source: 'studio'
    })
    await first.close()
    for (const suffix of ['', '-wal', '-shm']) rmSync(first.dbFile + suffix, { force: true })
    // Thumbnails lost too: they come back from the cover inside the MP3.
    rmSync(join(first.mediaDir, 'thumbs'), { recursive: true, force: true })

    const second = first.reopen()
    expect(await second.library.rescan()).toMatchObject({ added: 2, updated: 0, removed: 0 })
    await second.library.settled()
    const strip = ({ trashedAt: _t, collectionIds: _c, starred: _s, ...rest }: typeof song) => rest
    expect(strip(second.library.get('song-1'))).toEqual(strip(song))
    expect(strip(second.library.get('speech-2'))).toEqual(strip(speech))
    expect(second.library.query({ search: 'neon' }).cards.map((card) => card.id)).toEqual(['song-1'])
    expect(second.library.query({ search: 'aloud' }).cards.map((card) => card.id)).toEqual(['speech-2'])
    expect(second.library.query({ kinds: ['song'] }).cards[0]?.thumbUrl).toBe('/media/thumbs/song-1-s.webp')
  })

  it('refuses a cover that is not a picture and leaves nothing behind', async () => {
    const { library, mediaDir } = makeLibrary()
    const attempt = library.addAudio({
      id: 'song-2',
      kind: 'song',
      file: mp3File(songMp3('k2', 'x').file),
      cover: Buffer.from('<html>not found</html>'),
      title: 'x',
      prompt: 'p',
      text: '',
      model: 'chirp-v3-0',
      keywords: '',
      settings: {},
      artist: 'Suno',
      source: 'studio'
    })
    await expect(attempt).rejects.toMatchObject({ code: 'bad_response' })
    expect(library.query().total).toBe(0)
    expect(() => readFileSync(join(mediaDir, 'audio'))).toThrow()
  })

  it('refuses bytes that are not audio, removing the half-written file', async () => {
    const { library, mediaDir } = makeLibrary()
    const attempt = library.addAudio({
      id: 'speech-3',
      kind: 'speech',
      file: mp3File(await imageBytes()),
      title: 'x',
      prompt: '',
      text: 'x',
      model: 'alex',
      keywords: '',
      settings: {},
      artist: 'x',
      source: 'studio'
    })
    await expect(attempt).rejects.toMatchObject({ code: 'bad_response' })
    expect(library.query().total).toBe(0)
    const { readdirSync } = await import('node:fs')
    const month = readdirSync(join(mediaDir, 'audio'), { recursive: true }).filter((name) => String(name).endsWith('.mp3'))
    expect(month).toEqual([])
  })
})
