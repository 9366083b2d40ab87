export declare const repoRoot: string;
export declare const TOOL_PACKAGES: Record<'ripgrep' | 'postgres' | 'chromium', { name: string; version: string; mb: number; platforms: string[] }>;
export declare const COMMON_CHROMIUM_ARGS: string[];
export declare class ToolUnavailable extends Error {}
export interface FoundChromium {
  path: string;
  source: string;
  args: string[];
  env: Record<string, string>;
  missing?: undefined;
}
export declare function toolsRoot(): string;
export declare function folderBytes(dir: string): number;
export declare function runWithProgress(cmd: string, args: string[], o?: { cwd?: string; env?: NodeJS.ProcessEnv; what?: string; watch?: string; expectMb?: number; every?: number; log?: (line: string) => void }): Promise<string>;
export declare function cachedRipgrep(): string | undefined;
export declare function ensureRipgrep(o?: { log?: (line: string) => void }): Promise<string>;
export declare function cachedPostgresBin(): string | undefined;
export declare function ensurePostgres(o?: { log?: (line: string) => void }): Promise<string>;
export declare function findChromium(): FoundChromium | { missing: string; path?: undefined };
export declare function ensureChromium(o?: { log?: (line: string) => void }): Promise<FoundChromium | { missing: string; path?: undefined }>;
export declare function isExecutableFile(p: string): boolean;
export declare function chooseChromium(o?: { log?: (line: string) => void }): Promise<FoundChromium | { missing: string; path?: undefined }>;
