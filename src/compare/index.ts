/**
 * The compare stage: what differs between two images (any transport, ours or not): overview, attack surface,
 * environment, labels and packages with their vulnerabilities; and its text, Markdown and JSON renderings.
 */

export { compareImages } from './compare.ts';
export { exitOnReasons, parseExitOn } from './exit-on.ts';
export { renderCompareJson } from './render-json.ts';
export { renderCompareMarkdown } from './render-markdown.ts';
export { renderCompareText } from './render-text.ts';
export type { CompareResult } from './types.ts';
