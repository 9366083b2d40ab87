export declare function packageTarget(options?: { out?: string; build?: boolean; quiet?: boolean; native?: 'node22' | 'as-is'; target?: string }): Promise<string>;
