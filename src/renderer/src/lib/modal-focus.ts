/**
 * `use:modalFocus` on a dialog: it takes the focus when it opens, keeps Tab
 * and Shift+Tab cycling inside it while it is open, and gives the focus back
 * to whatever had it when it closes, so the keyboard never gets lost.
 *
 * Written here rather than taken from a package: the app's dialogs are plain
 * elements inside the page (not `<dialog>`), and wrapping Tab over their
 * focusable elements is all they need.
 */
const focusable = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
  '[contenteditable="true"]'
].join(',')

/** The elements Tab reaches inside `root`, in order. */
export function tabbableIn(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(focusable)].filter(
    (element) => element.tabIndex >= 0 && !element.closest('[inert]') && element.getClientRects().length > 0
  )
}

/** Keeps a Tab press inside `root`: from the last element to the first and back. */
export function wrapTab(root: HTMLElement, event: KeyboardEvent): void {
  if (event.key !== 'Tab' || event.defaultPrevented) return
  const items = tabbableIn(root)
  const first = items[0]
  const last = items.at(-1)
  const active = document.activeElement
  if (!first || !last) {
    event.preventDefault()
    return
  }
  if (event.shiftKey && (active === first || active === root || !root.contains(active))) {
    event.preventDefault()
    last.focus()
  } else if (!event.shiftKey && (active === last || !root.contains(active))) {
    event.preventDefault()
    first.focus()
  }
}

/**
 * Remembers what has the focus now; the function it returns gives it back,
 * unless the person has since moved it somewhere outside `panel` (a panel
 * that is not modal must not pull the focus back from where they went).
 */
export function rememberFocus(): (panel?: HTMLElement | null) => void {
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null
  return (panel) => {
    const active = document.activeElement
    const lost = !active || active === document.body || !active.isConnected
    if (lost || !panel || panel.contains(active)) previous?.focus()
  }
}

export function modalFocus(node: HTMLElement): { destroy(): void } {
  const giveBack = rememberFocus()
  const onkeydown = (event: KeyboardEvent): void => wrapTab(node, event)
  node.addEventListener('keydown', onkeydown)
  node.focus()
  return {
    destroy: () => {
      node.removeEventListener('keydown', onkeydown)
      giveBack()
    }
  }
}
