/**
 * What the admin API answers, as the dashboard reads it: the types are the
 * ones the collector produces (schema/src/admin-api.ts), imported as types
 * only, so nothing of the schema package ends up in the bundle.
 */
export type {
  ExportedEvent as StoredEvent,
  LifecycleStage,
  Lift,
  ProfileView as Profile,
  RegionFigures,
  SlotFigures,
  StatsResponse as Stats,
  VariantFigures,
} from '@trailmark/schema';
