/** A requester's comment: always public, by the caller, so only its body. */
export interface RequestCommentInput {
  readonly body?: string;
  readonly htmlBody?: string;
}

/** A new request (Requests API): the requester is the caller. */
export interface RequestInput {
  readonly subject?: string;
  readonly comment?: RequestCommentInput;
}

/** A change to a request: a public comment, and Zendesk's `"solved": true`. */
export interface RequestChange {
  readonly comment?: RequestCommentInput;
  readonly solved?: boolean;
}
