/* global window, document, requestAnimationFrame, EventSource, CSS */
/**
 * Init script of the benchmark pages (page.addInitScript: runs before the
 * app's own scripts, outside its CSP). Plain JavaScript on purpose: the node
 * typecheck of tests/ must not follow it into DOM code.
 *
 * window.__bench = {
 *   startRecording(), stopRecording() → { updates, frames }
 *   measureOpen(conversationId, lastMessageId) → timings of opening a conversation
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
      return { updates: bench.updates, frames: bench.frames.filter((frame) => frame.done > 0) }
    },
    measureOpen
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
              bench.updates.push({ start, end, chars: contentLength(event.data) })
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
})()
