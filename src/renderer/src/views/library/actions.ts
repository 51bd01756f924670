/** Library actions shared by the grid and the viewer, with their toasts. */
import { errorSummary } from '../../components/error-text'
import { asAppError } from '../../lib/errors'
import type { LibraryStore } from '../../lib/state/library.svelte'
import type { ToastStore } from '../../lib/state/toasts.svelte'

/** A toast saying what failed, with the server's words. */
export function showFailure(toasts: ToastStore, what: string, error: unknown): void {
  toasts.show(`${what}: ${errorSummary(asAppError(error))}`, { kind: 'error' })
}

export function itemCount(count: number): string {
  return count === 1 ? '1 item' : `${count.toLocaleString('en-US')} items`
}

/** Moves items to the library's trash, with an Undo in the toast. Returns false when main refused. */
export async function trashWithUndo(library: LibraryStore, toasts: ToastStore, ids: string[]): Promise<boolean> {
  if (ids.length === 0) return false
  try {
    const count = await library.trash(ids)
    toasts.show(`Moved ${itemCount(count)} to the trash.`, {
      timeoutMs: 8000,
      action: {
        label: 'Undo',
        testId: 'undo-trash',
        run: async () => {
          try {
            await library.restore(ids)
          } catch (error) {
            showFailure(toasts, 'Could not restore', error)
          }
        }
      }
    })
    return true
  } catch (error) {
    showFailure(toasts, 'Could not move to the trash', error)
    return false
  }
}
