import { AppError, toErrorData, type BridgeErrorData } from '@shared/errors'

/** Anything caught, as an AppError (bridge calls already throw AppError). */
export function asAppError(error: unknown): AppError {
  return error instanceof AppError ? error : AppError.fromData(toErrorData(error))
}

export function toAppError(error: AppError | BridgeErrorData): AppError {
  return error instanceof AppError ? error : AppError.fromData(error)
}

/** A local validation failure shown like a server refusal. */
export function invalid(message: string): AppError {
  return new AppError('invalid_argument', message)
}
