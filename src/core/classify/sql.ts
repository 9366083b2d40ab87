/**
 * SQL classifier (work in progress): every statement of a batch is classified; unparseable → unknown.
 */
import type { SqlDialect } from '../action.js';
import { unknownClassification, type Classification } from '../effects.js';

export function classifySql(sql: string, dialect: SqlDialect): Classification {
  void sql;
  return unknownClassification(`SQL classifier for ${dialect} not implemented yet`);
}
