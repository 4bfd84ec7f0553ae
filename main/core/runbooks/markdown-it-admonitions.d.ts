// These plugins ship no types; these are the calls we make.
declare module 'markdown-it-admon' {
  import type MarkdownIt from 'markdown-it';
  const admonitions: (md: MarkdownIt) => void;
  export default admonitions;
}
declare module 'markdown-it-container' {
  import type MarkdownIt from 'markdown-it';
  type Token = ReturnType<MarkdownIt['parse']>[number];
  const container: (
    md: MarkdownIt,
    name: string,
    options?: { validate?: (params: string) => boolean; render?: (tokens: Token[], idx: number) => string; marker?: string },
  ) => void;
  export default container;
}
