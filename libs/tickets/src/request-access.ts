/** How someone reaches a ticket through the Requests API. */
export interface RequestAccess {
  /** Why: they requested it, are CC'd on it, or are a member of its sharing organization. */
  readonly as: 'requester' | 'cc' | 'organization';
  /** Always on their own or one they are CC'd on; on a colleague's only with shared comments. */
  readonly mayComment: boolean;
}

/** What the rule needs to know beyond the ticket and the user, read when it is applied. */
export interface RequestAccessFacts {
  /** The people CC'd on the ticket. */
  readonly copiedUserIds: readonly number[];
  /** The ticket's organization when the user is one of its members; undefined otherwise. */
  readonly organization?: { readonly sharedTickets: boolean; readonly sharedComments: boolean };
  /** Whether the ticket is in a confidential group (or in a group that cannot be found). */
  readonly confidentialGroup: boolean;
}

/**
 * THE rule of who sees a ticket as a request (and so its public comments and their files): its
 * requester, the people CC'd on it, and the members of its organization when that organization
 * shares tickets — never a ticket of a confidential group through the organization, which stays
 * between the requester and that group. Undefined: not visible (the caller answers 404). The
 * request lists apply the same rule in SQL (RequestRepository).
 */
export function requestAccess(
  user: { readonly id: number; readonly organizationId?: number | null },
  ticket: {
    readonly requesterId: number;
    readonly organizationId: number | null;
    readonly deletedAt: Date | null;
  },
  facts: RequestAccessFacts,
): RequestAccess | undefined {
  if (ticket.deletedAt !== null) return undefined;
  if (ticket.requesterId === user.id) return { as: 'requester', mayComment: true };
  if (facts.copiedUserIds.includes(user.id)) return { as: 'cc', mayComment: true };
  const organizationId = user.organizationId ?? null;
  if (
    organizationId !== null &&
    ticket.organizationId === organizationId &&
    facts.organization?.sharedTickets === true &&
    !facts.confidentialGroup
  ) {
    return { as: 'organization', mayComment: facts.organization.sharedComments };
  }
  return undefined;
}

/** Whether someone who reaches a ticket through the Requests API sees this comment: public ones only. */
export function requestShowsComment(
  access: RequestAccess | undefined,
  comment: { readonly isPublic: boolean },
): boolean {
  return access !== undefined && comment.isPublic;
}
