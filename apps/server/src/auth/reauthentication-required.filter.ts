import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import { ReauthenticationRequiredError } from '@steward/identity';
import type { Response } from 'express';

/** 403 with its own error name, so the web app knows to ask for the password and retry. */
@Catch(ReauthenticationRequiredError)
export class ReauthenticationRequiredFilter implements ExceptionFilter {
  catch(error: ReauthenticationRequiredError, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(HttpStatus.FORBIDDEN)
      .json({ error: 'ReauthenticationRequired', description: error.message });
  }
}
