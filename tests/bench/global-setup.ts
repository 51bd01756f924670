/**
 * Around the benchmark run (after tests/e2e/global-setup.ts built the
 * renderer and checked Chromium): clears the result parts first, and at the
 * end merges them into test-results/bench/results.json and prints the
 * summary table.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { machineInfo, partsDir, readParts, resultsDir, summaryTable } from './support'

export default function setup(): () => void {
  rmSync(partsDir, { recursive: true, force: true })
  mkdirSync(partsDir, { recursive: true })
  const started = Date.now()
  return () => {
    const parts = readParts()
    const rows = parts.flatMap((part) => part.rows)
    const chromium = parts.find((part) => part.chromium)?.chromium ?? null
    const results = {
      generatedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      machine: machineInfo(chromium),
      summary: rows,
      benchmarks: parts
    }
    mkdirSync(resultsDir, { recursive: true })
    const file = join(resultsDir, 'results.json')
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
    const machine = results.machine
    console.log(
      [
        '',
        `Skyport benchmarks — ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, Chromium ${machine.chromium ?? 'not used'}`,
        summaryTable(rows),
        `Results: ${file}`,
        ''
      ].join('\n')
    )
  }
}
