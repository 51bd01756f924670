/**
 * A small semaphore: at most `size` tasks run at once, the rest wait their
 * turn in order. Bounds work that holds a lot of memory or threads each
 * (decoding images, making thumbnails). A dozen lines, so not a package.
 */
export class Gate {
  #active = 0
  readonly #waiting: Array<() => void> = []
  readonly #size: number

  constructor(size: number) {
    this.#size = size
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    while (this.#active >= this.#size) await new Promise<void>((resume) => this.#waiting.push(resume))
    this.#active++
    try {
      return await task()
    } finally {
      this.#active--
      this.#waiting.shift()?.()
    }
  }
}
