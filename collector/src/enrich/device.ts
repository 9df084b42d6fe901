/**
 * Device type, browser and OS from the user agent (ua-parser-js), and whether
 * it is a bot (isbot, which also knows headless browsers). A batch nearly
 * always repeats one user agent, so results are memoised per isolate.
 */
import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';
import type { Device } from '@trailmark/schema';

export interface DeviceInfo {
  device: Device;
  bot: boolean;
}

const MAX_CACHED = 2000;
let cache = new Map<string, DeviceInfo>();

const SERVER: DeviceInfo = { device: { type: 'server' }, bot: false };

/**
 * `undefined` means the message came from a backend library (analytics-node,
 * rudder-sdk-node…) with no browser user agent: a real shopper's event sent
 * server side, such as an order, not a bot.
 */
export function deviceFromUserAgent(userAgent: string | undefined): DeviceInfo {
  if (userAgent === undefined) return SERVER;
  const ua = userAgent;
  const hit = cache.get(ua);
  if (hit) return hit;
  const info = parse(ua);
  if (cache.size >= MAX_CACHED) cache = new Map();
  cache.set(ua, info);
  return info;
}

function parse(ua: string): DeviceInfo {
  // A browser request without a user agent is a script pretending to be one.
  const bot = ua === '' || isbot(ua);
  const result = new UAParser(ua).getResult();
  const device: Device = { type: bot ? 'bot' : deviceType(result.device.type, result.os.name) };
  if (result.browser.name) device.browser = result.browser.name;
  if (result.os.name) device.os = result.os.name;
  return { device, bot };
}

function deviceType(parsed: string | undefined, os: string | undefined): Device['type'] {
  if (parsed === 'mobile' || parsed === 'wearable') return 'mobile';
  if (parsed === 'tablet') return 'tablet';
  if (parsed === undefined) return os ? 'desktop' : 'other';
  return 'other'; // smart TVs, consoles, embedded
}
