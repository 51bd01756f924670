/**
 * WCAG AA contrast of the theme's colour pairs, read from app.css, in light
 * and dark: 4.5:1 for text, 3:1 for parts of the interface (WCAG 1.4.3 and
 * 1.4.11). The browser tests measure the rendered text with axe-core; this
 * covers the pairs a screen may not show at that moment (hover, warnings).
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const css = readFileSync(resolve(import.meta.dirname, '../../src/renderer/src/app.css'), 'utf8')

type Rgba = [number, number, number, number]

/** The custom properties declared directly in the block that `selector` opens. */
function variables(selector: string): Map<string, string> {
  const start = css.indexOf(`${selector} {`)
  if (start === -1) throw new Error(`app.css has no block for ${selector}`)
  const body = css.slice(start, css.indexOf('\n}', start))
  return new Map([...body.matchAll(/(--[\w-]+):\s*([^;]+);/g)].map((m) => [m[1] as string, (m[2] as string).trim()]))
}

function parseColor(value: string): Rgba {
  const hex = /^#([0-9a-f]{6})$/i.exec(value)
  if (hex) {
    const n = Number.parseInt(hex[1] as string, 16)
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 1]
  }
  const rgba = /^rgba?\(\s*([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\s*\)$/.exec(value)
  if (rgba) return [Number(rgba[1]), Number(rgba[2]), Number(rgba[3]), rgba[4] === undefined ? 1 : Number(rgba[4])]
  throw new Error(`not a colour this test reads: ${value}`)
}

/** A translucent colour as it shows over an opaque one. */
function over(top: Rgba, base: Rgba): Rgba {
  const a = top[3]
  return [0, 1, 2].map((i) => (top[i] as number) * a + (base[i] as number) * (1 - a)).concat(1) as Rgba
}

// WCAG 2's relative luminance and contrast ratio; a dozen lines, so no package for it.
function luminance([r, g, b]: Rgba): number {
  const channel = (c: number): number => {
    const s = c / 255
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

function contrastRatio(a: Rgba, b: Rgba): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (light + 0.05) / (dark + 0.05)
}

const TEXT = 4.5
const UI = 3

/** [foreground, background, minimum]; a translucent background is taken over --surface. */
const pairs: ReadonlyArray<readonly [string, string, number]> = [
  ...['--bg', '--rail-bg', '--surface', '--surface-2', '--surface-hover'].flatMap((bg) => [
    ['--text', bg, TEXT] as const,
    ['--text-muted', bg, TEXT] as const,
    ['--text-faint', bg, TEXT] as const,
    ['--accent-text', bg, TEXT] as const
  ]),
  ['--accent-text', '--accent-soft', TEXT],
  ['--accent-fg', '--accent', TEXT],
  ['--accent-fg', '--accent-hover', TEXT],
  ['--danger', '--surface', TEXT],
  ['--danger', '--danger-soft', TEXT],
  ['--text-faint', '--danger-soft', TEXT],
  ['--warning', '--surface', TEXT],
  ['--warning', '--warning-soft', TEXT],
  ['--success', '--surface', TEXT],
  ['--success', '--success-soft', TEXT],
  // Switches, selected chips and the focus outline must stand out from what is around them.
  ['--accent', '--surface', UI],
  ['--accent', '--bg', UI],
  ['--focus-color', '--surface', UI],
  ['--focus-color', '--bg', UI],
  ['--focus-color', '--surface-hover', UI]
]

const themes = { light: variables(':root'), dark: new Map([...variables(':root'), ...variables(":root[data-theme='dark']")]) }

describe.each(Object.entries(themes))('theme colours meet WCAG AA, %s', (_theme, vars) => {
  const color = (name: string): Rgba => {
    const value = vars.get(name)
    if (value === undefined) throw new Error(`app.css does not declare ${name}`)
    return parseColor(value)
  }
  const surface = (): Rgba => color('--surface')

  it.each(pairs.map(([fg, bg, min]) => ({ fg, bg, min })))('$fg on $bg ≥ $min', ({ fg, bg, min }) => {
    const background = over(color(bg), surface())
    const foreground = over(color(fg), background)
    const ratio = contrastRatio(foreground, background)
    expect(ratio, `${fg} (${vars.get(fg)}) on ${bg} (${vars.get(bg)}) is ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(min)
  })
})

describe('contrastRatio', () => {
  it('gives the WCAG figures for known pairs', () => {
    expect(contrastRatio([0, 0, 0, 1], [255, 255, 255, 1])).toBeCloseTo(21, 5)
    expect(contrastRatio([118, 118, 118, 1], [255, 255, 255, 1])).toBeCloseTo(4.54, 2)
    expect(contrastRatio([10, 20, 30, 1], [10, 20, 30, 1])).toBe(1)
  })
})
