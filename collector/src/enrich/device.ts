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

export function deviceFromUserAgent(userAgent: string | undefined): DeviceInfo {
  const ua = userAgent ?? '';
  const hit = cache.get(ua);
  if (hit) return hit;
  const info = parse(ua);
  if (cache.size >= MAX_CACHED) cache = new Map();
  cache.set(ua, info);
  return info;
}

function parse(ua: string): DeviceInfo {
  // No user agent at all is what scripts and crawlers send, not browsers.
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
