/**
 * Browsers the simulated shoppers use: real user-agent strings of current
 * desktop and mobile browsers, weighted roughly like shop traffic (a little
 * more mobile than desktop). Never a crawler or a headless browser: the
 * collector leaves bots out of statistics and recommendations, and the
 * simulation is meant to feed both.
 */
import type { Random } from './random';

export interface DeviceProfile {
  kind: 'desktop' | 'mobile' | 'tablet';
  userAgent: string;
  screen: { width: number; height: number; density: number };
  weight: number;
}

export const DEVICES: readonly DeviceProfile[] = [
  {
    kind: 'desktop',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    screen: { width: 1920, height: 1080, density: 1 },
    weight: 16,
  },
  {
    kind: 'desktop',
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    screen: { width: 1512, height: 982, density: 2 },
    weight: 8,
  },
  {
    kind: 'desktop',
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    screen: { width: 1440, height: 900, density: 2 },
    weight: 6,
  },
  {
    kind: 'desktop',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    screen: { width: 1536, height: 864, density: 1.25 },
    weight: 5,
  },
  {
    kind: 'desktop',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
    screen: { width: 1920, height: 1080, density: 1 },
    weight: 3,
  },
  {
    kind: 'desktop',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    screen: { width: 2560, height: 1440, density: 1 },
    weight: 1,
  },
  {
    kind: 'mobile',
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    screen: { width: 393, height: 852, density: 3 },
    weight: 22,
  },
  {
    kind: 'mobile',
    userAgent: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    screen: { width: 412, height: 915, density: 2.625 },
    weight: 18,
  },
  {
    kind: 'mobile',
    userAgent: 'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
    screen: { width: 384, height: 832, density: 2.8125 },
    weight: 5,
  },
  {
    kind: 'mobile',
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
    screen: { width: 390, height: 844, density: 3 },
    weight: 4,
  },
  {
    kind: 'tablet',
    userAgent: 'Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    screen: { width: 820, height: 1180, density: 2 },
    weight: 5,
  },
];

export function pickDevice(random: Random, other?: DeviceProfile): DeviceProfile {
  // A second device is usually the other kind: phone during the day, laptop in the evening.
  return random.weighted(DEVICES, (d) => (other ? (d.kind === other.kind ? 0 : d.weight) : d.weight));
}
