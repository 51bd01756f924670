/**
 * `use:modalFocus` on a dialog: it takes the focus when it opens and gives
 * it back to whatever had it when it closes, so the keyboard never gets lost.
 */
export function modalFocus(node: HTMLElement): { destroy(): void } {
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null
  node.focus()
  return { destroy: () => previous?.focus() }
}
