/** Attach what the analysis looked inside (files read, visits, trustable programs) to a classification. */
import type { Classification } from '../../effects.js';
import type { Ctx } from '../shell/shellContext.js';
import { filesRead } from './insideState.js';

export function withInside(c: Classification, ctx: Ctx): Classification {
  const s = ctx.inside;
  if (!s) return c;
  const files = filesRead(ctx);
  if (files.length) c.files = files;
  if (s.visits.length) c.looked = s.visits;
  if (s.trustable.size) c.trustable = [...s.trustable].sort();
  return c;
}
