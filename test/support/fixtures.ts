/**
 * Fixed test messages (CRLF line ends) whose parts are known byte for byte, so FETCH and
 * BODYSTRUCTURE answers can be asserted exactly.
 */

export const ATTACHMENT = 'secret-needle attachment content\r\nsecond line\r\n';
export const ATTACHMENT_B64 = Buffer.from(ATTACHMENT).toString('base64');

export const PLAIN_BODY = 'Plain body with caf=C3=A9 and more text\r\nline two';
export const HTML_BODY = '<p>HTML body</p>';
export const INNER_HEADER = 'From: Inner Sender <inner@example.com>\r\nSubject: Inner subject\r\nDate: Wed, 01 Feb 2023 08:00:00 +0100\r\nMessage-ID: <inner-1@example.com>\r\n\r\n';
export const INNER_BODY = 'Inner body text\r\n';
export const INNER = INNER_HEADER + INNER_BODY;
export const PART2_MIME = 'Content-Type: application/octet-stream; name="data.bin"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="data.bin"\r\n\r\n';

export const MULTI_HEADER = [
  'From: "Bob Example" <bob@example.org>',
  'To: alice@example.com, "Carol" <carol@example.net>',
  'Cc: dave@example.com',
  'Subject: =?UTF-8?B?SGVsbG8gd8O2cmxk?=',
  'Date: Tue, 14 Mar 2023 10:00:00 +0000',
  'Message-ID: <multi-1@example.org>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="outer"',
  '',
  '',
].join('\r\n');

export const PART1_1_MIME = 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n';
export const PART1_2_MIME = 'Content-Type: text/html; charset=utf-8\r\n\r\n';

export const MULTI_BODY = [
  'This is a preamble.',
  '--outer',
  'Content-Type: multipart/alternative; boundary="inner"',
  '',
  '--inner',
  PART1_1_MIME + PLAIN_BODY,
  '--inner',
  PART1_2_MIME + HTML_BODY,
  '--inner--',
  '--outer',
  PART2_MIME + ATTACHMENT_B64,
  '--outer',
  'Content-Type: message/rfc822',
  '',
  INNER,
  '--outer--',
  '',
].join('\r\n');

/** multipart/mixed: 1 = multipart/alternative (1.1 text/plain QP, 1.2 text/html), 2 = base64 octet-stream, 3 = message/rfc822. */
export const MULTI = MULTI_HEADER + MULTI_BODY;
