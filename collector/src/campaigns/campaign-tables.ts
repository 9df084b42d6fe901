/**
 * A profile's campaign rows, with every column, as they travel with the
 * profile: to another shard when it is merged into a profile there
 * (profiles/profile-shard.ts mergeOut/mergeIn), and to its shard when a shop
 * moves from one object to profile shards (shop/profile-layout.ts). A
 * column left out here is lost on the way (campaign-tables.test.ts checks
 * the list against the schema steps).
 */
export const CAMPAIGN_TABLES: Record<string, readonly string[]> = {
  campaign_members: [
    'campaign_id',
    'profile_id',
    'grp',
    'assigned_at',
    'spend_before',
    'converted_at',
    'revenue',
    'delivered_at',
    'served_at',
    'viewed_at',
    'clicked_at',
  ],
  campaign_held_out: ['campaign_id', 'profile_id', 'at'],
  campaign_credits: ['campaign_id', 'profile_id', 'message_id', 'at', 'goal', 'revenue', 'order_id', 'other_currency'],
  campaign_outbox: ['campaign_id', 'profile_id', 'at'],
};
