import { flushSync } from 'svelte'
import { describe, expect, it } from 'vitest'
import type { MediaCard } from '@shared/contract'
import { encodePeaks } from '@shared/peaks'
import { PlayerStore, SEEK_STEP_S, trackOf, tracksOf, type Track } from './player.svelte'

function track(id: string, kind: Track['kind'] = 'song', durationMs = 60_000): Track {
  return { id, kind, title: `Track ${id}`, url: `/media/audio/${id}.mp3`, coverUrl: kind === 'song' ? `/media/thumbs/${id}.webp` : null, peaks: null, durationMs }
}

/** What the OS media integration was told, as the player told it. */
function recordingSession(): MediaSession & { handlers: Map<string, MediaSessionActionHandler | null> } {
  const handlers = new Map<string, MediaSessionActionHandler | null>()
  return {
    metadata: null,
    playbackState: 'none',
    handlers,
    setActionHandler(action: MediaSessionAction, handler: MediaSessionActionHandler | null) {
      handlers.set(action, handler)
    },
    setPositionState() {},
    setCameraActive: async () => {},
    setMicrophoneActive: async () => {}
  } as unknown as MediaSession & { handlers: Map<string, MediaSessionActionHandler | null> }
}

function setup(session: MediaSession | null = null): { player: PlayerStore; audio: HTMLAudioElement } {
  const player = new PlayerStore({ mediaSession: session })
  const audio = document.createElement('audio')
  player.attach(audio)
  return { player, audio }
}

describe('PlayerStore: the queue', () => {
  it('plays all from a start, steps next and previous, and restarts a track when well into it', async () => {
    const { player, audio } = setup()
    player.playAll([track('a'), track('b'), track('c')], 1)
    await Promise.resolve()
    expect(player.current?.id).toBe('b')
    expect(audio.getAttribute('src')).toBe('/media/audio/b.mp3')
    expect(player.playing).toBe(true)
    player.next()
    expect(player.current?.id).toBe('c')
    expect(player.hasNext).toBe(false)
    player.next()
    expect(player.current?.id).toBe('c')
    player.previous()
    expect(player.current?.id).toBe('b')
    player.seek(10)
    player.previous()
    // Ten seconds in, "previous" starts the same track again.
    expect(player.current?.id).toBe('b')
    expect(audio.currentTime).toBe(0)
  })

  it('moves on when a track ends, and stops after the last one', () => {
    const { player, audio } = setup()
    player.playAll([track('a'), track('b')])
    audio.dispatchEvent(new Event('ended'))
    expect(player.current?.id).toBe('b')
    audio.dispatchEvent(new Event('pause'))
    audio.dispatchEvent(new Event('ended'))
    expect(player.current?.id).toBe('b')
    expect(player.playing).toBe(false)
  })

  it('a quiet update keeps the element on its source; a plain one carries on from the same moment', () => {
    const { player, audio } = setup()
    player.play({ ...track('s', 'speech'), url: 'blob:stream' })
    player.seek(12)
    player.update('s', { url: '/media/audio/s.mp3', durationMs: 90_000 }, { quiet: true })
    expect(audio.getAttribute('src')).toBe('blob:stream')
    expect(player.current?.url).toBe('/media/audio/s.mp3')
    player.update('s', { url: '/media/audio/s2.mp3' })
    expect(audio.getAttribute('src')).toBe('/media/audio/s2.mp3')
    expect(audio.currentTime).toBe(12)
  })

  it('speed applies to speech only, volume and mute reach the element', () => {
    const { player, audio } = setup()
    player.setRate(1.5)
    player.play(track('song'))
    expect(audio.playbackRate).toBe(1)
    player.play(track('talk', 'speech'))
    expect(audio.playbackRate).toBe(1.5)
    player.setVolume(0.4)
    expect(audio.volume).toBe(0.4)
    player.setVolume(7)
    expect(player.volume).toBe(1)
    player.setMuted(true)
    expect(audio.muted).toBe(true)
  })

  it('stop empties the queue (the bar hides)', () => {
    const { player } = setup()
    player.play(track('a'))
    player.stop()
    expect(player.current).toBeNull()
    expect(player.queue).toEqual([])
  })
})

describe('PlayerStore: keys', () => {
  function key(target: EventTarget, name: string, init: KeyboardEventInit = {}): KeyboardEvent {
    const event = new KeyboardEvent('keydown', { key: name, bubbles: true, cancelable: true, ...init })
    Object.defineProperty(event, 'target', { value: target })
    return event
  }

  it('Space toggles and the arrows seek, unless the focus is typing or the key is taken', () => {
    const { player, audio } = setup()
    expect(player.handleKey(key(document.body, ' '))).toBe(false) // nothing queued
    player.play(track('a'))
    player.seek(20)
    expect(player.handleKey(key(document.body, 'ArrowRight'))).toBe(true)
    expect(audio.currentTime).toBe(20 + SEEK_STEP_S)
    expect(player.handleKey(key(document.body, 'ArrowLeft'))).toBe(true)
    expect(audio.currentTime).toBe(20)
    expect(player.handleKey(key(document.body, ' '))).toBe(true)
    expect(audio.paused).toBe(true)

    const textarea = document.createElement('textarea')
    const input = document.createElement('input')
    const button = document.createElement('button')
    const listbox = document.createElement('div')
    listbox.setAttribute('role', 'listbox')
    for (const target of [textarea, input]) {
      expect(player.handleKey(key(target, ' '))).toBe(false)
      expect(player.handleKey(key(target, 'ArrowLeft'))).toBe(false)
    }
    // A button's Space presses the button; a list's arrows move in the list.
    expect(player.handleKey(key(button, ' '))).toBe(false)
    expect(player.handleKey(key(button, 'ArrowRight'))).toBe(true)
    expect(player.handleKey(key(listbox, 'ArrowRight'))).toBe(false)
    expect(player.handleKey(key(document.body, ' ', { ctrlKey: true }))).toBe(false)
    const taken = key(document.body, ' ')
    taken.preventDefault()
    expect(player.handleKey(taken)).toBe(false)
  })
})

describe('PlayerStore: the OS media session', () => {
  // happy-dom has no MediaMetadata; Chromium's real one is checked end to end.
  class TestMediaMetadata {
    title = ''
    artwork: MediaImage[] = []
    constructor(init: MediaMetadataInit) {
      Object.assign(this, init)
    }
  }
  if (typeof globalThis.MediaMetadata === 'undefined') Object.assign(globalThis, { MediaMetadata: TestMediaMetadata })

  it('publishes the title and the cover as a whole URL, and its buttons drive the player', () => {
    const session = recordingSession()
    const { player, audio } = setup(session)
    player.playAll([track('a'), track('b')])
    flushSync()
    expect(session.metadata?.title).toBe('Track a')
    expect(session.metadata?.artwork[0]?.src).toBe(new URL('/media/thumbs/a.webp', location.href).href)
    session.handlers.get('nexttrack')?.({ action: 'nexttrack' })
    expect(player.current?.id).toBe('b')
    expect(session.metadata?.title).toBe('Track b')
    session.handlers.get('seekto')?.({ action: 'seekto', seekTime: 33 })
    expect(audio.currentTime).toBe(33)
    session.handlers.get('pause')?.({ action: 'pause' })
    expect(audio.paused).toBe(true)
    player.stop()
    expect(session.metadata).toBeNull()
  })
})

describe('tracks from the library', () => {
  const card = (id: string, kind: MediaCard['kind'], extra: Partial<MediaCard> = {}): MediaCard => ({
    id,
    kind,
    url: `/media/x/${id}`,
    thumbUrl: null,
    width: null,
    height: null,
    durationMs: 5000,
    color: null,
    createdAt: 0,
    starred: false,
    title: id,
    model: null,
    peaks: null,
    ...extra
  })

  it('leaves images out and decodes the stored peaks', () => {
    const cards = [card('i', 'image'), card('s', 'speech', { peaks: encodePeaks([0, 0.5, 1]) }), card('g', 'song', { thumbUrl: '/media/thumbs/g.webp' })]
    expect(tracksOf(cards).map((t) => t.id)).toEqual(['s', 'g'])
    expect(trackOf(cards[1] as MediaCard)?.peaks?.map((p) => Math.round(p * 100) / 100)).toEqual([0, 0.5, 1])
    expect(trackOf(cards[2] as MediaCard)?.coverUrl).toBe('/media/thumbs/g.webp')
    expect(trackOf(cards[0] as MediaCard)).toBeNull()
  })
})
