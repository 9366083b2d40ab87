/**
 * Dispatch an action to its classifier. Never throws: an exception in a classifier becomes an
 * `unknown` classification with the reason, which the judge treats at least as strictly as an
 * irreversible action.
 */
import type { Action } from '../action';
import { unknownClassification, type Classification } from '../effects';
import type { Environment } from '../paths';
import { classifyFile } from './file';
import { classifyHttp } from './http';
import { classifyMcp } from './mcp';
import { classifyShell } from './shell/classifyShell';
import { classifySql } from './sql';

export function classify(action: Action, env: Environment): Classification {
  try {
    switch (action.kind) {
      case 'shell':
        return classifyShell(action.command, { ...env, cwd: action.cwd, workspaceRoots: action.workspaceRoots.length ? action.workspaceRoots : env.workspaceRoots });
      case 'file':
        return classifyFile(action, env);
      case 'sql':
        return classifySql(action.sql, action.dialect);
      case 'http':
        return classifyHttp(action);
      case 'mcp':
        return classifyMcp(action, env);
    }
  } catch (e) {
    return unknownClassification(`classifier error: ${(e as Error)?.message ?? String(e)}`);
  }
}
