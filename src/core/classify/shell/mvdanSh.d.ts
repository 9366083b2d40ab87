/** Minimal typing of the GopherJS build of mvdan/sh (the package ships no types). */
declare module 'mvdan-sh' {
  /** A syntax node: fields are getters on the prototype, read through ShNode accessors. */
  export type MvdanNode = { readonly [field: string]: unknown };
  export interface MvdanParser {
    Parse(src: string, name: string): MvdanNode;
  }
  export const syntax: {
    NewParser(...options: unknown[]): MvdanParser;
    NodeType(node: MvdanNode): string;
    Walk(node: MvdanNode, visit: (node: MvdanNode | null) => boolean): void;
    KeepComments(enabled: boolean): unknown;
    Variant(lang: number): unknown;
    LangBash: number;
  };
  const mvdan: { syntax: typeof syntax };
  export default mvdan;
}
