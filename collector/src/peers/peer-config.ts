/** The documents themselves, pure so their shape is unit-tested. */
import type { Site } from '../sites/site';

/**
 * analytics-next loads `/v1/projects/:writeKey/settings` from its CDN first.
 * Exactly one integration, Segment.io, pointed at this collector; metrics
 * sampling off so the client sends no telemetry elsewhere.
 */
export function segmentSettings(site: Site, apiHost: string, protocol: string) {
  return {
    integrations: {
      'Segment.io': {
        apiKey: site.writeKey,
        apiHost,
        protocol,
        unbundledIntegrations: [],
        addBundledMetadata: true,
        maybeBundledConfigIds: {},
      },
    },
    plan: { track: { __default: { enabled: true, integrations: {} } }, identify: { __default: { traits: {} } }, group: { __default: { traits: {} } } },
    edgeFunction: {},
    analyticsNextEnabled: true,
    middlewareSettings: {},
    enabledMiddleware: {},
    metrics: { sampleRate: 0 },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
  };
}

/** RudderStack's `GET /sourceConfig/?writeKey=…`: an enabled source with no device-mode destinations. */
export function rudderSourceConfig(site: Site) {
  return {
    isHosted: true,
    source: {
      id: `trailmark-${site.writeKey}`,
      name: site.name,
      writeKey: site.writeKey,
      enabled: true,
      workspaceId: 'trailmark',
      config: {},
      destinations: [],
    },
  };
}
