/** Errors of the account service. Each carries its HTTP status, so app.ts's handler maps it.
 * Role refusals use ForbiddenError (domain/errors.ts), shared with the workflow. */

/** Wrong email or password, or a disabled account: one message for all, so none is told apart. */
export class InvalidCredentialsError extends Error {
  readonly statusCode = 401;
  constructor() {
    super('البريد الإلكتروني أو كلمة المرور غير صحيحة');
    this.name = 'InvalidCredentialsError';
  }
}

export class LoginThrottledError extends Error {
  readonly statusCode = 429;
  constructor(readonly retryAfterSeconds: number) {
    super(`محاولات كثيرة لتسجيل الدخول؛ أعد المحاولة بعد ${retryAfterSeconds} ثانية`);
    this.name = 'LoginThrottledError';
  }
}
