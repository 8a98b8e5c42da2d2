import { type ErrorBody, ErrorCode } from '@flightdeck/contracts';

// Any failure a route reports: a stable code from the contracts, turned into a status in one place.
export class ApiException extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  static from(error: ErrorBody): ApiException {
    return new ApiException(error.code, error.message, error.details);
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export const unauthenticated = (message: string) => new ApiException(ErrorCode.Unauthenticated, message);
