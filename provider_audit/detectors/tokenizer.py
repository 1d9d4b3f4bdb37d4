"""A small lexer for C-like languages (and Ruby), and the evidence helpers the language detectors share.

The lexer walks the text once and yields identifiers, string literals, numbers and punctuation; comments
and whitespace are dropped. It knows each language's comments and string forms well enough never to
read a comment or a string as code (commented-out imports do not count, and ``"import x from 'openai'"``
is a string), and to recover gently from what it does not understand: a quote that finds no closing
quote (on its line, for single-line strings) is read as punctuation and lexing carries on after it. A
stray apostrophe (JSX text such as ``<p>Don't</p>``) can still pair with a later quote on the same line.

Approximations (documented, deliberate):

* JavaScript regex literals are recognised by the token before the ``/`` (an operator or a keyword
  such as ``return``), within one line and 300 characters; otherwise ``/`` is division.
* Interpolation holes (``"${a["b"]}"`` in Kotlin, ``#{}`` in Ruby, ``{}`` in C# ``$"..."``) are read
  as part of the string; a quote inside a hole ends the string early. JavaScript template literals
  are exact: their text parts are strings (``tpl`` tokens when the template has substitutions) and
  the ``${...}`` parts are lexed as code.
* Go raw strings, Rust raw strings (``r#"..."#``), C# verbatim and raw strings (``@"..."``, triple
  quotes), Java/Kotlin/Scala text blocks and PHP/Ruby heredocs are read exactly; Ruby ``%q()``
  literals by their delimiters.

Every regular expression here is linear, or bounded to a short window, so hostile input (a 100k-character
line, thousands of nested brackets, unterminated strings and comments) costs time proportional to its size.
"""

from __future__ import annotations

import re
from itertools import accumulate, chain, compress, islice
from operator import itemgetter
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Iterator, List, Optional, Sequence, Tuple



ID, STR, TPL, NUM, OP = "id", "str", "tpl", "num", "op"
_BRACKETS = frozenset("()[]{}")

# Source larger than this is read by the text detector instead (as Python's detector does).
MAX_SOURCE_CHARS = 256_000  # larger files are generated or minified: the linear text detector reads them
# How far a client construction's arguments and method chain are searched for an endpoint.
MAX_SCOPE_TOKENS = 4000


class Tok:
    """One token: kind, value (a string's decoded content), and its [start, end) offsets in the text."""

    __slots__ = ("kind", "value", "start", "end")

    def __init__(self, kind: str, value: str, start: int, end: int):
        self.kind = kind
        self.value = value
        self.start = start
        self.end = end

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Tok({self.kind}, {self.value!r}, {self.start})"


class Tokens:
    """The tokens of one text as four parallel lists (kinds, values, start and end offsets): the lexer's
    common runs are appended a list at a time, with no object per token. Indexing and iteration give
    ``Tok`` objects, made on demand, for code that reads a few tokens at a time."""

    __slots__ = ("kinds", "values", "starts", "ends")

    def __init__(self) -> None:
        self.kinds: List[str] = []
        self.values: List[str] = []
        self.starts: List[int] = []
        self.ends: List[int] = []

    def append(self, tok: Tok) -> None:
        self.kinds.append(tok.kind)
        self.values.append(tok.value)
        self.starts.append(tok.start)
        self.ends.append(tok.end)

    def __len__(self) -> int:
        return len(self.kinds)

    def __getitem__(self, i: int) -> Tok:
        if type(i) is not int:
            raise TypeError(f"token index must be an int, not {type(i).__name__}")
        return Tok(self.kinds[i], self.values[i], self.starts[i], self.ends[i])

    def __iter__(self) -> Iterator[Tok]:
        return map(Tok, self.kinds, self.values, self.starts, self.ends)


@dataclass(frozen=True)
class Spec:
    """What one language's comments and literals look like."""

    line_comments: Tuple[str, ...] = ("//",)
    block_comments: Tuple[Tuple[str, str], ...] = (("/*", "*/"),)
    nested_comments: bool = False  # Rust, Kotlin, Scala, F#
    single_quote: str = "char"  # "string" (JS, PHP, Ruby, Groovy), "char" (char literal or lifetime), "none"
    multiline_strings: bool = False  # "..." may span lines (Rust, PHP, Ruby)
    escapes: bool = True  # backslash escapes; False: VB doubles quotes instead
    backtick: Optional[str] = None  # "template" (JS), "raw" (Go, PHP, Ruby), "ident" (Kotlin, Scala)
    triple_quotes: bool = False  # """text blocks""" (and ''' in Groovy when single quotes are strings)
    rust_strings: bool = False  # r"..", r#".."#, b"..", br"..", c".."
    csharp_strings: bool = False  # @"..", $"..", $@"..", raw """..."""
    regex_literals: bool = False  # JS and Ruby /.../
    heredoc: Optional[str] = None  # "ruby" or "php"
    ruby: bool = False  # %q() literals, =begin/=end, __END__, method names ending in ? or !
    hash_attribute: bool = False  # PHP: '#[' starts an attribute, not a comment


_WS = re.compile(r"\s+")
_IDENT = re.compile(r"(?:[^\W\d]|\$)(?:\w|\$)*")
_RUBY_IDENT = re.compile(r"(?:[^\W\d]|\$)(?:\w|\$)*(?:[?!](?![=~]))?")
_NUMBER = re.compile(r"\d(?:[\w.]|(?<=[eE])[+-])*")
_MULTI_OPS = ("=>", "->", "::", "?.", "??", "?:", ":=", "===", "!==", "==", "!=", "<=", ">=", "&&", "||", "...")
_OPS = re.compile("|".join(map(re.escape, _MULTI_OPS)) + r"|[^\s\w]", re.S)
_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]{1,6}\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|\r?\n|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v", "\n": "", "\r\n": ""}
_CHAR = re.compile(r"'(?:[^'\\\n]|\\(?:u\{[0-9A-Fa-f]{1,6}\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|[0-7]{1,3}|.))'")
_REGEX_BODY = re.compile(r"/(?![*/])(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[A-Za-z]*")
_TEMPLATE_CHUNK = re.compile(r"[^`\\$]*(?:(?:\\.|\$(?!\{))[^`\\$]*)*", re.S)
_QUOTE_RUN = re.compile(r'"*')
_VERBATIM = re.compile(r'"((?:[^"]|"")*)"', re.S)
_RUST_RAW = re.compile(r"(?:br|cr|r)(#*)\"")
_CS_PREFIX = re.compile(r"[@$]{1,4}(?=\")")
_RUBY_HEREDOC = re.compile(r"<<([~-]?)(['\"`]?)([A-Za-z_]\w*)\2")
_PHP_HEREDOC = re.compile(r"<<<[ \t]*(['\"]?)([A-Za-z_]\w*)\1[ \t]*\r?\n")
_RUBY_PERCENT = re.compile(r"%[qQwWiIsx]?(?=[^\w\s])")
_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}

# Tokens after which a '/' starts a regex literal rather than a division (besides most operators).
_REGEX_KEYWORDS = frozenset({"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw",
                             "case", "do", "else", "yield", "await", "when", "if", "unless", "and", "or",
                             "not", "elsif", "while", "until"})


def _string_body(quote: str, multiline: bool, escapes: bool) -> str:
    """The regex text of a string's content between ``quote``s (no group)."""
    q = re.escape(quote)
    nl = "" if multiline else r"\n"
    if escapes:
        return rf"[^{q}\\{nl}]*(?:\\.[^{q}\\{nl}]*)*"
    return rf"(?:[^{q}{nl}]|{q}{q})*"


def _string_pattern(quote: str, multiline: bool, escapes: bool) -> re.Pattern:
    q = re.escape(quote)
    return re.compile(rf"{q}({_string_body(quote, multiline, escapes)}){q}", re.S)


# Runs of common tokens read by one ``findall`` (see ``_run_pattern``); False lexes character by character only.
FAST_PATH = True
_PUNCTUATION = "!#%&()*+,-.:;<=>?@[]^|~\\"  # ASCII punctuation, less quotes, / { } $ _
# The kind of a token read by a run, by its first character (runs read only tokens starting in ASCII).
_RUN_KINDS = {chr(c): ID if chr(c).isalpha() or chr(c) in "_$" else NUM if chr(c).isdigit() else OP for c in range(128)}
_RUN_KINDS.update({'"': STR, "'": STR})


@lru_cache(maxsize=None)
def _run_pattern(spec: Spec, plain_braces: bool = True, strings: bool = True) -> Optional["re.Pattern[str]"]:
    """Whitespace and comments, then an identifier, a number, an operator or (``strings``) a quoted
    string that no rule of ``spec`` treats specially; anything else (or the end) matches the rest of the
    text in O(1), so ``findall`` reads a whole run of tokens in C and stops at the first one needing the
    character tests of ``lex``'s loop, which give exactly the same tokens for those it reads.
    ``plain_braces``: ``{ }`` are plain operators (JavaScript outside template substitutions). None for
    languages with prefixed literals, heredocs or comment markers that would need those tests first."""
    if spec.ruby or spec.rust_strings or spec.csharp_strings or spec.heredoc or spec.hash_attribute:
        return None
    markers = spec.line_comments + tuple(opener for opener, _ in spec.block_comments)
    if any(not marker or marker[0] not in _PUNCTUATION + "/" for marker in markers):
        return None
    skip = [r"\s+"] + [re.escape(marker) + r"[^\n]*" for marker in spec.line_comments]
    if not spec.nested_comments:
        skip += [re.escape(opener) + ".*?" + re.escape(closer) for opener, closer in spec.block_comments]
    plain = "".join(c for c in _PUNCTUATION + ("{}" if plain_braces else "") if all(c != m[0] for m in markers))
    # The most common tokens first: a character no longer operator starts with, an identifier (whose
    # first character the class makes ASCII), a longer operator, any other operator character.
    longer = [op for op in _MULTI_OPS if op[0] in plain]
    single = "".join(c for c in plain if not any(op[0] == c for op in longer))
    tokens = [f"[{re.escape(single)}]", r"[A-Za-z_$][\w$]*", "|".join(map(re.escape, longer)),
              f"[{re.escape(plain)}]", rf"(?=[0-9]){_NUMBER.pattern}"]
    if strings:
        for quote in '"' + ("'" if spec.single_quote == "string" else ""):
            q = re.escape(quote)
            triple = f"(?!{q}{q})" if spec.triple_quotes else ""  # a triple quote opens a text block: the long way
            tokens.append(f"{q}{triple}{_string_body(quote, spec.multiline_strings, spec.escapes)}{q}")
    token = "|".join(tokens)
    return re.compile(rf"((?:{'|'.join(skip)})*)(?:({token})|.*)", re.S)


def _read_run(text: str, pos: int, end: int, spec: Spec, plain_braces: bool, strings: bool,
              toks: Tokens) -> int:
    """Append the run of common tokens from ``pos`` (before ``end``); return where it stops."""
    pattern = _run_pattern(spec, plain_braces, strings)
    assert pattern is not None
    found = pattern.findall(text, pos, end)
    if not found[0][1]:  # no token at all: skip what precedes the one that needs the long way
        return pos + len(found[0][0])
    values = list(map(itemgetter(1), found))
    count = values.index("")  # the first match reading no token: the run's end (always there)
    del values[count:]
    bounds = list(accumulate(map(len, chain.from_iterable(islice(found, count + 1))), initial=pos))
    kinds = list(map(_RUN_KINDS.__getitem__, map(itemgetter(0), values)))
    for k in compress(range(count), map(STR.__eq__, kinds)):
        raw = values[k][1:-1]
        values[k] = decode_escapes(raw) if spec.escapes else raw.replace('""', '"')
    toks.kinds.extend(kinds)
    toks.values.extend(values)
    toks.starts.extend(islice(bounds, 1, 2 * count, 2))
    toks.ends.extend(islice(bounds, 2, 2 * count + 1, 2))
    return bounds[2 * count + 1]


def decode_escapes(raw: str) -> str:
    """Backslash escapes of C-like strings, approximately (enough for hosts, names and model ids)."""
    if "\\" not in raw:
        return raw

    def one(m: "re.Match[str]") -> str:
        body = m.group(1)
        if body in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[body]
        try:
            if body.startswith("u{"):
                return chr(int(body[2:-1], 16))
            if body[0] in "ux" and len(body) > 1:
                return chr(int(body[1:], 16))
        except (ValueError, OverflowError):
            return body
        return body

    return _ESCAPE.sub(one, raw)


def lex(text: str, spec: Spec) -> Tokens:
    """The tokens of ``text``; never raises on any input."""
    toks = Tokens()
    append = toks.append
    n = len(text)
    pos = 0
    if text.startswith("#!"):  # shebang
        pos = text.find("\n")
        pos = n if pos < 0 else pos
    double = _string_pattern('"', spec.multiline_strings, spec.escapes)
    single = _string_pattern("'", spec.multiline_strings, spec.escapes) if spec.single_quote == "string" else None
    ident = _RUBY_IDENT if spec.ruby else _IDENT
    braces: List[str] = []  # JS: "{" for a brace, "T" for a template substitution
    jumps: List[Tuple[int, int]] = []  # heredoc bodies already emitted: (start, end) to skip
    missing: Dict[str, int] = {}  # heredoc word / raw-string closer -> an offset after which it never occurs
    # quote -> end of a region where an earlier string with that quote found no closing quote: a quote
    # inside the region cannot close either (it was escaped, and the scan after it is the same).
    unclosed: Dict[str, int] = {}
    failures = [0]  # failed scans of %q()/heredocs: past a budget those are no longer tried

    def quoted(pattern: "re.Pattern[str]", quote: str):
        if unclosed.get(quote, -1) > pos:
            return None
        m = pattern.match(text, pos)
        if m is None:
            stop = n if spec.multiline_strings else text.find("\n", pos)
            unclosed[quote] = n if stop < 0 else stop
        return m

    def find_closer(closer: str, start: int) -> int:
        if missing.get(closer, n + 1) <= start:
            return -1
        end = text.find(closer, start)
        if end < 0:
            missing[closer] = start
        return end

    line_comments = spec.line_comments
    block_comments = spec.block_comments

    def prev_allows_regex() -> bool:
        if not toks.kinds:
            return True
        kind, value = toks.kinds[-1], toks.values[-1]
        if kind == OP:  # after ) ] } it is a division; after < it is JSX's </tag>
            return value not in (")", "]", "}", "<", "++", "--")
        if kind == ID:
            return value in _REGEX_KEYWORDS
        return False

    def template(start: int, first: bool) -> int:
        """Read template text from ``start``; emit it; return where code resumes."""
        m = _TEMPLATE_CHUNK.match(text, start)
        end = m.end()
        value = decode_escapes(text[start:end])
        if end < n and text[end] == "`":
            append(Tok(STR if first else TPL, value, start - 1, end + 1))
            return end + 1
        append(Tok(TPL, value, start - 1, end))
        if text.startswith("${", end):
            braces.append("T")
            return end + 2
        return n  # unterminated (or a lone backslash at the very end)

    fast = FAST_PATH and _run_pattern(spec) is not None
    while pos < n:
        if fast:
            # Outside JavaScript template substitutions braces are plain (this path then leaves ``braces``
            # empty: those below a substitution cannot matter). Quotes inside a region where an unclosed
            # string was found take the long way, which knows they cannot close either.
            blocked = max(unclosed.values(), default=-1)
            pos = _read_run(text, pos, n if pos >= blocked else blocked, spec, not braces,
                            pos >= blocked, toks)
            if pos >= n:
                break
        if jumps and pos >= jumps[0][0]:
            pos = max(pos, jumps.pop(0)[1])
            continue
        ch = text[pos]
        if ch.isspace():
            pos = _WS.match(text, pos).end()
            continue

        # -- comments ---------------------------------------------------------------------------
        skipped = False
        for marker in line_comments:
            if text.startswith(marker, pos) and not (spec.hash_attribute and text.startswith("#[", pos)):
                end = text.find("\n", pos)
                pos = n if end < 0 else end
                skipped = True
                break
        if skipped:
            continue
        for opener, closer in block_comments:
            if text.startswith(opener, pos):
                pos = _skip_block_comment(text, pos, opener, closer, spec.nested_comments)
                skipped = True
                break
        if skipped:
            continue
        if spec.ruby and ch in "=_" and (pos == 0 or text[pos - 1] == "\n"):
            if text.startswith("=begin", pos):
                end = text.find("\n=end", pos)
                if end < 0:
                    break
                end = text.find("\n", end + 1)
                pos = n if end < 0 else end
                continue
            if text.startswith("__END__", pos) and text[pos + 7:pos + 8] in ("", "\n", "\r"):
                break

        # -- literals with a prefix -------------------------------------------------------------
        if spec.rust_strings and ch in "rbc":
            m = _RUST_RAW.match(text, pos)
            if m:
                closer = '"' + m.group(1)
                end = find_closer(closer, m.end())
                if end >= 0:
                    append(Tok(STR, text[m.end():end], pos, end + len(closer)))
                    pos = end + len(closer)
                    continue
            elif ch in "bc" and text.startswith('"', pos + 1):
                m = double.match(text, pos + 1)
                if m:
                    append(Tok(STR, decode_escapes(m.group(1)), pos, m.end()))
                    pos = m.end()
                    continue
            elif ch == "b" and text.startswith("'", pos + 1):
                m = _CHAR.match(text, pos + 1)
                if m:
                    append(Tok(NUM, m.group(0), pos, m.end()))
                    pos = m.end()
                    continue
        if spec.csharp_strings and ch in "@$":
            m = _CS_PREFIX.match(text, pos)
            if m:
                end = _csharp_string(text, m.end(), "@" in m.group(0), append, pos)
                if end is not None:
                    pos = end
                    continue

        if ch.isalpha() or ch == "_" or ch == "$" or ord(ch) > 127:
            m = ident.match(text, pos)
            if m:
                append(Tok(ID, m.group(0), pos, m.end()))
                pos = m.end()
                continue
        if ch.isdigit():
            m = _NUMBER.match(text, pos)
            if m:
                append(Tok(NUM, m.group(0), pos, m.end()))
                pos = m.end()
                continue

        # -- quoted literals --------------------------------------------------------------------
        if ch == '"' or (ch == "'" and spec.single_quote == "string"):
            if spec.triple_quotes and text.startswith(ch * 3, pos):
                run = 3
                if spec.csharp_strings:  # raw strings open with 3 or more quotes (16 at most, here)
                    run = min(_QUOTE_RUN.match(text, pos).end() - pos, 16)
                closer = ch * run
                end = find_closer(closer, pos + run)
                if end >= 0:
                    append(Tok(STR, text[pos + run:end], pos, end + run))
                    pos = end + run
                    continue
            m = quoted(double if ch == '"' else single, ch)
            if m:
                raw = m.group(1)
                value = decode_escapes(raw) if spec.escapes else raw.replace('""', '"')
                append(Tok(STR, value, pos, m.end()))
                pos = m.end()
                continue
            append(Tok(OP, ch, pos, pos + 1))
            pos += 1
            continue
        if ch == "'" and spec.single_quote == "char":
            m = _CHAR.match(text, pos)
            if m:
                append(Tok(NUM, m.group(0), pos, m.end()))
                pos = m.end()
                continue
            append(Tok(OP, ch, pos, pos + 1))
            pos += 1
            continue
        if ch == "`" and spec.backtick:
            if spec.backtick == "template":
                pos = template(pos + 1, True)
                continue
            end = text.find("`", pos + 1)
            if spec.backtick == "ident":
                line_end = text.find("\n", pos + 1)
                if end > pos + 1 and (line_end < 0 or end < line_end):
                    append(Tok(ID, text[pos + 1:end], pos, end + 1))
                    pos = end + 1
                    continue
            elif end >= 0:
                append(Tok(STR, text[pos + 1:end], pos, end + 1))
                pos = end + 1
                continue
            append(Tok(OP, ch, pos, pos + 1))
            pos += 1
            continue

        # -- punctuation with special meaning -----------------------------------------------------
        if ch == "/" and spec.regex_literals and prev_allows_regex():
            line_end = text.find("\n", pos)
            m = _REGEX_BODY.match(text, pos, min(n if line_end < 0 else line_end, pos + 300))
            if m:
                append(Tok(NUM, m.group(0), pos, m.end()))  # a regex is a value, like a number
                pos = m.end()
                continue
        if ch == "%" and spec.ruby and (not toks or (toks[-1].kind == OP and toks[-1].value not in (")", "]", "}"))
                                        or (toks[-1].kind == ID and toks[-1].value in _REGEX_KEYWORDS)):
            m = _RUBY_PERCENT.match(text, pos) if failures[0] < 64 else None
            if m:
                found = _ruby_percent(text, m.end())
                if found is None:
                    failures[0] += 1
                else:
                    end, value = found
                    append(Tok(STR, value, pos, end))
                    pos = end
                    continue
        if ch == "<" and spec.heredoc and failures[0] < 64 and text.startswith("<<", pos):
            found_doc = _heredoc(text, pos, spec.heredoc, jumps, toks, missing)
            if found_doc is None and len(missing) > 64:
                failures[0] = 64
            if found_doc is not None:
                token, resume, body = found_doc
                append(token)
                if body is not None:
                    jumps.append(body)
                    jumps.sort()
                pos = resume
                continue

        m = _OPS.match(text, pos)
        end = m.end() if m else pos + 1  # any other character is one punctuation token
        value = text[pos:end]
        if spec.backtick == "template" and value in ("{", "}"):
            if value == "{":
                braces.append("{")
            elif braces and braces.pop() == "T":
                pos = template(pos + 1, False)
                continue
        append(Tok(OP, value, pos, end))
        pos = end
    return toks


def _skip_block_comment(text: str, pos: int, opener: str, closer: str, nested: bool) -> int:
    if not nested:
        end = text.find(closer, pos + len(opener))
        return len(text) if end < 0 else end + len(closer)
    depth = 0
    pattern = re.compile(re.escape(opener) + "|" + re.escape(closer))
    for m in pattern.finditer(text, pos):
        depth += 1 if m.group(0) == opener else -1
        if depth == 0:
            return m.end()
    return len(text)


def _csharp_string(text: str, start: int, verbatim: bool, append, token_start: int) -> Optional[int]:
    """A C# string whose prefix (@, $, $@...) ends at ``start`` (on the opening quote)."""
    run = _QUOTE_RUN.match(text, start).end() - start
    if 3 <= run <= 16:  # raw string literal
        end = text.find('"' * run, start + run)
        if end < 0:
            return None
        append(Tok(STR, text[start + run:end], token_start, end + run))
        return end + run
    if verbatim:
        m = _VERBATIM.match(text, start)
        if not m:
            return None
        append(Tok(STR, m.group(1).replace('""', '"'), token_start, m.end()))
        return m.end()
    m = _string_pattern('"', False, True).match(text, start)
    if not m:
        return None
    append(Tok(STR, decode_escapes(m.group(1)), token_start, m.end()))
    return m.end()


def _ruby_percent(text: str, start: int) -> Optional[Tuple[int, str]]:
    """%q(...) and friends: the delimiter at ``start``; brackets nest. (end, content) or None."""
    opener = text[start]
    closer = _PAIRS.get(opener, opener)
    depth = 1
    i = start + 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == closer:
            depth -= 1
            if depth == 0:
                return i + 1, text[start + 1:i]
        elif c == opener and closer != opener:
            depth += 1
        i += 1
    return None


def _terminator(text: str, word: str, start: int, pattern: str, missing: Dict[str, int]):
    """The first line closing heredoc ``word`` after ``start``; failures are remembered, so a file full of
    unterminated openers costs one search per word, not one per opener."""
    key = pattern + word
    if key in missing and missing[key] <= start:
        return None
    found = re.compile(pattern.format(re.escape(word)), re.M).search(text, start)
    if found is None:
        missing[key] = start
    return found


def _heredoc(text: str, pos: int, kind: str, jumps: List[Tuple[int, int]], toks: Tokens,
             missing: Dict[str, int]):
    """A heredoc opener at ``pos``: (string token, where lexing resumes, body span to skip or None)."""
    if kind == "php":
        m = _PHP_HEREDOC.match(text, pos)
        if not m:
            return None
        word = m.group(2)
        body_start = m.end()
        end_match = _terminator(text, word, body_start, r"^[ \t]*{}\b", missing)
        if not end_match:
            return None
        body = text[body_start:end_match.start()]
        token = Tok(STR, body if m.group(1) == "'" else decode_escapes(body), pos, end_match.end())
        return token, end_match.end(), None
    m = _RUBY_HEREDOC.match(text, pos)
    if not m:
        return None
    flag, word = m.group(1), m.group(3)
    if not flag:  # bare <<WORD is also a shift: only after an operator, and with an upper-case word
        if not word[0].isupper() or (toks and toks[-1].kind != OP) or (toks and toks[-1].value in (")", "]", "}")):
            return None
    line_end = text.find("\n", m.end())
    if line_end < 0:
        return None
    body_start = jumps[-1][1] if jumps and jumps[-1][0] == line_end + 1 else line_end + 1
    end_match = _terminator(text, word, body_start, r"^[ \t]*{}[ \t]*\r?$", missing)
    if not end_match:
        return None
    body = text[body_start:end_match.start()]
    value = body if m.group(2) == "'" else decode_escapes(body)
    token = Tok(STR, value, body_start, end_match.start())
    body_end = end_match.end()
    if jumps and jumps[-1][0] == line_end + 1:  # a second heredoc on the same line: extend the skip
        jumps[-1] = (jumps[-1][0], body_end)
        return token, m.end(), None
    return token, m.end(), (line_end + 1, body_end)


def match_brackets(kinds: Sequence[str], values: Sequence[str]) -> List[int]:
    """For each bracket token (by kind and value), the index of its partner (-1 when unmatched); -1 for
    other tokens."""
    pair = [-1] * len(values)
    stack: List[int] = []
    closers = {")": "(", "]": "[", "}": "{"}
    for i in compress(range(len(values)), map(_BRACKETS.__contains__, values)):
        if kinds[i] != OP:
            continue
        v = values[i]
        if v in "([{":
            stack.append(i)
        elif stack and values[stack[-1]] == closers[v]:
            j = stack.pop()
            pair[i] = j
            pair[j] = i
        elif any(values[k] == closers[v] for k in stack[-3:]):
            # a stray opener (or two) inside: drop them and pair with the real one
            while values[stack[-1]] != closers[v]:
                stack.pop()
            j = stack.pop()
            pair[i] = j
            pair[j] = i
    return pair


