/* global window, document, requestAnimationFrame, EventSource, CSS */
/**
 * Init script of the benchmark pages (page.addInitScript: runs before the
 * app's own scripts, outside its CSP). Plain JavaScript on purpose: the node
 * typecheck of tests/ must not follow it into DOM code.
 *
 * window.__bench = {
 *   startRecording(), stopRecording() → { updates, frames }
 *   measureOpen(conversationId, lastMessageId) → timings of opening a conversation
 *   timeFirstScreen(t0, options) → until the images in a scroller's box are painted
 *   measureGridOpen(options) → a click, then timeFirstScreen (the library grid)
 *   scrollEndToEnd(selector, options) → { frames, updates, ... } of a scroller scrolled to its end
 * }
 *
 * Updates: every `chat.delta` the app's bridge receives is timed from the
 * start of its listener until the microtasks it queued have run (Svelte
 * flushes its DOM updates in a microtask), so `end - start` is the script
 * cost of one streamed update, DOM writes included; layout and paint come
 * later, in the frame.
 *
 * Frames: a requestAnimationFrame loop records each frame's timestamp, when
 * its callback ran, and when a message posted from that callback arrived:
 * Chromium runs it right after the frame's style, layout and paint, so
 * `done - cb` is the frame's rendering work (plus any task that ran first,
 * which the analysis accounts for).
 */
;(() => {
  const bench = {
    recording: false,
    updates: [],
    frames: [],
    startRecording() {
      bench.updates = []
      bench.frames = []
      bench.recording = true
      frameLoop()
    },
    stopRecording() {
      bench.recording = false
      const updates = bench.updates.map(({ start, end, data }) => ({ start, end, chars: contentLength(data) }))
      return { updates, frames: bench.frames.filter((frame) => frame.done > 0) }
    },
    measureOpen,
    timeFirstScreen,
    measureGridOpen,
    scrollEndToEnd
  }
  Object.defineProperty(window, '__bench', { value: bench })

  function frameLoop() {
    const channel = new MessageChannel()
    let current = null
    channel.port1.onmessage = () => {
      if (current) current.done = performance.now()
      current = null
    }
    const tick = (ts) => {
      if (!bench.recording) {
        channel.port1.close()
        return
      }
      current = { ts, cb: performance.now(), done: 0 }
      bench.frames.push(current)
      channel.port2.postMessage(null)
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  }

  // ------------------------------------------------------------ streamed updates

  const add = EventSource.prototype.addEventListener
  const remove = EventSource.prototype.removeEventListener
  const wrappers = new WeakMap()
  EventSource.prototype.addEventListener = function (type, listener, options) {
    if (type !== 'chat.delta' || typeof listener !== 'function') return add.call(this, type, listener, options)
    let wrapped = wrappers.get(listener)
    if (!wrapped) {
      wrapped = function (event) {
        if (!bench.recording) return listener.call(this, event)
        const start = performance.now()
        try {
          return listener.call(this, event)
        } finally {
          // Svelte's flush was queued during the listener: it runs before these.
          queueMicrotask(() =>
            queueMicrotask(() => {
              const end = performance.now()
              // The delta's length is read when the recording stops: parsing it here would add work to the stream being measured.
              bench.updates.push({ start, end, data: event.data })
            })
          )
        }
      }
      wrappers.set(listener, wrapped)
    }
    return add.call(this, type, wrapped, options)
  }
  function contentLength(data) {
    try {
      return JSON.parse(data).content.length
    } catch {
      return 0
    }
  }
  EventSource.prototype.removeEventListener = function (type, listener, options) {
    return remove.call(this, type, wrappers.get(listener) ?? listener, options)
  }

  // ------------------------------------------------------------ opening a conversation

  function afterPaint() {
    return new Promise((resolve) => {
      const channel = new MessageChannel()
      channel.port1.onmessage = () => {
        channel.port1.close()
        resolve(performance.now())
      }
      channel.port2.postMessage(null)
    })
  }

  function visibleRows(list) {
    const box = list.getBoundingClientRect()
    let count = 0
    const ids = []
    for (const row of list.querySelectorAll('[data-testid="message"]')) {
      const rect = row.getBoundingClientRect()
      if (rect.height > 0 && rect.bottom > box.top && rect.top < box.bottom) {
        count++
        ids.push(row.dataset.id)
      }
    }
    return { count, key: `${ids.join(',')}@${Math.round(list.scrollTop)}` }
  }

  /**
   * Clicks the conversation in the sidebar and resolves with the time until
   * the frame that first shows its last message inside the list's viewport
   * has been painted (`paintMs`), and until the visible rows and the scroll
   * position stopped changing for five frames (`settledMs`, from the first
   * of those frames).
   */
  function measureOpen(conversationId, lastMessageId, options = {}) {
    const settleFrames = options.settleFrames ?? 5
    const timeoutMs = options.timeoutMs ?? 20_000
    const button = document.querySelector(`[data-testid="conversation-item"][data-id="${CSS.escape(conversationId)}"] button.open`)
    if (!button) return Promise.reject(new Error(`no conversation item for ${conversationId}`))
    return new Promise((resolve, reject) => {
      const result = { paintMs: 0, fetchMs: 0, listMs: 0, settledMs: 0, visibleRows: 0, renderedRows: 0, settledVisibleRows: 0, settledRenderedRows: 0, frames: 0 }
      let t0 = 0
      let shownAt = 0
      let stableKey = ''
      let stableCount = 0
      let stableSince = 0
      const frame = () => {
        result.frames++
        const now = performance.now()
        if (now - t0 > timeoutMs) {
          reject(new Error(`the conversation did not show within ${timeoutMs} ms`))
          return
        }
        const list = document.querySelector('[data-testid="message-list"]')
        if (list && !result.listMs) result.listMs = now - t0
        if (list && !shownAt) {
          const last = list.querySelector(`[data-testid="message"][data-id="${CSS.escape(lastMessageId)}"]`)
          if (last) {
            const box = list.getBoundingClientRect()
            const rect = last.getBoundingClientRect()
            if (rect.height > 0 && rect.bottom > box.top && rect.top < box.bottom) {
              shownAt = now
              const rows = visibleRows(list)
              result.visibleRows = rows.count
              result.renderedRows = list.querySelectorAll('[data-testid="message"]').length
              void afterPaint().then((painted) => {
                result.paintMs = painted - t0
              })
            }
          }
        }
        if (shownAt && list) {
          const { key } = visibleRows(list)
          if (key === stableKey) stableCount++
          else {
            stableKey = key
            stableCount = 1
            stableSince = now
          }
          if (stableCount >= settleFrames && result.paintMs > 0) {
            result.settledMs = Math.max(result.paintMs, stableSince - t0)
            result.settledVisibleRows = visibleRows(list).count
            result.settledRenderedRows = list.querySelectorAll('[data-testid="message"]').length
            // When the conversation's data had arrived (the bridge call's response end).
            const call = performance
              .getEntriesByType('resource')
              .filter((entry) => entry.name.includes('/bridge/conversations.get') && entry.startTime >= t0)
              .at(-1)
            result.fetchMs = call ? call.responseEnd - t0 : 0
            resolve(result)
            return
          }
        }
        requestAnimationFrame(frame)
      }
      t0 = performance.now()
      button.click()
      requestAnimationFrame(frame)
    })
  }

  // ------------------------------------------------------------ image grids

  /**
   * When the frame whose rAF callback is running has been painted: the
   * earlier of a message posted now and the next frame's rAF callback. The
   * message usually comes first; but while many images load, Chromium's
   * scheduler can run their tasks ahead of it for seconds, and the next
   * frame cannot begin before this one's paint is over.
   */
  function paintedAfter() {
    return new Promise((resolve) => {
      let done = false
      const finish = () => {
        if (done) return
        done = true
        channel.port1.close()
        resolve(performance.now())
      }
      const channel = new MessageChannel()
      channel.port1.onmessage = finish
      channel.port2.postMessage(null)
      requestAnimationFrame(finish)
    })
  }

  /** The items inside the scroller's box (partly visible ones too). */
  function itemsInView(scroller, selector) {
    const box = scroller.getBoundingClientRect()
    const inView = []
    for (const item of scroller.querySelectorAll(selector)) {
      const rect = item.getBoundingClientRect()
      if (rect.height > 0 && rect.bottom > box.top && rect.top < box.bottom && rect.right > box.left && rect.left < box.right) inView.push(item)
    }
    return inView
  }

  function imageOf(item) {
    return item.tagName === 'IMG' ? item : item.querySelector('img')
  }

  function imageShown(image) {
    return image !== null && image.complete && image.naturalWidth > 0
  }

  /** The last request to a URL containing `part` that started after t0: when its response had arrived (from t0), the wait for its first byte, its size. */
  function requestTiming(part, t0) {
    const entry = performance
      .getEntriesByType('resource')
      .filter((candidate) => candidate.name.includes(part) && candidate.startTime >= t0)
      .at(-1)
    return entry
      ? { endMs: entry.responseEnd - t0, waitMs: entry.responseStart - entry.requestStart, downloadMs: entry.responseEnd - entry.responseStart, bytes: entry.decodedBodySize }
      : { endMs: 0, waitMs: 0, downloadMs: 0, bytes: 0 }
  }

  /** The layout of a grid's first row: where the scroller is, how wide the cards are, the gap and padding. */
  function gridGeometry(scroller, selector) {
    const box = scroller.getBoundingClientRect()
    const [first, second] = scroller.querySelectorAll(selector)
    const card = first.getBoundingClientRect()
    const next = second ? second.getBoundingClientRect() : card
    return {
      left: box.left,
      top: box.top,
      width: box.width,
      height: box.height,
      columns: Number(scroller.dataset.columns ?? 1),
      cardSize: card.width,
      gap: next.left > card.right ? next.left - card.right : 0,
      padding: card.left - box.left
    }
  }

  /**
   * From `t0`, a rAF loop until every item inside the scroller's box has its
   * image loaded (`complete` with a natural size), then until that frame has
   * been painted (paintedAfter). Timed from t0: `itemsMs` the first frame
   * with items in view and `itemsPaintMs` its paint (the placeholders),
   * `loadedMs` the frame where every image in view had loaded, `paintMs`
   * that frame painted, `lastImageMs` the last of those images' responses,
   * `decodedMs` their `decode()` resolved (asked only after the paint, so it
   * cannot hurry it).
   */
  function timeFirstScreen(t0, options) {
    const timeoutMs = options.timeoutMs ?? 30_000
    return new Promise((resolve, reject) => {
      const result = { itemsMs: 0, itemsPaintMs: 0, loadedMs: 0, paintMs: 0, lastImageMs: 0, decodedMs: 0, inView: 0, rendered: 0, frames: 0, geometry: null }
      let itemsPainted = null
      const frame = () => {
        result.frames++
        const now = performance.now()
        const scroller = document.querySelector(options.scroller)
        const inView = scroller ? itemsInView(scroller, options.item) : []
        if (now - t0 > timeoutMs) {
          const shown = inView.filter((item) => imageShown(imageOf(item))).length
          reject(new Error(`after ${timeoutMs} ms, ${shown} of the ${inView.length} items in view show their image`))
          return
        }
        if (inView.length > 0 && !result.itemsMs) {
          result.itemsMs = now - t0
          itemsPainted = paintedAfter()
        }
        if (inView.length === 0 || !inView.every((item) => imageShown(imageOf(item)))) {
          requestAnimationFrame(frame)
          return
        }
        result.loadedMs = now - t0
        result.inView = inView.length
        result.rendered = scroller.querySelectorAll(options.item).length
        result.geometry = gridGeometry(scroller, options.item)
        const images = inView.map(imageOf)
        const sources = new Set(images.map((image) => image.currentSrc))
        void paintedAfter()
          .then(async (painted) => {
            result.paintMs = painted - t0
            result.itemsPaintMs = (await itemsPainted) - t0
            const ends = performance
              .getEntriesByType('resource')
              .filter((entry) => entry.startTime >= t0 && sources.has(entry.name))
              .map((entry) => entry.responseEnd - t0)
            result.lastImageMs = ends.length > 0 ? Math.max(...ends) : 0
            await Promise.all(images.map((image) => image.decode().catch(() => undefined)))
            result.decodedMs = performance.now() - t0
            resolve(result)
          })
          .catch(reject)
      }
      requestAnimationFrame(frame)
    })
  }

  /**
   * Clicks `options.button` and times the first screen of `options.scroller`
   * (see timeFirstScreen); `data` is the bridge call `options.call`'s
   * request (its `endMs`: when the cards had arrived).
   */
  async function measureGridOpen(options) {
    const button = document.querySelector(options.button)
    if (!button) throw new Error(`no ${options.button}`)
    const t0 = performance.now()
    button.click()
    const result = await timeFirstScreen(t0, options)
    const data = requestTiming(`/bridge/${options.call}`, t0)
    return { ...result, dataMs: data.endMs, data }
  }

  /**
   * Scrolls a scroller from its top to its end, `stepPx` (default: its
   * height) per frame, recording each frame as { ts, cb, done } and the
   * scroller's own `scroll` handling as updates: a capture listener starts
   * the span, a listener added after the page's own ends it (microtasks such
   * as Svelte's flush run between listeners). A frame's `done` is the
   * message posted in its rAF callback, or, when that is held back behind
   * other tasks, the start of the next frame's work (its scroll handling or
   * rAF callback), so no work is counted in two frames. Stops at the end
   * (after `settleFrames` more frames) or after `maxMs`. `requests`: counts
   * the responses to URLs containing it that completed during the scroll.
   */
  function scrollEndToEnd(selector, options = {}) {
    const scroller = document.querySelector(selector)
    if (!scroller) return Promise.reject(new Error(`no ${selector}`))
    const step = options.stepPx ?? scroller.clientHeight
    const maxMs = options.maxMs ?? 60_000
    const settleFrames = options.settleFrames ?? 10
    const updates = []
    const frames = []
    let open = null
    const close = (now) => {
      if (open) open.done = now
      open = null
    }
    let spanStart = 0
    const begin = () => {
      spanStart = performance.now()
      close(spanStart)
    }
    const end = () => {
      if (spanStart) updates.push({ start: spanStart, end: performance.now(), chars: 0 })
      spanStart = 0
    }
    scroller.addEventListener('scroll', begin, { capture: true, passive: true })
    scroller.addEventListener('scroll', end, { passive: true })
    let requests = 0
    // An observer sees every entry, also past the resource timing buffer's 250.
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (options.requests && entry.name.includes(options.requests)) requests++
    })
    observer.observe({ type: 'resource' })
    return new Promise((resolve) => {
      const channel = new MessageChannel()
      channel.port1.onmessage = () => close(performance.now())
      const t0 = performance.now()
      let steps = 0
      let distance = 0
      let after = 0
      let timedOut = false
      const finish = (now, atEnd) => {
        channel.port1.close()
        for (const entry of observer.takeRecords()) if (options.requests && entry.name.includes(options.requests)) requests++
        observer.disconnect()
        scroller.removeEventListener('scroll', begin, { capture: true })
        scroller.removeEventListener('scroll', end)
        const items = options.item ? scroller.querySelectorAll(options.item) : []
        resolve({
          frames: frames.filter((frame) => frame.done > 0),
          updates,
          steps,
          distance,
          requests,
          reachedEnd: atEnd,
          timedOut,
          wallMs: now - t0,
          scrollTop: scroller.scrollTop,
          scrollHeight: scroller.scrollHeight,
          lastItemId: items.length > 0 ? (items[items.length - 1].dataset.id ?? null) : null
        })
      }
      const tick = (ts) => {
        const now = performance.now()
        close(now)
        const atEnd = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1
        timedOut = timedOut || (!atEnd && now - t0 > maxMs)
        if ((atEnd || timedOut) && after++ >= settleFrames) {
          finish(now, atEnd)
          return
        }
        open = { ts, cb: now, done: 0 }
        frames.push(open)
        channel.port2.postMessage(null)
        if (!atEnd && !timedOut) {
          const before = scroller.scrollTop
          scroller.scrollTop = before + step
          distance += scroller.scrollTop - before
          steps++
        }
        requestAnimationFrame(tick)
      }
      scroller.scrollTop = 0
      requestAnimationFrame(tick)
    })
  }
})()
