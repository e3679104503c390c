/** Bad input from a person or a file: shown to them, never a 500. */
export class ValidationError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

/**
 * Input over a size limit (a live entry's text or block count): 413, so a client knows to cut it
 * down rather than fix a field. `reason` is what the API's problem mapping already reads for
 * oversized uploads.
 */
export class TooLargeError extends ValidationError {
  readonly statusCode = 413;
  readonly reason = 'too_large';
  constructor(message: string) {
    super(message);
    this.name = 'TooLargeError';
  }
}

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The actor's role does not allow the action. `statusCode` lets the HTTP error handler answer 403. */
export class ForbiddenError extends Error {
  readonly statusCode = 403;
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/**
 * The server has no room for what was sent (disk or quota full): 507 Insufficient Storage. The
 * request was fine and may succeed later, so it is neither a 4xx nor a bare 500.
 */
export class InsufficientStorageError extends Error {
  readonly statusCode = 507;
  constructor(message = 'لا توجد مساحة كافية لحفظ الملف على الخادم؛ لم يُحفظ شيء. أبلغ المسؤول التقني ثم أعد المحاولة.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InsufficientStorageError';
  }
}

/** The action does not fit the record's current state (publishing what is already live, …): 409. */
export class ConflictError extends Error {
  readonly statusCode = 409;
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}
