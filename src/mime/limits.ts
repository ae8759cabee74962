/**
 * Bounds on the work parseMessage does for one message. Every client byte is hostile: a message
 * may nest parts or repeat headers without end, and the parser must stay linear and never throw.
 * Beyond a limit the structure is truncated (opaque leaf), offsets stay exact.
 */

/** Multipart/message nesting beyond this is treated as an opaque application/octet-stream leaf:
 * deep enough for any real mail (forwards of forwards), shallow enough for recursion depth. */
export const MAX_MIME_DEPTH = 100;

/** Parts per message; past it, further multipart children are not split out (the rest of the
 * multipart body stays unparsed), bounding the size of the cached JSON structure. */
export const MAX_MIME_PARTS = 10000;

/** Header fields recorded per header block; the block is still scanned to its end so offsets stay
 * exact, but fields past this are ignored for Content-* and ENVELOPE analysis. */
export const MAX_HEADER_FIELDS = 2000;
