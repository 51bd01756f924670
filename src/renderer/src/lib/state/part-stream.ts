/**
 * A speech played while it is still being made: main saves each part as its
 * own MP3 and says so; the parts are appended, in order, to one Media Source
 * so the <audio> element plays them as one track without a gap between
 * parts (switching the element from file to file would stop and restart it
 * at every boundary). The browser does this natively (Media Source
 * Extensions); nothing is decoded here. The bytes come from the local
 * `/media/...` files through the app's protocol.
 */

export interface PartStreamOptions {
  /** How many parts the speech has. */
  count: number
  /** Reads a part's bytes (tests may pass their own). */
  load?: (url: string) => Promise<ArrayBuffer>
  /** A part could not be read or appended. */
  onerror?: (error: Error) => void
}

const MIME = 'audio/mpeg'

/** Whether this browser can stream MP3 parts into one track. */
export function canStreamParts(): boolean {
  return typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported(MIME)
}

async function loadBytes(url: string): Promise<ArrayBuffer> {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`The part ${url} could not be read (${response.status}).`)
  return response.arrayBuffer()
}

/**
 * Reads parts one at a time, in index order, whatever order they are
 * announced in. Parts are appended in order anyway, and when several land at
 * once (a fast gateway) reading them all together makes the first one, the
 * only one needed to start playing, wait behind the others for the disk and
 * the protocol handler.
 */
export class OrderedLoader {
  #urls = new Map<number, string>()
  #next = 0
  #busy = false
  #stopped = false
  #load: (url: string) => Promise<ArrayBuffer>
  #loaded: (index: number, bytes: ArrayBuffer) => void
  #failed: (error: Error) => void

  constructor(load: (url: string) => Promise<ArrayBuffer>, loaded: (index: number, bytes: ArrayBuffer) => void, failed: (error: Error) => void) {
    this.#load = load
    this.#loaded = loaded
    this.#failed = failed
  }

  /** A part is on disk (a second call for one index is ignored). */
  add(index: number, url: string): void {
    if (this.#stopped || index < this.#next || this.#urls.has(index)) return
    this.#urls.set(index, url)
    this.#step()
  }

  stop(): void {
    this.#stopped = true
    this.#urls.clear()
  }

  #step(): void {
    const url = this.#urls.get(this.#next)
    if (this.#busy || this.#stopped || url === undefined) return
    const index = this.#next
    this.#busy = true
    this.#load(url).then(
      (bytes) => {
        this.#busy = false
        if (this.#stopped) return
        this.#urls.delete(index)
        this.#next = index + 1
        this.#loaded(index, bytes)
        this.#step()
      },
      (error: unknown) => {
        this.#busy = false
        this.#failed(error instanceof Error ? error : new Error(String(error)))
      }
    )
  }
}

export class PartStream {
  /** A `blob:` URL for the <audio> element. */
  readonly url: string
  readonly count: number
  #source = new MediaSource()
  #buffer: SourceBuffer | null = null
  /** Part bytes by index, waiting for their turn. */
  #ready = new Map<number, ArrayBuffer>()
  #loader: OrderedLoader
  #next = 0
  #onerror: (error: Error) => void
  #closed = false

  constructor(options: PartStreamOptions) {
    this.count = options.count
    this.#onerror = options.onerror ?? (() => {})
    this.#loader = new OrderedLoader(
      options.load ?? loadBytes,
      (index, bytes) => {
        // Marks for the first-sound benchmark: when the first part's bytes were read, and appended.
        if (index === 0) performance.mark('speech-part-read')
        this.#ready.set(index, bytes)
        this.#pump()
      },
      (error) => this.#onerror(error)
    )
    this.url = URL.createObjectURL(this.#source)
    this.#source.addEventListener(
      'sourceopen',
      () => {
        const buffer = this.#source.addSourceBuffer(MIME)
        // Each part's timestamps start at zero: "sequence" lays them end to end.
        buffer.mode = 'sequence'
        buffer.addEventListener('updateend', () => {
          if (this.#next === 1) performance.mark('speech-part-appended')
          this.#pump()
        })
        this.#buffer = buffer
        this.#pump()
      },
      { once: true }
    )
  }

  /** Whether every part has been appended. */
  get complete(): boolean {
    return this.#next >= this.count
  }

  /** A part is on disk: read it and append it in its turn (twice for one index is ignored). */
  add(index: number, url: string): void {
    if (this.#closed || index < 0 || index >= this.count) return
    this.#loader.add(index, url)
  }

  /** Frees the stream (the player moved on to the joined file or another track). */
  dispose(): void {
    this.#closed = true
    this.#loader.stop()
    this.#ready.clear()
    URL.revokeObjectURL(this.url)
  }

  #pump(): void {
    const buffer = this.#buffer
    if (this.#closed || !buffer || buffer.updating || this.#source.readyState !== 'open') return
    const bytes = this.#ready.get(this.#next)
    if (bytes) {
      this.#ready.delete(this.#next)
      this.#next += 1
      try {
        buffer.appendBuffer(bytes)
      } catch (error) {
        this.#onerror(error instanceof Error ? error : new Error(String(error)))
      }
      return
    }
    // Everything is in: the element learns the whole duration and plays to the end.
    if (this.complete) this.#source.endOfStream()
  }
}
