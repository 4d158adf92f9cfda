import type { Organization, OrganizationInput, OrganizationPage } from '@steward/identity';
import {
  envelope,
  flag,
  requiredText,
  text,
  textList,
  pageLinks,
  type PageLinks,
  type PageRequest,
} from '../http/request-body';
import { zendeskTime } from '../users/user.dto';

/** An organization in the Zendesk Support API v2 shape (without tags and custom fields yet). */
export interface ZendeskOrganization {
  url: string;
  id: number;
  name: string;
  shared_tickets: boolean;
  shared_comments: boolean;
  external_id: string | null;
  created_at: string;
  updated_at: string;
  domain_names: string[];
  details: string | null;
  notes: string | null;
  group_id: number | null;
  tags: string[];
  organization_fields: Record<string, unknown>;
}

export interface OrganizationResponseDto {
  organization: ZendeskOrganization;
}

export interface OrganizationListDto extends PageLinks {
  organizations: ZendeskOrganization[];
}

export function toZendeskOrganization(
  { organization, domainNames }: Organization,
  publicUrl: string,
): ZendeskOrganization {
  return {
    url: `${publicUrl}/api/v2/organizations/${organization.id}.json`,
    id: organization.id,
    name: organization.name,
    shared_tickets: organization.sharedTickets,
    shared_comments: organization.sharedComments,
    external_id: organization.externalId,
    created_at: zendeskTime(organization.createdAt),
    updated_at: zendeskTime(organization.updatedAt),
    domain_names: [...domainNames],
    details: organization.details,
    notes: organization.notes,
    group_id: null,
    tags: [],
    organization_fields: {},
  };
}

/** `{"organization": {...}}` → what the service takes; unknown fields are ignored. */
export function organizationInput(body: unknown): OrganizationInput {
  const organization = envelope(body, 'organization');
  return {
    name: requiredText(organization, 'name'),
    details: text(organization, 'details'),
    notes: text(organization, 'notes'),
    externalId: text(organization, 'external_id'),
    sharedTickets: flag(organization, 'shared_tickets'),
    sharedComments: flag(organization, 'shared_comments'),
    domainNames: textList(organization, 'domain_names'),
  };
}

export function toOrganizationList(
  { organizations, count }: OrganizationPage,
  request: PageRequest,
  publicUrl: string,
): OrganizationListDto {
  return {
    organizations: organizations.map((o) => toZendeskOrganization(o, publicUrl)),
    ...pageLinks(`${publicUrl}/api/v2/organizations.json`, request, count),
  };
}
