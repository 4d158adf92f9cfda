import { Injectable } from '@nestjs/common';
import { type OpenedSession, SignInError, SignInService } from '@steward/identity';
import type { Request, Response } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { contextOf, field } from './auth-body';

/**
 * Password sign-in through passport-local. The strategy hands `email` and `password` to
 * SignInService, which throttles, checks the bcrypt hash and opens Steward's own server-side
 * session (or one that still owes a second factor). A Passport instance of its own, without
 * passport's sessions or global state: Steward's sessions are SessionService's.
 */
@Injectable()
export class PasswordSignIn {
  private readonly passport = new passport.Passport();

  constructor(signIns: SignInService) {
    this.passport.use(
      'local',
      new LocalStrategy(
        {
          usernameField: 'email',
          passwordField: 'password',
          passReqToCallback: true,
          session: false,
        },
        (req, email, password, done) => {
          signIns.signIn({ email, password, ...contextOf(req) }).then(
            (opened) => done(null, opened),
            (error: unknown) => done(error),
          );
        },
      ),
    );
  }

  /** Signs in with the request body's credentials: the opened session, or the reason why not. */
  signIn(req: Request, res: Response): Promise<OpenedSession> {
    // From the body only: passport-local would also take them from the query string, where
    // a password would end up in logs and browser history.
    field(req.body, 'email');
    field(req.body, 'password');
    return new Promise((resolve, reject) => {
      const authenticate = this.passport.authenticate(
        'local',
        { session: false },
        (error: Error | null, opened: OpenedSession | false | undefined) => {
          // Only SignInService's own errors reach here (throttled, wrong credentials).
          if (error) reject(error);
          else if (opened) resolve(opened);
          else reject(SignInError.unauthenticated());
        },
      ) as (req: Request, res: Response, next: (error?: unknown) => void) => void;
      authenticate(req, res, (error?: unknown) =>
        reject(error instanceof Error ? error : SignInError.unauthenticated()),
      );
    });
  }
}
