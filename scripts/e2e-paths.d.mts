export declare const CODE_SERVER_VERSION: string;
export declare const NODE_SPEC: string;
export declare const NODE_MIN: [number, number, number];
export declare const TARGET: string;
export declare const repoRoot: string;
export interface E2ePaths {
  root: string;
  nodePkg: string;
  nodeBin: string;
  codeServer: string;
  codeServerEntry: string;
  vscodeDir: string;
  sqliteStage: string;
  sqliteBinary: string;
  stampFile: string;
  vsix: string;
}
export interface SetupStamp {
  codeServerVersion: string;
  nodeVersion: string;
  betterSqlite3Version: string;
  finishedAt: string;
  seconds: Record<string, number>;
}
export declare function e2ePaths(cache?: string): E2ePaths;
export declare function readSetupStamp(paths?: E2ePaths): SetupStamp | undefined;
