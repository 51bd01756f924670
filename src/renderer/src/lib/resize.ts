/**
 * An element's content size, now and whenever it changes, as an attachment:
 * `<div {@attach sized((width, height) => ...)}>`.
 */
import type { Attachment } from 'svelte/attachments'

export function sized(callback: (width: number, height: number) => void): Attachment<Element> {
  return (element) => {
    const observer = new ResizeObserver((entries) => {
      for (const entry of entries) callback(entry.contentRect.width, entry.contentRect.height)
    })
    observer.observe(element)
    return () => observer.disconnect()
  }
}
