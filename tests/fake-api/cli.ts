/**
 * `npm run fake-api [-- --port N] [--host H] [--song-ms N] [--image-ms N]`: runs the fake
 * gateway until Ctrl+C. The port can also come from FAKE_API_PORT.
 */
import { startFakeApi } from './server.ts'

function option(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? ''
    if (arg === `--${name}`) return args[i + 1]
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3)
  }
  return undefined
}

function intOption(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) {
    console.error(`Invalid ${what}: ${value}`)
    process.exit(2)
  }
  return n
}

const args = process.argv.slice(2)
const port = intOption(option(args, 'port') ?? process.env.FAKE_API_PORT, 'port') ?? 8787
const api = await startFakeApi({
  port,
  host: option(args, 'host') ?? '127.0.0.1',
  songMs: intOption(option(args, 'song-ms'), 'song-ms'),
  imageMs: intOption(option(args, 'image-ms'), 'image-ms') ?? 1500
})

console.log(`Fake api.airforce gateway listening on ${api.url}`)
console.log(`Use it as the base URL (with or without /v1); inject faults with POST ${api.url}/__control/faults. Ctrl+C stops it.`)

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  console.log(`\n${signal}: stopping the fake gateway`)
  await api.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))
