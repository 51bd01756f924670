/**
 * What start-up says and offers when the services cannot start, on real
 * files: a corrupt database, one from a newer version, and a data folder the
 * user may not write to (a child process run as another user when the tests
 * run as root, who may write anywhere).
 */
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { beforeAll, describe, expect, it } from 'vitest'
import { createAppServices, DATABASE_FILE } from '../../src/main/app-services'
import { moveDatabaseAside, planStartupFailure, type StartupFailurePlan } from '../../src/main/services/startup-failure'
import { bundleChildScript } from '../support/child-script'
import { nodePowers } from '../support/node-powers'

const actionsOf = (plan: StartupFailurePlan): string[] => plan.actions.map((choice) => choice.action)

function dataFolder(): string {
  return mkdtempSync(join(tmpdir(), 'skyport-startup-'))
}

async function startupError(userDataDir: string): Promise<unknown> {
  try {
    const services = await createAppServices(nodePowers({ userDataDir }))
    await services.close()
  } catch (error) {
    return error
  }
  throw new Error('expected start-up to fail')
}

describe('a corrupt database', () => {
  it('is reported as unreadable, with the error, and can be moved aside with its WAL files', async () => {
    const dir = dataFolder()
    const database = join(dir, DATABASE_FILE)
    writeFileSync(database, 'not a database '.repeat(300))

    const plan = planStartupFailure(await startupError(dir), dir)
    expect(plan.problem).toBe('database-unreadable')
    expect(plan.message).toBe('The database that holds your conversations could not be read.')
    expect(plan.detail).toContain('file is not a database')
    expect(plan.detail).toContain('skyport.unreadable-<time>.db')
    expect(actionsOf(plan)).toEqual(['quit', 'show-folder', 'start-fresh'])

    // What a crash may leave beside it goes along.
    writeFileSync(`${database}-wal`, 'wal bytes')
    writeFileSync(`${database}-shm`, 'shm bytes')
    const moved = moveDatabaseAside(dir, new Date('2025-03-04T05:06:07.089Z'))
    const aside = join(dir, 'skyport.unreadable-2025-03-04T05-06-07-089Z.db')
    expect(moved).toEqual([aside, `${aside}-wal`, `${aside}-shm`])
    expect(readFileSync(aside, 'utf8')).toBe('not a database '.repeat(300))
    expect(readFileSync(`${aside}-wal`, 'utf8')).toBe('wal bytes')
    expect(readdirSync(dir).filter((name) => name.startsWith('skyport.db'))).toEqual([])

    // The next start creates an empty database beside the kept one.
    const services = await createAppServices(nodePowers({ userDataDir: dir }))
    expect(services.chatStore.listConversations()).toEqual([])
    await services.close()
  })
})

describe('a database from a newer version', () => {
  it('says so and leaves the file untouched', async () => {
    const dir = dataFolder()
    const database = join(dir, DATABASE_FILE)
    const newer = new DatabaseSync(database)
    newer.exec('CREATE TABLE future (x TEXT); INSERT INTO future VALUES (\'kept\'); PRAGMA user_version = 42')
    newer.close()
    const before = readFileSync(database)

    const plan = planStartupFailure(await startupError(dir), dir)
    expect(plan.problem).toBe('database-newer')
    expect(plan.message).toBe('Your conversations were saved by a newer version of Skyport.')
    expect(plan.detail).toContain('schema 42')
    expect(actionsOf(plan)).toEqual(['quit', 'show-folder', 'start-fresh'])
    expect(readFileSync(database)).toEqual(before)
  })
})

describe('a data folder that cannot be written', () => {
  let childScript: string

  beforeAll(async () => {
    childScript = await bundleChildScript('tests/startup/child.ts', 'startup-child')
  }, 60_000)

  it('is reported as such, without offering to move the database, and loses nothing', async () => {
    const dir = dataFolder()
    // A folder a previous run filled: settings, key, database.
    const services = await createAppServices(nodePowers({ userDataDir: dir }))
    services.chatStore.createConversation({ model: 'gpt-4o-mini', systemPrompt: 'kept', params: {}, stream: true })
    await services.close()
    const before = readFileSync(join(dir, DATABASE_FILE))
    chmodSync(dir, 0o555)

    // Root may write anywhere: run as nobody there, as the user otherwise.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}
    const child = spawn(process.execPath, [childScript, dir], { ...asNobody, cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((done) => child.on('exit', done))
    chmodSync(dir, 0o755)
    expect(code, stderr).toBe(0)

    const outcome = JSON.parse(stdout) as { started: boolean; plan: StartupFailurePlan; moveError: string | null }
    expect(outcome.started).toBe(false)
    expect(outcome.plan.problem).toBe('folder-not-writable')
    expect(outcome.plan.message).toBe('Skyport cannot write to its data folder.')
    expect(outcome.plan.detail).toContain(dir)
    expect(actionsOf(outcome.plan)).toEqual(['quit', 'show-folder'])
    // Moving the database aside would have failed too.
    expect(outcome.moveError).toBe('EACCES')
    expect(readFileSync(join(dir, DATABASE_FILE))).toEqual(before)
  })
})

describe('other failures', () => {
  it('a full disk asks for space', () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    const plan = planStartupFailure(full, dataFolder())
    expect(plan.problem).toBe('disk-full')
    expect(plan.detail).toContain('Free some space')
    expect(actionsOf(plan)).toEqual(['quit', 'show-folder'])
  })

  it('anything else points to the log', () => {
    const dir = dataFolder()
    const plan = planStartupFailure(new TypeError('undefined is not a function'), dir)
    expect(plan.problem).toBe('unknown')
    expect(plan.detail).toBe(`undefined is not a function\n\nThe details are in ${join(dir, 'logs', 'main.log')}.`)
    expect(actionsOf(plan)).toEqual(['quit', 'show-folder'])
  })
})
