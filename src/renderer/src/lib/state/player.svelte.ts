/**
 * The one audio player of the app: a queue of tracks, the position, volume
 * and speed, driving a single <audio> element that the player bar mounts at
 * the app's top level (so it plays on while the person moves between screens,
 * and while the window is hidden: nothing here listens to visibility).
 * Audio always comes from local files through the app's `/media/...` URLs;
 * the waveform is drawn from peaks main stored with the item, never decoded here.
 * The OS media keys and now-playing panel go through the Media Session API.
 */
import type { MediaCard, MediaItem, MediaKind, PlayerState } from '@shared/contract'
import { decodePeaks } from '@shared/peaks'

export type AudioKind = Exclude<MediaKind, 'image'>

export interface Track {
  /** The library item's id, or the id of the work still making it (speech being read). */
  id: string
  kind: AudioKind
  title: string
  /** `/media/...` (or a `blob:` URL of parts streamed while the rest is still being made). */
  url: string
  /** `/media/...` of the cover, for the bar and the OS panel; null without one. */
  coverUrl: string | null
  /** Stored waveform peaks, 0 to 1; null when the file has none yet. */
  peaks: readonly number[] | null
  durationMs: number | null
}

/** A library card or item as a track; null for an image. */
export function trackOf(media: MediaCard | MediaItem): Track | null {
  if (media.kind === 'image') return null
  // The item carries the player's fine waveform; a card only its thumbnail's bars.
  const peaks = decodePeaks('waveform' in media && media.waveform ? media.waveform : media.peaks)
  return {
    id: media.id,
    kind: media.kind,
    title: media.title || (media.kind === 'song' ? 'Untitled song' : 'Speech'),
    url: media.url,
    coverUrl: ('largeThumbUrl' in media ? media.largeThumbUrl : null) ?? media.thumbUrl,
    peaks: peaks.length > 0 ? peaks : null,
    durationMs: media.durationMs
  }
}

/** Every sound among these cards, in their order ("Play all"). */
export function tracksOf(cards: readonly MediaCard[]): Track[] {
  return cards.map(trackOf).filter((track) => track !== null)
}

/** Seconds the arrow keys and the OS seek buttons move. */
export const SEEK_STEP_S = 5
/** "Previous" this far into a track starts it again instead. */
const RESTART_AFTER_S = 3
export const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2] as const

/** The parts of an <audio> element the player uses (tests may pass a real one from happy-dom). */
export type MediaElement = HTMLMediaElement

export interface PlayerOptions {
  /** The OS media integration; `navigator.mediaSession` where the browser has it. */
  mediaSession?: MediaSession | null
  /** The library item of a track, for its fine waveform and cover (a card carries only a thumbnail's bars). */
  lookup?: (id: string) => Promise<MediaItem>
}

/** Tracks with this many peaks or fewer ask for the item's fine waveform when they start. */
const COARSE_PEAKS = 64

export class PlayerStore {
  queue = $state.raw<Track[]>([])
  index = $state(-1)
  /** True while the element plays (what the play/pause button shows). */
  playing = $state(false)
  /** Waiting for data (a part not yet on disk, a slow file). */
  waiting = $state(false)
  /** Seconds into the current track. */
  position = $state(0)
  /** Seconds; from the element once it knows, else the track's stored duration. */
  duration = $state(0)
  volume = $state(1)
  muted = $state(false)
  /** Playback speed; offered for speech. */
  rate = $state(1)
  /** Why the current track could not play. */
  error = $state<string | null>(null)

  readonly current: Track | null = $derived(this.queue[this.index] ?? null)
  readonly hasPrevious: boolean = $derived(this.index > 0)
  readonly hasNext: boolean = $derived(this.index >= 0 && this.index < this.queue.length - 1)
  readonly progress: number = $derived(this.duration > 0 ? Math.min(1, this.position / this.duration) : 0)
  /** What the tray's Play/Pause entry shows (`shell.playerState`): nothing queued, playing or paused. */
  readonly playbackState: PlayerState = $derived(this.current === null ? 'none' : this.playing ? 'playing' : 'paused')

  #audio: MediaElement | null = null
  #mediaSession: MediaSession | null
  #lookup: ((id: string) => Promise<MediaItem>) | null

  constructor(options: PlayerOptions = {}) {
    this.#lookup = options.lookup ?? null
    this.#mediaSession = options.mediaSession !== undefined ? options.mediaSession : typeof navigator !== 'undefined' && 'mediaSession' in navigator ? navigator.mediaSession : null
  }

  get element(): MediaElement | null {
    return this.#audio
  }

  /** Takes the <audio> element the bar mounted; returns what undoes it. */
  attach(audio: MediaElement): () => void {
    this.#audio = audio
    audio.preload = 'auto'
    audio.volume = this.volume
    audio.muted = this.muted
    const listeners: [string, () => void][] = [
      ['play', () => (this.playing = true)],
      ['playing', () => ((this.playing = true), (this.waiting = false))],
      ['pause', () => (this.playing = false)],
      ['waiting', () => (this.waiting = true)],
      ['canplay', () => (this.waiting = false)],
      ['timeupdate', () => this.#syncPosition()],
      ['seeked', () => this.#syncPosition()],
      ['durationchange', () => this.#syncDuration()],
      ['loadedmetadata', () => this.#syncDuration()],
      ['ended', () => this.#ended()],
      ['error', () => this.#failed()]
    ]
    for (const [name, listener] of listeners) audio.addEventListener(name, listener)
    this.#bindMediaSession()
    if (this.current) this.#load(false)
    return () => {
      for (const [name, listener] of listeners) audio.removeEventListener(name, listener)
      if (this.#audio === audio) this.#audio = null
    }
  }

  // ------------------------------------------------------------ the queue

  /** Replaces the queue with these tracks and plays from `start` ("Play all", or one track). */
  playAll(tracks: readonly Track[], start = 0): void {
    if (tracks.length === 0) return
    this.queue = [...tracks]
    this.#go(Math.max(0, Math.min(start, tracks.length - 1)))
  }

  /** Plays one track now; the queue becomes just this one. */
  play(track: Track): void {
    this.playAll([track])
  }

  /** Adds tracks after the last one; starts playing when nothing was queued. */
  enqueue(tracks: readonly Track[]): void {
    if (tracks.length === 0) return
    const wasEmpty = this.current === null
    this.queue = [...this.queue, ...tracks]
    if (wasEmpty) this.#go(this.queue.length - tracks.length)
  }

  /**
   * Changes a queued track in place (its file arrived, its waveform was
   * computed). A new URL of the track playing now takes over at the same
   * moment, unless `quiet`: then it is used the next time the track loads
   * (a speech streamed from its parts keeps playing; the joined file is for later).
   */
  update(id: string, patch: Partial<Omit<Track, 'id'>>, options: { quiet?: boolean } = {}): void {
    const at = this.queue.findIndex((track) => track.id === id)
    if (at === -1) return
    const before = this.queue[at] as Track
    this.queue = this.queue.map((track, i) => (i === at ? { ...track, ...patch } : track))
    if (at !== this.index) return
    if (!options.quiet && patch.url !== undefined && patch.url !== before.url) this.#load(this.playing, this.position)
    else if (patch.durationMs !== undefined) this.#syncDuration()
    this.#publishMetadata()
  }

  next(): void {
    if (this.hasNext) this.#go(this.index + 1)
  }

  previous(): void {
    if (this.position > RESTART_AFTER_S || !this.hasPrevious) this.seek(0)
    else this.#go(this.index - 1)
  }

  /** Empties the queue and hides the bar. */
  stop(): void {
    this.#audio?.pause()
    this.#audio?.removeAttribute('src')
    this.#audio?.load()
    this.queue = []
    this.index = -1
    this.position = 0
    this.duration = 0
    this.playing = false
    this.error = null
    this.#publishMetadata()
  }

  // ------------------------------------------------------------ transport

  resume(): void {
    const audio = this.#audio
    if (!audio || !this.current) return
    this.error = null
    audio.play().catch((error: unknown) => this.#refused(error))
  }

  pause(): void {
    this.#audio?.pause()
  }

  toggle(): void {
    if (!this.current) return
    if (this.#audio && !this.#audio.paused) this.pause()
    else this.resume()
  }

  /** Moves to a time in seconds, within the track. */
  seek(seconds: number): void {
    const audio = this.#audio
    if (!audio || !Number.isFinite(seconds)) return
    const end = this.duration > 0 ? this.duration : Number.POSITIVE_INFINITY
    const to = Math.max(0, Math.min(seconds, end))
    audio.currentTime = to
    this.position = to
  }

  seekBy(seconds: number): void {
    this.seek(this.position + seconds)
  }

  /** Seeks to a fraction (0 to 1) of the track: a click on the waveform. */
  seekFraction(fraction: number): void {
    if (this.duration > 0) this.seek(Math.max(0, Math.min(1, fraction)) * this.duration)
  }

  setVolume(volume: number): void {
    this.volume = Math.max(0, Math.min(1, volume))
    if (this.#audio) this.#audio.volume = this.volume
    if (this.volume > 0 && this.muted) this.setMuted(false)
  }

  setMuted(muted: boolean): void {
    this.muted = muted
    if (this.#audio) this.#audio.muted = muted
  }

  setRate(rate: number): void {
    this.rate = rate
    if (this.#audio) this.#audio.playbackRate = this.#rateFor(this.current)
  }

  /**
   * Space and the arrows, from anywhere in the app unless the focus is in a
   * text field or on a control the key already drives. Returns true when the
   * key was taken (the caller prevents its default).
   */
  handleKey(event: KeyboardEvent): boolean {
    if (!this.current || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return false
    if (ownsKey(event.target, event.key)) return false
    switch (event.key) {
      case ' ':
        this.toggle()
        return true
      case 'ArrowLeft':
        this.seekBy(-SEEK_STEP_S)
        return true
      case 'ArrowRight':
        this.seekBy(SEEK_STEP_S)
        return true
      default:
        return false
    }
  }

  // ------------------------------------------------------------ inside

  #go(index: number): void {
    this.index = index
    this.#load(true)
    this.#refine(this.current)
  }

  /** Swaps a card's coarse bars for the item's fine waveform (and its cover), without touching playback. */
  #refine(track: Track | null): void {
    if (!track || !this.#lookup || (track.peaks && track.peaks.length > COARSE_PEAKS)) return
    this.#lookup(track.id).then(
      (item) => {
        const better = trackOf(item)
        if (!better) return
        this.queue = this.queue.map((queued) =>
          queued.id === track.id && queued.url === track.url
            ? { ...queued, peaks: better.peaks ?? queued.peaks, coverUrl: queued.coverUrl ?? better.coverUrl, durationMs: queued.durationMs ?? better.durationMs }
            : queued
        )
        if (this.current?.id === track.id) this.#publishMetadata()
      },
      () => {
        // Not in the library (yet): the coarse bars stay.
      }
    )
  }

  #load(autoplay: boolean, at = 0): void {
    const track = this.current
    this.error = null
    this.position = at
    this.duration = track?.durationMs ? track.durationMs / 1000 : 0
    this.#publishMetadata()
    const audio = this.#audio
    if (!audio || !track) return
    audio.src = track.url
    audio.playbackRate = this.#rateFor(track)
    audio.defaultPlaybackRate = audio.playbackRate
    if (at > 0) audio.currentTime = at
    if (autoplay) audio.play().catch((error: unknown) => this.#refused(error))
  }

  /** Songs always play at their own speed; the speed setting is for speech. */
  #rateFor(track: Track | null): number {
    return track?.kind === 'speech' ? this.rate : 1
  }

  #syncPosition(): void {
    if (this.#audio) this.position = this.#audio.currentTime
    this.#publishPosition()
  }

  #syncDuration(): void {
    const known = this.#audio?.duration
    this.duration = known !== undefined && Number.isFinite(known) && known > 0 ? known : (this.current?.durationMs ?? 0) / 1000
    this.#publishPosition()
  }

  #ended(): void {
    if (this.hasNext) this.next()
    else this.playing = false
  }

  #failed(): void {
    const code = this.#audio?.error?.code
    // A stop() clears the source, which also reports an error: not one to show.
    if (!this.current || code === undefined || code === MediaError.MEDIA_ERR_ABORTED) return
    this.playing = false
    this.error = code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED ? 'The audio file is missing or cannot be played.' : 'The audio could not be played.'
  }

  /** `play()` refused: an interrupted load is normal; anything else is said. */
  #refused(error: unknown): void {
    if (error instanceof DOMException && error.name === 'AbortError') return
    this.playing = false
    this.error = error instanceof Error ? `The audio could not start: ${error.message}` : 'The audio could not start.'
  }

  // ------------------------------------------------------------ the OS

  #bindMediaSession(): void {
    const session = this.#mediaSession
    if (!session) return
    const handlers: [MediaSessionAction, MediaSessionActionHandler][] = [
      ['play', () => this.resume()],
      ['pause', () => this.pause()],
      ['stop', () => this.stop()],
      ['previoustrack', () => this.previous()],
      ['nexttrack', () => this.next()],
      ['seekbackward', (details) => this.seekBy(-(details.seekOffset ?? SEEK_STEP_S))],
      ['seekforward', (details) => this.seekBy(details.seekOffset ?? SEEK_STEP_S)],
      ['seekto', (details) => this.seek(details.seekTime ?? this.position)]
    ]
    for (const [action, handler] of handlers) {
      try {
        session.setActionHandler(action, handler)
      } catch {
        // An action this platform does not offer.
      }
    }
  }

  #publishMetadata(): void {
    const session = this.#mediaSession
    if (!session) return
    const track = this.current
    if (!track || typeof MediaMetadata === 'undefined') {
      session.metadata = null
      return
    }
    // The OS fetches the artwork itself: it needs the whole URL, not the path.
    const artwork = track.coverUrl ? [{ src: absoluteUrl(track.coverUrl) }] : []
    session.metadata = new MediaMetadata({ title: track.title, artist: 'Skyport', album: track.kind === 'song' ? 'Songs' : 'Speech', artwork })
  }

  #publishPosition(): void {
    const session = this.#mediaSession
    if (!session?.setPositionState || !(this.duration > 0)) return
    try {
      session.setPositionState({ duration: this.duration, position: Math.min(this.position, this.duration), playbackRate: this.#audio?.playbackRate || 1 })
    } catch {
      // A position the platform refuses mid-change: the next update corrects it.
    }
  }
}

function absoluteUrl(path: string): string {
  return new URL(path, location.href).href
}

/** Whether the focused element already does something with this key (typing, pressing a button, a slider). */
function ownsKey(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true
  if (target instanceof HTMLInputElement) return key === ' ' || !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type)
  if (key === ' ') return target.closest('button, a[href], summary, [role="button"], [role="option"], [role="menuitem"], [role="radio"], [role="tab"], [role="switch"]') !== null
  return target.closest('[role="slider"], [role="listbox"], [role="menu"], [role="tablist"], [role="radiogroup"]') !== null
}
