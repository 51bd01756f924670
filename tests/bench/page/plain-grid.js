/* global window, document */
/**
 * The peer of the library grid benchmark: the library's cards shown the way
 * the peers' history panels do, every full-size file as a plain `<img>` in
 * one CSS grid, no virtualisation, no thumbnails. An init script like
 * instrument.js (whose `__bench.timeFirstScreen` it uses), so both
 * contenders' pages carry the same scripts when their memory is compared.
 *
 * window.__plainGrid = {
 *   show(geometry) → fetches the cards (`library.query`), replaces the page
 *     with the grid laid out like the app's, and times its first screen
 *   waitLoaded(budgetMs) → { loaded, failed, total, ms } once every image
 *     has loaded, or when the budget is spent
 * }
 */
;(() => {
  const SCROLLER = '[data-testid="plain-grid"]'
  const ITEM = 'img'

  async function show(geometry, options = {}) {
    const t0 = performance.now()
    const envelope = await window.api.library.query({})
    if (!envelope.ok) throw new Error(envelope.error.message)
    // The same answer the app gets: the cards as columns (src/shared/library-columns.ts).
    const { ids, paths, colors } = envelope.result.columns
    const dataMs = performance.now() - t0

    const scroller = document.createElement('div')
    scroller.dataset.testid = 'plain-grid'
    scroller.dataset.columns = String(geometry.columns)
    Object.assign(scroller.style, {
      position: 'fixed',
      left: `${geometry.left}px`,
      top: `${geometry.top}px`,
      width: `${geometry.width}px`,
      height: `${geometry.height}px`,
      overflowY: 'auto',
      display: 'grid',
      gridTemplateColumns: `repeat(${geometry.columns}, ${geometry.cardSize}px)`,
      gridAutoRows: `${geometry.cardSize}px`,
      gap: `${geometry.gap}px`,
      padding: `0 ${geometry.padding}px`,
      alignContent: 'start',
      boxSizing: 'border-box'
    })
    for (let index = 0; index < ids.length; index++) {
      const image = document.createElement('img')
      image.alt = ''
      image.dataset.id = ids[index]
      // A fixed size, as a careful panel sets it: an image that loads then needs no layout of the grid.
      image.width = geometry.cardSize
      image.height = geometry.cardSize
      image.style.cssText = `width:${geometry.cardSize}px;height:${geometry.cardSize}px;object-fit:cover;border-radius:10px;background:${colors[index] ?? '#888'}`
      image.src = paths[index].startsWith('/') ? paths[index] : `/media/${paths[index]}`
      scroller.append(image)
    }
    document.body.replaceChildren(scroller)
    const buildMs = performance.now() - t0
    const timing = await window.__bench.timeFirstScreen(t0, { scroller: SCROLLER, item: ITEM, timeoutMs: options.timeoutMs })
    return { ...timing, dataMs, buildMs, items: ids.length }
  }

  function waitLoaded(budgetMs) {
    const started = performance.now()
    return new Promise((resolve) => {
      const check = () => {
        const images = document.querySelectorAll(`${SCROLLER} ${ITEM}`)
        let loaded = 0
        let failed = 0
        for (const image of images) {
          if (!image.complete) continue
          if (image.naturalWidth > 0) loaded++
          else failed++
        }
        const ms = performance.now() - started
        if (loaded + failed === images.length || ms > budgetMs) resolve({ loaded, failed, total: images.length, ms })
        else setTimeout(check, 100)
      }
      check()
    })
  }

  Object.defineProperty(window, '__plainGrid', { value: { show, waitLoaded, scroller: SCROLLER, item: ITEM } })
})()
