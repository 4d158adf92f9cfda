/** A requester's comment: always public, by the caller, so only its body and files. */
export interface RequestCommentInput {
  readonly body?: string;
  readonly htmlBody?: string;
  /** Upload tokens (`POST /api/v2/uploads`) of the caller's whose files the comment takes. */
  readonly uploads?: readonly string[];
}

/** A new request (Requests API): the requester is the caller. */
export interface RequestInput {
  readonly subject?: string;
  readonly comment?: RequestCommentInput;
  /** Values of the custom fields editable in the help center. */
  readonly customFields?: ReadonlyArray<{ readonly id: number; readonly value: unknown }>;
}

/** A change to a request: a public comment, and Zendesk's `"solved": true`. */
export interface RequestChange {
  readonly comment?: RequestCommentInput;
  readonly solved?: boolean;
}
