import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import { SignInThrottledError } from '@steward/identity';
import type { Response } from 'express';

/** 429 with Retry-After, and the same body whether or not the account exists. */
@Catch(SignInThrottledError)
export class SignInThrottledFilter implements ExceptionFilter {
  catch(error: SignInThrottledError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    response
      .status(HttpStatus.TOO_MANY_REQUESTS)
      .setHeader('Retry-After', String(error.retryAfterSeconds))
      .json({ error: 'TooManyRequests', description: error.message });
  }
}
