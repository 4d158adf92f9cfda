import type { TicketRelated } from '@steward/tickets';

/** Zendesk's `ticket_related`. */
export interface ZendeskTicketRelated {
  topic_id: null;
  jira_issue_ids: never[];
  followup_source_ids: never[];
  from_archive: boolean;
  incidents: number;
}

export interface TicketRelatedDto {
  ticket_related: ZendeskTicketRelated;
}

export function toTicketRelated(related: TicketRelated): TicketRelatedDto {
  return {
    ticket_related: {
      topic_id: related.topicId,
      jira_issue_ids: [],
      followup_source_ids: [],
      from_archive: related.fromArchive,
      incidents: related.incidents,
    },
  };
}
