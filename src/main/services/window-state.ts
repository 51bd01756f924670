/**
 * Where each window was: size, position, maximised or full screen, kept in
 * `window-state.json` (not in the settings: it changes with every drag and
 * is no preference). Restoring checks the displays there are now: a window
 * whose display is gone, or that would open mostly off screen, opens centred
 * on the primary display instead.
 */
import { readFileSync } from 'node:fs'
import * as v from 'valibot'
import { writeFileAtomic } from './files/atomic-write'

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export interface SavedWindowState {
  bounds: Rect
  maximized: boolean
  fullScreen: boolean
}

/** A display as Electron's screen module gives it; `workArea` leaves out the task bar and dock. */
export interface DisplayInfo {
  id: number
  workArea: Rect
}

export interface WindowDefaults {
  width: number
  height: number
  minWidth: number
  minHeight: number
}

export interface RestoredWindowState {
  /** x and y are missing when the window should be centred by the OS. */
  bounds: { x?: number; y?: number; width: number; height: number }
  maximized: boolean
  fullScreen: boolean
}

/** How much of a window must lie on a display for it to count as there: enough of its title bar to grab. */
const MIN_VISIBLE = { width: 120, height: 60 }

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return { width: Math.max(0, width), height: Math.max(0, height) }
}

/**
 * Where a window opens. Its saved place when one of today's displays shows
 * enough of its top edge; otherwise centred on the primary display, with its
 * saved size shrunk to fit there. Sizes never go below the window's minimum.
 */
export function restoreWindowState(saved: SavedWindowState | null, displays: readonly DisplayInfo[], primary: DisplayInfo, defaults: WindowDefaults): RestoredWindowState {
  if (!saved) return { bounds: { width: defaults.width, height: defaults.height }, maximized: false, fullScreen: false }
  const width = Math.max(defaults.minWidth, Math.round(saved.bounds.width))
  const height = Math.max(defaults.minHeight, Math.round(saved.bounds.height))
  const titleBar: Rect = { x: saved.bounds.x, y: saved.bounds.y, width, height: MIN_VISIBLE.height }
  const home = displays.find((display) => {
    const seen = overlap(titleBar, display.workArea)
    return seen.width >= Math.min(MIN_VISIBLE.width, width) && seen.height >= MIN_VISIBLE.height / 2
  })
  const state = { maximized: saved.maximized, fullScreen: saved.fullScreen }
  if (home) return { bounds: { x: Math.round(saved.bounds.x), y: Math.round(saved.bounds.y), width, height }, ...state }
  const area = primary.workArea
  const fitWidth = Math.max(defaults.minWidth, Math.min(width, area.width))
  const fitHeight = Math.max(defaults.minHeight, Math.min(height, area.height))
  return {
    bounds: {
      x: Math.round(area.x + (area.width - fitWidth) / 2),
      y: Math.round(area.y + (area.height - fitHeight) / 2),
      width: fitWidth,
      height: fitHeight
    },
    ...state
  }
}

const finite = v.pipe(v.number(), v.finite())
const stateSchema = v.object({
  bounds: v.object({ x: finite, y: finite, width: v.pipe(finite, v.minValue(1)), height: v.pipe(finite, v.minValue(1)) }),
  maximized: v.boolean(),
  fullScreen: v.boolean()
})
const fileSchema = v.record(v.string(), v.unknown())

export const WINDOW_STATE_FILE = 'window-state.json'

/** The saved states of every window, by name (`main`, `quick`). */
export class WindowStateStore {
  readonly #path: string
  #states: Record<string, SavedWindowState> = {}

  constructor(path: string) {
    this.#path = path
    this.#states = readStates(path)
  }

  get(name: string): SavedWindowState | null {
    return this.#states[name] ?? null
  }

  async save(name: string, state: SavedWindowState): Promise<void> {
    this.#states = { ...this.#states, [name]: state }
    await writeFileAtomic(this.#path, JSON.stringify(this.#states, null, 2))
  }
}

/** An unreadable or hand-broken file is no reason to fail: windows open at their defaults, entry by entry. */
function readStates(path: string): Record<string, SavedWindowState> {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return {}
  }
  const file = v.safeParse(fileSchema, raw)
  if (!file.success) return {}
  const states: Array<[string, SavedWindowState]> = []
  for (const [name, entry] of Object.entries(file.output)) {
    const parsed = v.safeParse(stateSchema, entry)
    if (parsed.success) states.push([name, parsed.output])
  }
  // fromEntries defines own keys, so a `__proto__` entry is only a name.
  return Object.fromEntries(states)
}
