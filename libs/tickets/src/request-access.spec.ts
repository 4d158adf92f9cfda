import { requestAccess, type RequestAccessFacts, requestShowsComment } from './request-access';

describe('requestAccess (who sees a ticket as a request)', () => {
  const ticket = { requesterId: 1, organizationId: 10, deletedAt: null };
  const nothing: RequestAccessFacts = { copiedUserIds: [], confidentialGroup: false };
  const sharing = { sharedTickets: true, sharedComments: false };

  it('lets the requester and the people CC’d in, with comments', () => {
    expect(requestAccess({ id: 1 }, ticket, nothing)).toEqual({
      as: 'requester',
      mayComment: true,
    });
    expect(requestAccess({ id: 2 }, ticket, { ...nothing, copiedUserIds: [2] })).toEqual({
      as: 'cc',
      mayComment: true,
    });
    expect(requestAccess({ id: 2 }, ticket, nothing)).toBeUndefined();
  });

  it('lets members of a sharing organization in, commenting only when it shares comments', () => {
    const member = { id: 3, organizationId: 10 };
    expect(requestAccess(member, ticket, { ...nothing, organization: sharing })).toEqual({
      as: 'organization',
      mayComment: false,
    });
    expect(
      requestAccess(member, ticket, {
        ...nothing,
        organization: { sharedTickets: true, sharedComments: true },
      }),
    ).toEqual({ as: 'organization', mayComment: true });
    const notSharing = { sharedTickets: false, sharedComments: true };
    expect(requestAccess(member, ticket, { ...nothing, organization: notSharing })).toBeUndefined();
    expect(
      requestAccess({ id: 3, organizationId: 11 }, ticket, { ...nothing, organization: sharing }),
    ).toBeUndefined();
  });

  it("never opens a confidential group's ticket through the organization, only to its own people", () => {
    const facts = { copiedUserIds: [2], organization: sharing, confidentialGroup: true };
    expect(requestAccess({ id: 3, organizationId: 10 }, ticket, facts)).toBeUndefined();
    expect(requestAccess({ id: 1, organizationId: 10 }, ticket, facts)?.as).toBe('requester');
    expect(requestAccess({ id: 2, organizationId: 10 }, ticket, facts)?.as).toBe('cc');
  });

  it('shows nothing of a deleted ticket, and only public comments of a visible one', () => {
    expect(requestAccess({ id: 1 }, { ...ticket, deletedAt: new Date() }, nothing)).toBeUndefined();
    const access = requestAccess({ id: 1 }, ticket, nothing);
    expect(requestShowsComment(access, { isPublic: true })).toBe(true);
    expect(requestShowsComment(access, { isPublic: false })).toBe(false);
    expect(requestShowsComment(undefined, { isPublic: true })).toBe(false);
  });
});
