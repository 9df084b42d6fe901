import { benchRecsQuality, formatRecsQuality } from '../recs-quality/run';
import { trailmarkRecommenders } from '../recs-quality/trailmark';
const t0 = Date.now();
const result = await benchRecsQuality({ recommenders: trailmarkRecommenders(), diginetica: process.env.DIGI === '1' ? undefined : false, log: (l) => console.error(l, ((Date.now() - t0) / 1000).toFixed(0) + 's') });
console.log(formatRecsQuality(result));
