/**
 * Whether an end-user may see a comment's attachments: only public replies, and only on tickets
 * they requested or are copied on. Staff go through their TicketScope instead. The requests
 * feature (the end-users' view of tickets) is expected to widen "tickets they may see" (shared
 * organization tickets); this is the one place to change when it does.
 */
export function endUserMaySeeComment(
  userId: number,
  ticket: { readonly requesterId: number; readonly deletedAt: Date | null },
  comment: { readonly isPublic: boolean },
  copiedUserIds: readonly number[],
): boolean {
  if (ticket.deletedAt !== null || !comment.isPublic) return false;
  return ticket.requesterId === userId || copiedUserIds.includes(userId);
}
