/**
 * What the admin API answers, as the dashboard reads it: the types are the
 * ones the collector produces (schema/src/admin-api.ts), imported as types
 * only, so nothing of the schema package ends up in the bundle.
 */
export type {
  AudienceView,
  BreakdownStats,
  CampaignReport,
  CampaignView,
  ExportedEvent as StoredEvent,
  FunnelStats,
  LifecycleStage,
  LifecycleStats,
  LiveEvents,
  Money,
  OverviewStats,
  PeopleList,
  PeopleListDefinition,
  PersonRow,
  RecommendationExplain,
  RuleBody,
  RuleIssue,
  RuleView,
  ProfileView as Profile,
  RegionFigures,
  RetentionStats,
  SearchStats,
  SearchTerm,
  SlotGroupFigures,
  SlotLift,
  SlotStats,
  SlotsStats,
  StatsDimension,
  StatsFilters,
  StatsResponse as Stats,
  TrafficFigures,
} from '@trailmark/schema';
