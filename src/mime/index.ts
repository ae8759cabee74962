/**
 * The mime layer's public surface: parse once (parseMessage), then answer FETCH sections,
 * BINARY, and SEARCH from the tree and the raw bytes. Everything here is pure.
 */
export type { Address, Envelope, MimePart, SectionSpec } from './types.js';
export { MAX_HEADER_FIELDS, MAX_MIME_DEPTH, MAX_MIME_PARTS } from './limits.js';
export { parseMessage } from './parse.js';
export { findPart, sectionBytes, binarySection, type BinaryResult } from './section.js';
export { decodeTransfer } from './transfer-encoding.js';
export { decodeCharset } from './charset.js';
export { decodeEncodedWords } from './encoded-word.js';
export { headerValues, allHeaderText, bodyText } from './search-text.js';
export { searchFold } from './search-fold.js';
export { parseRfc5322Date } from './date.js';
export { parseAddressList, MISSING_DOMAIN, MISSING_MAILBOX } from './address.js';
export { encodeNulParts } from './binary-rewrite.js';
export { extractBaseSubject, type BaseSubject } from './base-subject.js';
export { unicodeCasemapKey, compareCasemapKeys } from './unicode-casemap.js';
export { parseMessageIds, firstMessageId } from './message-id.js';
export { messagePreview, partPreview, previewParts, previewSourceEnd, PREVIEW_MAX_CHARS } from './preview.js';
export { threadingIds, type ThreadingIds } from './threading.js';
