/**
 * Applies the chosen theme as `data-theme="light|dark"` on `<html>`.
 * `system` follows `prefers-color-scheme` and keeps following it while chosen.
 */
import type { Theme } from '@shared/contract'

export type ResolvedTheme = 'light' | 'dark'

const query = '(prefers-color-scheme: dark)'
let chosen: Theme = 'system'
let media: MediaQueryList | null = null

function systemTheme(): ResolvedTheme {
  return media?.matches ? 'dark' : 'light'
}

function watchSystem(): void {
  if (media || typeof window === 'undefined' || typeof window.matchMedia !== 'function') return
  media = window.matchMedia(query)
  media.addEventListener('change', () => {
    if (chosen === 'system') paint(systemTheme())
  })
}

function paint(resolved: ResolvedTheme): void {
  const root = document.documentElement
  root.dataset.theme = resolved
  root.style.colorScheme = resolved
}

export function resolveTheme(theme: Theme): ResolvedTheme {
  watchSystem()
  return theme === 'system' ? systemTheme() : theme
}

/** Sets `data-theme` for `theme` now; returns what was applied. */
export function applyTheme(theme: Theme): ResolvedTheme {
  chosen = theme
  const resolved = resolveTheme(theme)
  paint(resolved)
  return resolved
}
