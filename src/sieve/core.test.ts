import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile, execute, SUPPORTED_EXTENSIONS, DEFAULT_SIEVE_LIMITS } from './index.js';
import { tokenize } from './lexer.js';
import { decodeEncodedCharacters, expandVariables, truncateUtf8 } from './strings.js';
import { matchWildcard } from './extensions/match.js';
import { errorsOf, host, input, message, run, summary } from './test-support.js';

const MESSAGE_A = message(
  'Date: Tue, 1 Apr 1997 09:06:31 -0800 (PST)\nFrom: coyote@desert.example.org\nTo: roadrunner@acme.example.com\nSubject: I have a present for you',
  "Look, I'm sorry about the whole anvil thing.\r\n",
);

// ---- lexer ----

test('lexer: comments, numbers with quantifiers, tags, strings with escapes', () => {
  const toks = tokenize('if size :over 100K { /* c\n */ discard; } # x\n"a\\"b\\\\c\\d" 2m 1G');
  const kinds = toks.map((t) => `${t.kind}:${t.kind === 'number' ? t.value : t.text}`);
  assert.deepEqual(kinds, [
    'identifier:if',
    'identifier:size',
    'tag:over',
    'number:102400',
    '{:{',
    'identifier:discard',
    ';:;',
    '}:}',
    'string:a"b\\cd',
    'number:2097152',
    'number:1073741824',
    'eof:',
  ]);
  assert.equal(toks[5]!.line, 2);
  assert.equal(toks[5]!.column, 5);
});

test('lexer: multi-line strings with dot-stuffing and a comment after text:', () => {
  const toks = tokenize('text: # note\r\nline one\r\n..dot\r\n.\r\n;');
  assert.equal(toks[0]!.kind, 'string');
  assert.equal(toks[0]!.text, 'line one\r\n.dot\r\n');
  assert.equal(toks[1]!.kind, ';');
  assert.equal(toks[1]!.line, 5);
  const lf = tokenize('text:\nA\n.\n');
  assert.equal(lf[0]!.text, 'A\n');
});

test('lexer errors carry positions', () => {
  assert.deepEqual(errorsOf('keep;\n  "abc'), ['2:3 unterminated quoted string']);
  assert.deepEqual(errorsOf('/* open'), ['1:1 unterminated bracket comment']);
  assert.deepEqual(errorsOf('keep;\ntext:\nabc\n'), ["2:1 unterminated multi-line string (missing '.' line)"]);
  assert.deepEqual(errorsOf('if size :over 99999999999999999999G {}'), ['1:15 number 99999999999999999999G is too large']);
  assert.deepEqual(errorsOf('keep; @'), ["1:7 unexpected character '@'"]);
  assert.deepEqual(errorsOf('text: x\n.\n'), ["1:7 expected end of line after 'text:'"]);
});

// ---- parser and validator ----

test('parser errors: missing semicolon, unbalanced braces, bad lists', () => {
  assert.deepEqual(errorsOf('keep'), ["1:5 expected ';' or '{' after command 'keep' but found end of script"]);
  assert.deepEqual(errorsOf('if true { keep;'), ["1:16 expected '}' before end of script"]);
  assert.deepEqual(errorsOf('keep; }'), ["1:7 unexpected '}'"]);
  assert.deepEqual(errorsOf('if header ["a" "b"] "c" {}'), ["1:16 expected ',' or ']' in string list but found a string"]);
  assert.deepEqual(errorsOf('if anyof (true false) {}'), ["1:16 test 'true' takes no tests"]);
});

test('parser resynchronises after a syntax error and reports the next ones', () => {
  assert.deepEqual(errorsOf('keep\nif true { discard; stop }\nredirect "a@b.c" "x"\nfileinto ]\n}\nkeep;'), [
    // "keep if true {...}" is grammatical (a test and a block for keep): the validator's business.
    "2:25 expected ';' or '{' after command 'stop' but found '}'",
    "4:10 expected ';' or '{' after command 'redirect' but found ']'",
    "5:1 unexpected '}'",
  ]);
  assert.deepEqual(errorsOf('if true { if true { keep;'), ["1:26 expected '}' before end of script"]);
  assert.deepEqual(errorsOf('keep }\n"abc'), ["1:6 expected ';' or '{' after command 'keep' but found '}'", '2:1 unterminated quoted string']);
  const many = 'keep ];\n'.repeat(100) + 'keep;';
  assert.equal(errorsOf(many).length, 20);
});

test('validator collects several errors with line and column', () => {
  const errs = errorsOf('require "fileinto";\nif header :is :contains "a" "b" { fileinto; }\nfoo;\nif size 3 { keep; }\nif bar { }');
  assert.deepEqual(errs, [
    "2:15 tag ':contains' conflicts with ':is' (only one match-type)",
    "2:35 command 'fileinto' is missing its mailbox argument",
    "3:1 unknown command 'foo'",
    "4:4 size needs ':over' or ':under'",
    "5:4 unknown test 'bar'",
  ]);
});

test('validator: require rules and capabilities', () => {
  assert.deepEqual(errorsOf('fileinto "x";'), ["1:1 command 'fileinto' requires the \"fileinto\" extension (missing require)"]);
  assert.deepEqual(errorsOf('require "nonesuch";'), ['1:9 unsupported extension "nonesuch"']);
  assert.deepEqual(errorsOf('keep;\nrequire "fileinto";'), ['2:1 require must come before any other command']);
  assert.deepEqual(errorsOf('require "fileinto";', { extensions: new Set(['envelope']) }), ['1:9 unsupported extension "fileinto"']);
  assert.deepEqual(errorsOf('require ["comparator-i;octet", "comparator-i;ascii-casemap"]; keep;'), []);
  assert.deepEqual(errorsOf('if header :comparator "i;ascii-numeric" "x" "1" {}'), [
    '1:11 comparator "i;ascii-numeric" requires "comparator-i;ascii-numeric" (missing require)',
  ]);
  assert.deepEqual(errorsOf('if header :comparator "i;nope" "x" "1" {}'), ['1:11 unknown comparator "i;nope"']);
  assert.deepEqual(errorsOf('require "comparator-i;ascii-numeric"; if header :contains :comparator "i;ascii-numeric" "x" "1" {}'), [
    '1:49 comparator "i;ascii-numeric" does not support \':contains\'',
  ]);
});

test('validator: argument shapes, tests and blocks', () => {
  assert.deepEqual(errorsOf('redirect ["a@b.c"];'), ["1:10 command 'redirect' expects a string (address) but found a string list"]);
  assert.deepEqual(errorsOf('keep "x";'), ["1:6 too many arguments for command 'keep'"]);
  assert.deepEqual(errorsOf('if true;'), ["1:1 command 'if' needs a block"]);
  assert.deepEqual(errorsOf('keep { }'), ["1:1 command 'keep' takes no block"]);
  assert.deepEqual(errorsOf('if (true, false) {}'), ["1:1 command 'if' needs exactly one test (not a test list)"]);
  assert.deepEqual(errorsOf('if allof true {}'), ["1:4 test 'allof' needs a parenthesised test list"]);
  assert.deepEqual(errorsOf('else { }'), ["1:1 'else' must follow 'if' or 'elsif'"]);
  assert.deepEqual(errorsOf('if true {} keep; elsif true {}'), ["1:18 'elsif' must follow 'if' or 'elsif'"]);
  assert.deepEqual(errorsOf('if header :over "a" "b" {}'), ["1:11 unknown tag ':over' for test 'header'"]);
  assert.deepEqual(errorsOf('if header "a" :is "b" {}'), ["1:15 tag ':is' must come before the positional arguments of 'header'"]);
  assert.deepEqual(errorsOf('if header :comparator {}'), [
    "1:4 test 'header' is missing its header names argument",
    "1:11 tag ':comparator' needs a string (comparator name)",
  ]);
  assert.deepEqual(errorsOf('if exists "a:b" {}'), ['1:11 invalid header name "a:b"']);
  assert.deepEqual(errorsOf('redirect "not an address";'), ['1:10 invalid redirect address "not an address"']);
  assert.deepEqual(errorsOf('if keep {}'), ["1:4 'keep' is a command, not a test"]);
  assert.deepEqual(errorsOf('require "envelope"; if envelope "cc" "x" {}'), ['1:33 unknown envelope part "cc"']);
});

test('limits: script size and nesting', () => {
  const big = 'keep;'.repeat(100);
  assert.deepEqual(errorsOf(big, { limits: { maxScriptBytes: 50 } }), ['1:1 script is larger than 50 bytes']);
  const deep = 'if true {'.repeat(40) + '}'.repeat(40);
  assert.match(errorsOf(deep)[0]!, /nested too deeply/);
  const deepTests = 'if ' + 'not '.repeat(100) + 'true {}';
  assert.match(errorsOf(deepTests)[0]!, /tests nested too deeply/);
  assert.deepEqual(errorsOf('if true {'.repeat(10) + '}'.repeat(10)), []);
});

// ---- the RFC 5228 examples ----

test('RFC 5228 §3.1 if/elsif/else, fileinto INBOX counts as keep', async () => {
  const src = 'require "fileinto";\nif header :contains "from" "coyote" {\n discard;\n} elsif header :contains ["subject"] ["$$$"] {\n discard;\n} else {\n fileinto "INBOX";\n}';
  assert.deepEqual(summary(await run(src, { message: MESSAGE_A })), ['discard']);
  assert.deepEqual(summary(await run(src)), ['fileinto INBOX']);
  const m = message('From: a@b.c\nSubject: win $$$');
  assert.deepEqual(summary(await run(src, { message: m })), ['discard']);
});

test('RFC 5228 §3.1 redirect chain and §4 actions', async () => {
  const src =
    'if header :contains ["From"] ["coyote"] {\n redirect "acm@example.com";\n} elsif header :contains "Subject" "$$$" {\n redirect "postmaster@example.com";\n} else {\n redirect "field@example.com";\n}';
  assert.deepEqual(summary(await run(src, { message: MESSAGE_A })), ['redirect acm@example.com']);
  assert.deepEqual(summary(await run(src)), ['redirect field@example.com']);
});

test('implicit keep: kept when no action cancels it, after stop, with size', async () => {
  assert.deepEqual(summary(await run('')), ['implicit-keep']);
  assert.deepEqual(summary(await run('if size :over 500K { discard; }')), ['implicit-keep']);
  assert.deepEqual(summary(await run('if size :under 1M { keep; } else { discard; }')), ['keep']);
  assert.deepEqual(summary(await run('if not size :under 1M { discard; }')), ['implicit-keep']);
  assert.deepEqual(summary(await run('stop; discard;')), ['implicit-keep']);
  assert.deepEqual(summary(await run('discard; stop;')), ['discard']);
  const size = DEFAULT_MESSAGE_SIZE();
  assert.deepEqual(summary(await run(`if size :over ${size - 1} { discard; }`)), ['discard']);
  assert.deepEqual(summary(await run(`if size :over ${size} { discard; }`)), ['implicit-keep']);
  assert.deepEqual(summary(await run(`if size :under ${size} { discard; }`)), ['implicit-keep']);
});

function DEFAULT_MESSAGE_SIZE(): number {
  return input().message.length;
}

test('duplicate actions are recorded once (RFC 5228 §2.10.3)', async () => {
  const src = 'require "fileinto"; keep; keep; fileinto "INBOX"; fileinto "a"; fileinto "a"; redirect "x@y.z"; redirect "X@y.z"; discard; discard;';
  assert.deepEqual(summary(await run(src)), ['keep', 'fileinto a', 'redirect x@y.z', 'discard']);
});

test('header test: decoding, match types, comparators, exists, anyof/allof/not', async () => {
  const m = message('From: x@y.z\nSubject: =?UTF-8?Q?Caf=C3=A9_cr=C3=A8me?=\nX-Num: 0042\nX-Empty:');
  const yes = async (t: string, req = ''): Promise<boolean> => {
    const o = await run(`${req} if ${t} { discard; }`, { message: m });
    return summary(o)[0] === 'discard';
  };
  assert.equal(await yes('header :is "subject" "café crème"'), true);
  assert.equal(await yes('header :contains "subject" "CAFÉ"'), false, 'ascii-casemap folds ASCII only');
  assert.equal(await yes('header :contains :comparator "i;unicode-casemap" "subject" "CAFÉ"', 'require "comparator-i;unicode-casemap";'), true);
  assert.equal(await yes('header :contains "subject" "CAF"'), true);
  assert.equal(await yes('header :contains :comparator "i;octet" "subject" "CAF"'), false);
  assert.equal(await yes('header :matches "subject" "caf? *me"'), true);
  assert.equal(await yes('header :matches "subject" "caf?"'), false);
  assert.equal(await yes('header :is "x-num" "42"'), false);
  assert.equal(await yes('header :is :comparator "i;ascii-numeric" "x-num" "42"', 'require "comparator-i;ascii-numeric";'), true);
  assert.equal(await yes('header :is "x-empty" ""'), true);
  assert.equal(await yes('header :is "x-missing" ""'), false);
  assert.equal(await yes('exists ["from", "x-empty"]'), true);
  assert.equal(await yes('exists ["from", "date"]'), false);
  assert.equal(await yes('anyof (not exists ["From", "Date"], header :contains "from" "fool@example.com")'), true);
  assert.equal(await yes('allof (exists "from", header :contains "from" "nobody")'), false);
  assert.equal(await yes('allof (true, not false)'), true);
  assert.equal(await yes('anyof (false, false)'), false);
});

test('address and envelope tests with address parts', async () => {
  const yes = async (t: string, over = {}): Promise<boolean> =>
    summary(await run(`require "envelope"; if ${t} { discard; }`, over))[0] === 'discard';
  assert.equal(await yes('address :is :all "from" "joe@example.com"'), true);
  assert.equal(await yes('address :is "from" "JOE@example.COM"'), true);
  assert.equal(await yes('address :localpart :is "to" "bob"'), true);
  assert.equal(await yes('address :domain :is "to" "example.net"'), true);
  assert.equal(await yes('address :domain :is "from" "joe"'), false);
  assert.equal(await yes('address :contains "from" "Joe Q"'), false, 'the display name is not part of the address');
  assert.equal(await yes('address :is ["cc", "to"] "alice+lists@example.org"'), true);
  assert.equal(await yes('envelope :is "from" "joe@example.com"'), true);
  assert.equal(await yes('envelope :localpart :is "to" "alice+lists"'), true);
  assert.equal(await yes('envelope :domain :matches "to" "*.org"'), true);
  assert.equal(await yes('envelope :is "from" ""', { envelope: { from: '', to: 'a@b.c' } }), true);
  assert.equal(await yes('envelope :domain :is "from" ""', { envelope: { from: '', to: 'a@b.c' } }), true, 'null path: "" for any part');
  assert.equal(await yes('envelope :all :is "from" "u@h.example"', { envelope: { from: '@r1,@r2:u@h.example', to: 'a@b.c' } }), true);
  const grp = message('From: x@y.z\nTo: undisclosed:;\nCc: team: a@b.c, d@e.f;');
  assert.equal(await yes('address :is "cc" "d@e.f"', { message: grp }), true);
  assert.equal(await yes('address :matches "to" "*"', { message: grp }), false);
});

test('RFC 5228 §2.7.3 comparator example: i;octet is case-sensitive', async () => {
  const src = 'if header :contains :comparator "i;octet" "Subject" "MAKE MONEY FAST" { discard; }';
  assert.deepEqual(summary(await run(src, { message: message('Subject: You can MAKE MONEY FAST') })), ['discard']);
  assert.deepEqual(summary(await run(src, { message: message('Subject: You can Make Money Fast') })), ['implicit-keep']);
});

test('i;ascii-numeric: non-digits are positive infinity (RFC 4790 §9.1.1)', async () => {
  const src = (k: string): string => `require "comparator-i;ascii-numeric"; if header :is :comparator "i;ascii-numeric" "X" "${k}" { discard; }`;
  const m = (v: string): Buffer => message(`X: ${v}`);
  assert.deepEqual(summary(await run(src('abc'), { message: m('xyz') })), ['discard'], 'infinity equals infinity');
  assert.deepEqual(summary(await run(src('12'), { message: m('012abc') })), ['discard']);
  assert.deepEqual(summary(await run(src('12'), { message: m('x12') })), ['implicit-keep']);
});

test('encoded-character (RFC 5228 §2.4.2.4)', async () => {
  assert.equal(decodeEncodedCharacters('$${hex:40}'), '$@');
  assert.equal(decodeEncodedCharacters('${hex: 40 }'), '@');
  assert.equal(decodeEncodedCharacters('${HEX: 40}'), '@');
  assert.equal(decodeEncodedCharacters('${hex:40'), '${hex:40');
  assert.equal(decodeEncodedCharacters('${hex:400}'), '${hex:400}');
  assert.equal(decodeEncodedCharacters('${hex:4${hex:30}}'), '${hex:40}');
  assert.equal(decodeEncodedCharacters('${unicode:40}'), '@');
  assert.equal(decodeEncodedCharacters('${ unicode:40}'), '${ unicode:40}');
  assert.equal(decodeEncodedCharacters('${UNICODE:0000000041 1F600}'), 'A\u{1F600}');
  assert.equal(decodeEncodedCharacters('${hex:}'), '');
  assert.deepEqual(decodeEncodedCharacters('${unicode:D800}'), { error: 'invalid unicode character "D800" in encoded-character' });
  assert.deepEqual(errorsOf('require "encoded-character"; if header :is "s" "${unicode:110000}" {}'), [
    '1:48 invalid unicode character "110000" in encoded-character',
  ]);
  const src = 'require "encoded-character"; if header :contains "Subject" "$${hex:24 24}" { discard; }';
  assert.deepEqual(summary(await run(src, { message: message('Subject: pay $$$ now') })), ['discard']);
  // Without the require the sequence is literal text.
  assert.deepEqual(summary(await run('if header :contains "Subject" "${hex:41}" { discard; }', { message: message('Subject: A') })), [
    'implicit-keep',
  ]);
});

// ---- variables (RFC 5229) ----

test('variables: set, expansion, modifiers (RFC 5229 §4 examples)', async () => {
  const src = `require ["variables", "fileinto"];
set "honorific" "Mr";
set "first_name" "Wile";
set "last_name" "Coyote";
set "vacation" text:
Dear \${HONORIFIC} \${last_name},
I'm out, please leave a message after the meep.
.
;
set "a" "juMBlEd lETteRS";
set :length "b" "\${a}";
set :lower "c" "\${a}";
set :upper "d" "\${a}";
set :lowerfirst "e" "\${a}";
set :upperfirst "f" "\${a}";
set :upperfirst :lower "g" "\${a}";
set :quotewildcard "h" "Rock*";
set "i" "\${fo\\o}";
set "foo" "bar";
set "j" "\${foo}\${unknown}\${ foo}\${foo";
set "k" "\${1}";
if string :is "\${vacation}" text:
Dear Mr Coyote,
I'm out, please leave a message after the meep.
.
{ fileinto "vacation-ok"; }
fileinto "\${b}|\${c}|\${d}|\${e}|\${f}|\${g}|\${h}|\${j}|\${k}";`;
  const o = await run(src);
  assert.equal(o.error, null);
  assert.deepEqual(summary(o), [
    'fileinto vacation-ok',
    'fileinto 15|jumbled letters|JUMBLED LETTERS|juMBlEd lETteRS|JuMBlEd lETteRS|Jumbled letters|Rock\\*|bar${ foo}${foo|',
  ]);
});

test('variables: modifiers of equal precedence conflict; names are checked', () => {
  assert.deepEqual(errorsOf('require "variables"; set :lower :upper "a" "b";'), ["1:33 ':upper' cannot be combined with ':lower'"]);
  assert.deepEqual(errorsOf('require "variables"; set "1" "b";'), ['1:26 invalid variable name "1"']);
  assert.deepEqual(errorsOf('require "variables"; set "a-b" "b";'), ['1:26 invalid variable name "a-b"']);
  assert.deepEqual(errorsOf('require "variables"; set "ns.b" "b";'), ['1:26 variable namespace "ns" is unknown or read-only']);
  assert.deepEqual(errorsOf('require "variables"; set "b" "${ns.x}";'), ['1:30 unknown variable namespace in "${ns.x}"']);
  assert.deepEqual(errorsOf('require "fileinto"; fileinto "${ns.x}";'), [], 'without variables, "${" is text');
  assert.deepEqual(errorsOf('set "a" "b";'), ['1:1 command \'set\' requires the "variables" extension (missing require)']);
  const many = 'require "variables";' + Array.from({ length: 5 }, (_, i) => `set "v${i}" "x";`).join('');
  assert.deepEqual(errorsOf(many, { limits: { maxVariables: 4 } }), ['1:77 too many variables (limit 4)']);
});

test('variables: match variables from :matches, non-greedy (RFC 5229 §3.2)', async () => {
  const src = `require ["variables", "fileinto"];
if header :matches "List-ID" "*<*@*" {
  fileinto "lists.\${2}";
  stop;
}
# Imagine the header
# Subject: [acme-users] [fwd] version 1.0 is out
if header :matches "Subject" "[*] *" {
  # ${"${1}"} will hold "acme-users",
  # ${"${2}"} will hold "[fwd] version 1.0 is out"
  fileinto "lists.\${1}";
  set "rest" "\${2}";
  set "all" "\${0}";
  set "none" "\${3}\${003}";
  fileinto "\${rest}|\${all}|\${none}|\${01}";
  stop;
}
# Imagine the header
# To: coyote@ACME.Example.COM
if address :matches ["To", "Cc"] ["coyote@**.com", "wile@**.com"] {
  # \${0} is the matching address
  # \${1} is always the empty string
  # \${2} is part of the domain name ("ACME.Example")
  fileinto "\${0}|\${1}|\${2}";
} else {
  # Control wouldn't reach this block if any match was
  # successful, so no match variables are set at this
  # point.
}`;
  assert.deepEqual(summary(await run(src, { message: message('List-ID: Acme users <acme-users@lists.example.com>') })), [
    'fileinto lists.acme-users',
  ]);
  assert.deepEqual(summary(await run(src, { message: message('Subject: [acme-users] [fwd] version 1.0 is out') })), [
    'fileinto lists.acme-users',
    'fileinto [fwd] version 1.0 is out|[acme-users] [fwd] version 1.0 is out||acme-users',
  ]);
  assert.deepEqual(summary(await run(src, { message: message('To: coyote@ACME.Example.COM') })), [
    'fileinto coyote@ACME.Example.COM||ACME.Example',
  ]);
});

test('string test (RFC 5229 §5)', async () => {
  const src = 'require "variables"; set "x" "Hello"; if string :is "${x}" "hello" { discard; }';
  assert.deepEqual(summary(await run(src)), ['discard']);
  const src2 = 'require "variables"; if string :is "${nothing}" "" { discard; }';
  assert.deepEqual(summary(await run(src2)), ['discard']);
});

test('wildcard matcher: escapes, ?, adjacent stars, non-greedy captures', () => {
  const id = (c: string): string => c;
  assert.deepEqual(matchWildcard(null, 'abc', 'a?c', id), ['b']);
  assert.deepEqual(matchWildcard(null, 'a*c', 'a\\*c', id), []);
  assert.equal(matchWildcard(null, 'abc', 'a\\*c', id), null);
  assert.deepEqual(matchWildcard(null, 'a.b.c', '*.*', id), ['a', 'b.c']);
  assert.deepEqual(matchWildcard(null, 'abc', '**', id), ['', 'abc']);
  assert.deepEqual(matchWildcard(null, '', '*', id), ['']);
  assert.equal(matchWildcard(null, '', '?', id), null);
  assert.deepEqual(matchWildcard(null, 'x\u{1F600}y', 'x?y', id), ['\u{1F600}']);
  assert.equal(matchWildcard(null, 'abcabd', '*abd', id)?.[0], 'abc');
});

// ---- runtime errors and limits ----

test('runtime errors: implicit keep and error set (RFC 5228 §2.10.6)', async () => {
  const o = await run('require ["variables"]; set "a" "not an address"; discard; redirect "${a}";');
  assert.deepEqual(summary(o), ['implicit-keep']);
  assert.equal(o.error?.line, 1);
  assert.equal(o.error?.column, 59);
  assert.match(o.error!.message, /invalid redirect address/);
  const tooMany = await run('redirect "a@b.c"; redirect "b@b.c"; redirect "c@b.c";', {}, { execute: { limits: { maxRedirects: 2 } } });
  assert.deepEqual(summary(tooMany), ['implicit-keep']);
  assert.match(tooMany.error!.message, /too many redirects/);
  const actions = await run('require "fileinto"; fileinto "a"; fileinto "b"; fileinto "c";', {}, { execute: { limits: { maxActions: 2 } } });
  assert.match(actions.error!.message, /too many actions/);
});

test('step budget stops expensive scripts; variables are truncated to the byte limit', async () => {
  const keys = Array.from({ length: 200 }, (_, i) => `"*a*b*c*${i}"`).join(',');
  const src = `if header :matches "subject" [${keys}] { discard; }`;
  const m = message(`Subject: ${'a'.repeat(800)}`);
  const o = await run(src, { message: m }, { execute: { limits: { maxSteps: 5000 } } });
  assert.deepEqual(summary(o), ['implicit-keep']);
  assert.match(o.error!.message, /step budget/);
  const v = await run(
    'require ["variables", "fileinto"]; set "a" "ééééé"; set "a" "${a}${a}${a}"; fileinto "${a}";',
    {},
    { execute: { limits: { maxVariableBytes: 7 } } },
  );
  assert.deepEqual(summary(v), ['fileinto ééé']);
  assert.equal(truncateUtf8('a\u{1F600}', 4), 'a');
});

test('expandVariables leaves malformed references verbatim', () => {
  const look = (n: string): string => `<${n}>`;
  assert.equal(expandVariables('${a}${a.b}${1}${}${-}${a', look), '<a><a.b><1>${}${-}${a');
  assert.equal(expandVariables('${fo${bar}}', look), '${fo<bar>}');
});

test('execute rejects foreign script objects; host rejections propagate', async () => {
  await assert.rejects(execute({ source: '', requires: new Set() }, input(), host()), TypeError);
  const c = compile('require "envelope"; keep;');
  assert.ok(c.ok);
  assert.deepEqual(SUPPORTED_EXTENSIONS.includes('fileinto'), true);
  assert.equal(DEFAULT_SIEVE_LIMITS.maxNesting > 0, true);
});

// ---- hostile input ----

test('property: compile never throws on random input', () => {
  const atoms = ['if', 'elsif', 'else', 'require', 'header', ':is', ':matches', '"x"', '"${1}"', '[', ']', '(', ')', '{', '}', ';', ',', 'text:\n', '\n.\n', '1K', 'not', 'anyof', '/*', '*/', '#', 'set', '"variables"'];
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.constantFrom(...atoms), { maxLength: 60 }).map((a) => a.join(' '))), (s) => {
      const r = compile(s);
      if (!r.ok) for (const e of r.errors) assert.ok(e.line >= 1 && e.column >= 1 && e.message.length > 0);
    }),
    { numRuns: 2000 },
  );
});

test('property: execute never throws for compiled scripts on random messages', async () => {
  const scripts = [
    'require ["variables", "fileinto", "envelope"]; if header :matches "subject" "*?*" { set "a" "${1}${2}"; fileinto "${a}"; } elsif address :domain :contains ["from", "to"] "x" { discard; }',
    'require "envelope"; if anyof (envelope :all :is "from" "", exists "x", size :over 10) { redirect "a@b.c"; }',
  ].map((s) => {
    const c = compile(s);
    assert.ok(c.ok);
    return c.script;
  });
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.string({ maxLength: 40 }), async (bytes, from) => {
      for (const s of scripts) {
        const o = await execute(s, input({ message: Buffer.from(bytes), envelope: { from, to: from } }), host());
        assert.ok(o.actions.length >= 1);
      }
    }),
    { numRuns: 300 },
  );
});

test('address test is restricted to address headers (RFC 5228 §5.1)', async () => {
  assert.deepEqual(errorsOf('if address :is "subject" "x" {}'), ['1:16 header "subject" does not hold addresses (address test, RFC 5228 §5.1)']);
  assert.deepEqual(errorsOf('if address :is ["Resent-From", "reply-to", "BCC"] "x" {}'), []);
  const m = message('Subject: joe@example.com\nFrom: a@b.c');
  const o = await run('require "variables"; set "h" "subject"; if address :is "${h}" "joe@example.com" { discard; }', { message: m });
  assert.deepEqual(summary(o), ['implicit-keep']);
});

test('Runtime.withScript runs another script with its own requires and variable scope', async () => {
  const { Runtime } = await import('./interpreter.js');
  const { CompiledScript } = await import('./compile.js');
  const main = compile('require ["variables", "fileinto"]; set "a" "main";');
  const inner = compile('require ["variables", "fileinto"]; set "a" "inner"; fileinto "${a}";');
  const plain = compile('require "fileinto"; fileinto "${a}";');
  assert.ok(main.ok && inner.ok && plain.ok);
  assert.ok(main.script instanceof CompiledScript && inner.script instanceof CompiledScript && plain.script instanceof CompiledScript);
  const rt = new Runtime(main.script, input(), host(), DEFAULT_SIEVE_LIMITS);
  await rt.runBlock(main.script.commands);
  const innerScript = inner.script;
  await rt.withScript(innerScript, () => rt.runBlock(innerScript.commands));
  const plainScript = plain.script;
  await rt.withScript(plainScript, () => rt.runBlock(plainScript.commands));
  assert.equal(rt.getVariable('a'), 'main');
  assert.equal(rt.script, main.script);
  assert.deepEqual(
    rt.actions.map((a) => (a.type === 'fileinto' ? a.mailbox : a.type)),
    ['inner', '${a}'],
  );
});

test('redirect addresses: dot-strings and quoted local parts', async () => {
  const { isValidRedirectAddress } = await import('./extensions/core.js');
  for (const ok of ['a@b.c', 'first.last+tag@example.org', '"john doe"@example.com', '"a\\"b"@x.y']) assert.equal(isValidRedirectAddress(ok), true, ok);
  for (const bad of ['', 'a', '@b.c', 'a@', 'a b@c.d', '<a@b.c>', 'a@b@c', '.a@b.c', 'a..b@c.d', 'a@b..c', 'a.@b.c', '"unterminated@b.c', 'Joe <a@b.c>']) {
    assert.equal(isValidRedirectAddress(bad), false, bad);
  }
});
