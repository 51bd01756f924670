/**
 * Clicks inside rendered markdown, by delegation on one root element:
 * - a Copy button (`[data-copy]`) copies the raw code of its block and shows
 *   "Copied" for a moment;
 * - a link never navigates the window: http(s) and mailto links are handed
 *   to `openExternal` (the app opens them in the system browser), others do
 *   nothing.
 */

export interface InteractionOptions {
  openExternal(url: string): unknown
  /** Default: `navigator.clipboard.writeText`. */
  copy?(text: string): Promise<void>
  /** How long the button says "Copied". */
  copiedMs?: number
}

const EXTERNAL = /^(?:https?:\/\/|mailto:)/i

/** The raw code of the block a Copy button belongs to. */
export function codeOf(button: Element): string {
  const block = button.closest('.md-code')
  return block?.querySelector('pre code')?.textContent ?? ''
}

export function attachMarkdownInteractions(root: HTMLElement, options: InteractionOptions): () => void {
  const timers = new Map<Element, ReturnType<typeof setTimeout>>()
  const copiedMs = options.copiedMs ?? 1500

  function show(button: Element, label: string, state: string): void {
    button.textContent = label
    button.setAttribute('data-state', state)
    const previous = timers.get(button)
    if (previous !== undefined) clearTimeout(previous)
    timers.set(
      button,
      setTimeout(() => {
        timers.delete(button)
        button.textContent = 'Copy'
        button.removeAttribute('data-state')
      }, copiedMs)
    )
  }

  async function copy(button: Element): Promise<void> {
    const text = codeOf(button)
    try {
      if (options.copy) await options.copy(text)
      else await navigator.clipboard.writeText(text)
      show(button, 'Copied', 'copied')
    } catch {
      show(button, 'Copy failed', 'failed')
    }
  }

  function linkOf(event: Event): Element | null {
    const target = event.target
    if (!(target instanceof Element)) return null
    const link = target.closest('a')
    return link && root.contains(link) ? link : null
  }

  function onClick(event: MouseEvent): void {
    const target = event.target
    if (!(target instanceof Element)) return
    const button = target.closest('[data-copy]')
    if (button && root.contains(button)) {
      event.preventDefault()
      void copy(button)
      return
    }
    const link = linkOf(event)
    if (!link) return
    event.preventDefault()
    const href = link.getAttribute('href')?.trim() ?? ''
    if (EXTERNAL.test(href)) void Promise.resolve(options.openExternal(href)).catch(() => {})
  }

  /** Middle click: the same as a click, never a new window. */
  function onAuxClick(event: MouseEvent): void {
    if (event.button !== 1) return
    onClick(event)
  }

  root.addEventListener('click', onClick)
  root.addEventListener('auxclick', onAuxClick)
  return () => {
    root.removeEventListener('click', onClick)
    root.removeEventListener('auxclick', onAuxClick)
    for (const timer of timers.values()) clearTimeout(timer)
    timers.clear()
  }
}
