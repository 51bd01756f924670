/** Short-lived notes at the bottom of the window ("Saved to …", "Deleted … · Undo"). */

export interface ToastAction {
  label: string
  run: () => void | Promise<void>
  /** `data-testid` of the action button. */
  testId?: string
}

export interface Toast {
  id: number
  message: string
  kind: 'info' | 'success' | 'error'
  action: ToastAction | null
}

export interface ToastOptions {
  kind?: Toast['kind']
  action?: ToastAction
  /** How long it stays; 0 keeps it until dismissed. */
  timeoutMs?: number
}

export class ToastStore {
  items = $state.raw<Toast[]>([])

  #next = 1
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- timers are bookkeeping, not UI state
  #timers = new Map<number, ReturnType<typeof setTimeout>>()

  show(message: string, options: ToastOptions = {}): number {
    const id = this.#next++
    const toast: Toast = { id, message, kind: options.kind ?? 'info', action: options.action ?? null }
    // Keep a handful at most: the oldest go first.
    this.items = [...this.items.slice(-3), toast]
    const timeout = options.timeoutMs ?? 5000
    if (timeout > 0) this.#timers.set(id, setTimeout(() => this.dismiss(id), timeout))
    return id
  }

  dismiss(id: number): void {
    clearTimeout(this.#timers.get(id))
    this.#timers.delete(id)
    if (this.items.some((toast) => toast.id === id)) this.items = this.items.filter((toast) => toast.id !== id)
  }

  /** Runs the toast's action once and closes it. */
  async act(id: number): Promise<void> {
    const toast = this.items.find((item) => item.id === id)
    if (!toast?.action) return
    this.dismiss(id)
    await toast.action.run()
  }

  clear(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer)
    this.#timers.clear()
    this.items = []
  }
}
