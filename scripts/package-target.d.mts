export declare function packageTarget(options?: { out?: string; build?: boolean; quiet?: boolean }): Promise<string>;
