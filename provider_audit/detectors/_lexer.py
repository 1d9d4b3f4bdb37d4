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

import bisect
import re
from itertools import accumulate, chain, compress
from operator import attrgetter, itemgetter
from dataclasses import dataclass
from functools import lru_cache
from typing import AbstractSet, Callable, Container, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from provider_audit.catalog import Attribution, Catalog
from provider_audit.detectors import text as text_detector
from provider_audit.detectors.literals import Hit, classify_string, evidence_from_hit, hosts_in
from provider_audit.models import Evidence, FileReport, Skip
from provider_audit.redact import redact

ID, STR, TPL, NUM, OP = "id", "str", "tpl", "num", "op"

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
              toks: List["Tok"]) -> int:
    """Append the run of common tokens from ``pos`` (before ``end``); return where it stops."""
    pattern = _run_pattern(spec, plain_braces, strings)
    assert pattern is not None
    found = pattern.findall(text, pos, end)
    if not found[0][1]:  # no token at all: skip what precedes the one that needs the long way
        return pos + len(found[0][0])
    values = list(map(itemgetter(1), found))
    count = values.index("")  # the first match reading no token: the run's end (always there)
    bounds = list(accumulate(map(len, chain.from_iterable(found[:count + 1])), initial=pos))
    kinds = list(map(_RUN_KINDS.__getitem__, map(itemgetter(0), values[:count])))
    for k in compress(range(count), map(STR.__eq__, kinds)):
        raw = values[k][1:-1]
        values[k] = decode_escapes(raw) if spec.escapes else raw.replace('""', '"')
    toks.extend(map(Tok, kinds, values, bounds[1:2 * count:2], bounds[2:2 * count + 1:2]))
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


def lex(text: str, spec: Spec) -> List[Tok]:
    """The tokens of ``text``; never raises on any input."""
    toks: List[Tok] = []
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
        if not toks:
            return True
        last = toks[-1]
        if last.kind == OP:  # after ) ] } it is a division; after < it is JSX's </tag>
            return last.value not in (")", "]", "}", "<", "++", "--")
        if last.kind == ID:
            return last.value in _REGEX_KEYWORDS
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


def _heredoc(text: str, pos: int, kind: str, jumps: List[Tuple[int, int]], toks: List[Tok],
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


# -- shared evidence helpers -----------------------------------------------------------------------

# Keys and setter/builder names that carry a model id, compared after normalising (lower case,
# without _ - and a with/set/get prefix): `model: "x"`, `.modelName("x")`, `WithModel("x")`.
_MODEL_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_MODEL_TAILS = {("model",), ("models",), ("llm",), ("deployment",), ("engine",), ("model", "name"),
                ("model", "id"), ("deployment", "name"), ("deployment", "id"), ("model", "version")}
# Calls whose first argument is a model id or a deployment name.
MODEL_CALLS = frozenset({"getchatclient", "getembeddingclient", "getimageclient", "getaudioclient",
                         "getopenairesponseclient", "getresponsesclient", "chatclient", "embeddingclient",
                         "generativemodel", "getgenerativemodel", "languagemodel", "textembeddingmodel",
                         "chatmodel", "embeddingmodel", "imagemodel", "transcriptionmodel", "speechmodel"})
# Keys that point a client at an endpoint (normalised the same way).
ENDPOINT_KEYS = frozenset({"baseurl", "baseuri", "apibase", "uribase", "endpoint", "host", "serverurl",
                           "basepath", "openaiapibase", "apiurl", "url", "apiendpoint", "azureendpoint",
                           "endpointoverride", "baseaddress", "openaibaseurl"})
_POSITIONAL_URL_CALLS = frozenset({"Uri", "URI", "URL"})
_AZURE_DEPLOYMENTS = "/openai/deployments/"
_ASSIGN_OPS = frozenset({":", "=", "=>", ":="})
_DEFAULT_OPS = frozenset({"??", "||", "?:", "or"})
_MODEL_POSITION_OPS = _ASSIGN_OPS | _DEFAULT_OPS | {"("}  # what may stand before a model id
_ASSIGNMENTS = frozenset({"=", ":="})
_BRACKETS = frozenset("()[]{}")
_LITERALS = frozenset({STR, TPL})
_TYPE_TOKENS = frozenset({"&", "<", ">", "[", "]", "?", ".", "'", ",", "::"})
# Front-end build tools expose variables under a prefix: VITE_OPENAI_API_KEY is OPENAI_API_KEY.
ENV_PREFIXES = ("NEXT_PUBLIC_", "VITE_", "REACT_APP_", "EXPO_PUBLIC_", "NUXT_PUBLIC_", "NUXT_", "PUBLIC_",
                "GATSBY_", "VUE_APP_")


def _words(name: str) -> List[str]:
    return [w.lower() for w in _MODEL_WORDS.findall(name.lstrip("_$@:"))]


@lru_cache(maxsize=4096)
def model_key(name: str) -> bool:
    """Whether a key, variable or setter named ``name`` holds a model id."""
    words = _words(name)
    if words[:1] in (["with"], ["set"], ["get"], ["default"], ["use"]):
        words = words[1:]
    if not words:
        return False
    return tuple(words[-1:]) in _MODEL_TAILS or tuple(words[-2:]) in _MODEL_TAILS


@lru_cache(maxsize=4096)
def endpoint_key(name: str) -> bool:
    flat = name.lstrip("_$@:").replace("_", "").replace("-", "").lower()
    for prefix in ("with", "set"):
        if flat.startswith(prefix) and flat[len(prefix):] in ENDPOINT_KEYS:
            return True
    return flat in ENDPOINT_KEYS


@dataclass(frozen=True)
class Endpoint:
    """Where a client is pointed: a known host, an unknown URL, or something only known at run time."""

    key: str
    state: str  # "host", "unknown" or "configurable"
    hit: Optional[Hit] = None
    token: Optional[int] = None  # the string literal holding the URL


def catalog_packages(catalog: Catalog, ecosystem: str) -> Tuple[str, ...]:
    """Every package name the catalog lists for ``ecosystem`` (for Java/.NET namespace prefix matching)."""
    return catalog.packages(ecosystem)


class Source:
    """One file's tokens, and the evidence found in them so far."""

    def __init__(self, path: str, text: str, context: str, catalog: Catalog, toks: List[Tok]):
        self.path = path
        self.text = text
        self.context = context
        self.catalog = catalog
        self.toks = toks
        self.n = len(toks)
        # Every token's kind and value, for passes that look for a few values among all the tokens.
        self.kinds: List[str] = list(map(attrgetter("kind"), toks))
        self.values: List[str] = list(map(attrgetter("value"), toks))
        self.pair = match_brackets(self.kinds, self.values)
        self.evidence: List[Evidence] = []
        self.skips: List[Skip] = []
        self.used: Set[int] = set()  # string tokens already interpreted
        self.expected: Set[int] = set()  # string tokens standing where a model id goes
        self.constants: Dict[str, int] = {}  # NAME -> index of the string literal assigned to it
        self.configs: Dict[str, Endpoint] = {}  # variable -> the endpoint its value names
        self._starts: Optional[List[int]] = None
        self._marks: Optional[List[int]] = None
        self._snippets: Dict[Tuple[int, int], str] = {}

    # -- tokens -----------------------------------------------------------------------------------

    def find(self, values: AbstractSet[str], kinds: Container[str] = (ID,), start: int = 0) -> List[int]:
        """Indices (from ``start``, in order) of the tokens of ``kinds`` whose value is in ``values``: the
        few tokens a pass looks at, found without a Python step per token."""
        tail = self.values[start:] if start else self.values
        token_kinds = self.kinds
        return [i for i in compress(range(start, self.n), map(values.__contains__, tail)) if token_kinds[i] in kinds]

    def at(self, i: int) -> Optional[Tok]:
        return self.toks[i] if 0 <= i < self.n else None

    def op(self, i: int, *values: str) -> bool:
        t = self.at(i)
        return t is not None and t.kind == OP and (not values or t.value in values)

    def ident(self, i: int, *values: str) -> bool:
        t = self.at(i)
        return t is not None and t.kind == ID and (not values or t.value in values)

    def string(self, i: int) -> bool:
        t = self.at(i)
        return t is not None and t.kind == STR

    def newline_between(self, i: int, j: int) -> bool:
        a, b = self.at(i), self.at(j)
        return a is not None and b is not None and self.text.find("\n", a.end, b.start) >= 0

    def close(self, i: int) -> int:
        """The partner of the bracket at ``i``, or a bounded stand-in when it has none."""
        j = self.pair[i] if 0 <= i < self.n else -1
        return j if j >= 0 else min(self.n, i + MAX_SCOPE_TOKENS)

    def scope(self, paren: int, chain: bool = True, initializer: bool = False) -> Tuple[int, int]:
        """Token range of a call's arguments (``paren`` is its "(") plus the method chain after it."""
        if not self.op(paren, "("):
            return paren, paren
        lo = paren + 1
        hi = self.close(paren)
        k = hi + 1
        if initializer and self.op(k, "{"):  # C#: new X(...) { Endpoint = ... }
            hi = self.close(k)
            k = hi + 1
        while chain and k + 2 < self.n and hi - lo < MAX_SCOPE_TOKENS:
            if self.op(k, ".", "?.", "->", "::") and self.ident(k + 1):
                if self.op(k + 2, "("):
                    hi = self.close(k + 2)
                    k = hi + 1
                    continue
                if self.op(k + 2, ".", "?.", "->", "::"):  # a property in the chain: x.y.z()
                    k += 2
                    continue
            break
        return lo, min(hi, lo + MAX_SCOPE_TOKENS)

    def statement_end(self, i: int) -> int:
        """Index just past the statement or expression that starts at ``i`` (bounded)."""
        k = i
        limit = min(self.n, i + 600)
        while k < limit:
            t = self.toks[k]
            if t.kind == OP:
                if t.value in ("(", "[", "{"):
                    j = self.pair[k]
                    if j < 0:
                        return limit
                    k = j  # on the closer: the newline check below applies to what follows it
                    t = self.toks[k]
                elif t.value in (";", ")", "]", "}", ","):
                    return k
            if k + 1 < self.n and self.newline_between(k, k + 1):
                nxt = self.toks[k + 1]
                continues = (nxt.kind == OP and nxt.value in (".", "?.", "->", "::", "+", "?", ":", "&&", "||")) or (
                    t.kind == OP and t.value not in (")", "]", "}", "++", "--"))
                if not continues:
                    return k + 1
            k += 1
        return k

    # -- positions and snippets -------------------------------------------------------------------

    def where(self, offset: int) -> Tuple[int, int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def snippet(self, line: int, column: int) -> str:
        key = (line, column if self._long_line(line) else 0)
        found = self._snippets.get(key)
        if found is None:
            start = self._starts[line - 1]
            end = self.text.find("\n", start)
            raw = self.text[start:] if end < 0 else self.text[start:end]
            if len(raw) > 400:  # a long (minified) line: show the part around the evidence
                raw = raw[max(0, column - 60):column + 300]
            found = self._snippets[key] = redact(raw.strip()[:2000])
        return found

    def _long_line(self, line: int) -> bool:
        assert self._starts is not None
        start = self._starts[line - 1]
        end = self._starts[line] if line < len(self._starts) else len(self.text)
        return end - start > 400

    # -- evidence ---------------------------------------------------------------------------------

    def add(self, kind: str, i: int, attribution: Attribution, detail: str, confidence: str = "high") -> None:
        line, column = self.where(self.toks[i].start)
        self.evidence.append(Evidence(
            kind, self.path, line, column, self.context, attribution.provider, attribution.vendor,
            attribution.layer, detail=detail, confidence="low" if attribution.confidence == "low" else confidence,
            snippet=self.snippet(line, column)))

    def add_hits(self, hits: Iterable[Hit], i: int, confidence: Optional[str] = None) -> None:
        for hit in hits:
            line, column = self.where(self.toks[i].start)
            self.evidence.append(evidence_from_hit(hit, self.path, line, column, self.context,
                                                   self.snippet(line, column), confidence))

    def env(self, name: str, i: int) -> bool:
        """An environment variable read by name (``process.env.X``); evidence when the catalog knows it."""
        found = self.catalog.env_var(name)
        if found is None:
            for prefix in ENV_PREFIXES:
                if name.startswith(prefix):
                    found = self.catalog.env_var(name[len(prefix):])
                    if found is not None:
                        break
        if found is not None:
            self.add_hits([Hit("env-var", name, found)], i)
        return found is not None

    def client(self, i: int, attribution: Attribution, detail: str, lo: int = 0, hi: int = 0,
               confidence: str = "high", layer_only: bool = False) -> Attribution:
        """Client evidence at token ``i``, re-attributed by an endpoint found in tokens [lo, hi).

        A construction that reaches no provider and names no endpoint (a layer's in-process embedding
        model, its chat facade) is not a provider client: nothing is reported unless ``layer_only``.
        The layer itself is evidenced by the import."""
        endpoint = self.find_endpoint(lo, hi) if hi > lo else None
        if endpoint is not None:
            attribution, detail, confidence = self.apply_endpoint(attribution, detail, endpoint)
        elif attribution.provider is None and not layer_only:
            return attribution
        self.add("client", i, attribution, detail, confidence)
        return attribution

    def apply_endpoint(self, attribution: Attribution, detail: str, endpoint: Endpoint) -> Tuple[Attribution, str, str]:
        if endpoint.state == "host" and endpoint.hit is not None and endpoint.hit.attribution is not None:
            target = endpoint.hit.attribution
            attribution = Attribution(target.provider, target.vendor, target.layer or attribution.layer,
                                      attribution.confidence)
            if endpoint.token is not None and endpoint.token not in self.used:
                self.used.add(endpoint.token)
                self.add_hits([endpoint.hit], endpoint.token)
            return attribution, f"{detail} {endpoint.key}={endpoint.hit.detail}", "high"
        if endpoint.state == "unknown":
            return attribution, f"{detail} {endpoint.key}=<unknown host>", "medium"
        return attribution, f"{detail} {endpoint.key}=<configurable>", "medium"

    # -- endpoints --------------------------------------------------------------------------------

    def _endpoint_marks(self) -> List[int]:
        """Indices of tokens that can start an endpoint (a key, a setter, ``Uri(``), computed once."""
        if self._marks is None:
            keys = {v for v in set(self.values) if endpoint_key(v)}
            self._marks = [k for k in self.find(keys | _POSITIONAL_URL_CALLS, (ID, STR))
                           if self.values[k] in keys or self.kinds[k] == ID]
        return self._marks

    def find_endpoint(self, lo: int, hi: int, variables: bool = True) -> Optional[Endpoint]:
        """The first endpoint named in tokens [lo, hi): a key with a value, a setter call, ``new Uri(...)``,
        or (``variables``) a variable known to hold one."""
        hi = min(hi, self.n, lo + MAX_SCOPE_TOKENS)
        marks = self._endpoint_marks()
        found: Optional[Tuple[int, Endpoint]] = None
        for m in range(bisect.bisect_left(marks, lo), len(marks)):
            k = marks[m]
            if k >= hi:
                break
            endpoint = self._endpoint_at(k)
            if endpoint is not None:
                found = (k, endpoint)
                break
        if variables and self.configs:
            for k in range(lo, found[0] if found else hi):
                t = self.toks[k]
                if t.kind == ID and t.value in self.configs and not self.op(k - 1, ".", "->", "?.") \
                        and not self.op(k + 1, ".", ":", "->", "=", "?."):
                    return self.configs[t.value]
        return found[1] if found else None

    def _endpoint_at(self, k: int) -> Optional[Endpoint]:
        t = self.toks[k]
        if t.kind == ID and t.value in _POSITIONAL_URL_CALLS:
            if self.op(k + 1, "(") or (self.op(k + 1, ".") and self.ident(k + 2) and self.op(k + 3, "(")):
                found = self.endpoint_value("endpoint", k)
                return found if found.state != "configurable" else None
            return None
        if self.op(k - 1, ".", "->", "?.") and not self.op(k + 1, "("):
            return None  # other.baseURL: a read, not this client's setting
        if self.op(k + 1, *_ASSIGN_OPS) and not self.op(k - 1, "?"):
            return self.endpoint_value(t.value, k + 2)
        if t.kind == ID and self.op(k + 1, "("):
            return self.endpoint_value(t.value, k + 2)
        if t.kind == ID and t.value in self.constants and self.op(k + 1, ",", "}", ")"):
            return self.endpoint_value(t.value, k)  # shorthand { baseURL } or a positional constant
        return None

    def endpoint_value(self, key: str, j: int) -> Endpoint:
        """The value at token ``j``: a literal, a constant, ``new Uri("...")``, a JavaScript template,
        else configurable."""
        index = self.literal_at(j)
        if index is None:
            return Endpoint(key, "configurable")
        template = self.toks[index].kind == TPL
        value = self.template_text(index) if template else self.toks[index].value
        placeholders = [h for h, _ in text_detector.placeholder_hosts(value, self.catalog) if h.attribution]
        hits = placeholders or ([h for h in hosts_in(value, self.catalog) if h.attribution is not None] if (
            "." in value or ":" in value) else [])
        if hits:
            return Endpoint(key, "host", hits[0], index)
        azure = self.catalog.providers.get("azure-openai")
        if _AZURE_DEPLOYMENTS in value and azure is not None:
            # {endpoint}/openai/deployments/{name}: the Azure OpenAI data-plane path, whatever the host
            return Endpoint(key, "host", Hit("endpoint", _AZURE_DEPLOYMENTS,
                                             Attribution("azure-openai", None, None, "high")), None)
        if value.startswith(("http://", "https://")):
            return Endpoint(key, "unknown", None, index)
        return Endpoint(key, "configurable")

    def literal_at(self, j: int) -> Optional[int]:
        """Index of the string literal a value expression at ``j`` reduces to, if any."""
        t = self.at(j)
        if t is None:
            return None
        if t.kind == STR or (t.kind == TPL and self.text.startswith("`", t.start)):
            return j
        if t.kind == ID and t.value in self.constants and not self.op(j + 1, ".", "(", "[", "->", "::"):
            return self.constants[t.value]
        # new Uri("..."), URI.create("..."), String::from("..."), &"..."
        k = j
        while k < j + 8 and k < self.n:
            tok = self.toks[k]
            if tok.kind == ID or (tok.kind == OP and tok.value in (".", "::", "\\", "&", "@", "*")):
                k += 1
                continue
            break
        if k > j and self.op(k, "(") and self.string(k + 1):
            return k + 1
        return None

    # -- generic passes ---------------------------------------------------------------------------

    def run(self, imports: Callable[[], None], *constructions: Callable[[], None]) -> None:
        """Every language's passes, in the order they depend on each other: constants, the language's
        imports, configuration objects (which may name imported classes), model-id positions, then
        its client constructions (which read all of these)."""
        self.collect_constants()
        imports()
        self.collect_configs()
        self.mark_model_positions()
        for construction in constructions:
            construction()

    def collect_constants(self) -> None:
        """``NAME = "literal"`` (with or without a declaration keyword or a type) -> constants."""
        kinds = self.kinds
        for i in self.find(_ASSIGNMENTS, (OP,), 1):
            i += 1  # the token after the operator
            if i >= self.n or kinds[i] != STR:
                continue
            if self.op(i + 1, "+", ".", "(", "[", "?", "??", "||"):  # "a" + b is not a constant
                continue
            key = self.assigned_name(i - 1)
            if key is not None and key not in self.constants:
                self.constants[key] = i

    def assigned_name(self, op_index: int) -> Optional[str]:
        """The variable an assignment operator at ``op_index`` assigns to (skipping a type annotation)."""
        j = op_index - 1
        t = self.at(j)
        if t is None or t.kind != ID:
            return None
        if self.op(j - 1, ".", "->", "?."):
            return None
        back = j
        for _ in range(6):
            if self.op(back - 1, ":") and self.ident(back - 2):  # NAME: Type = ...
                return self.toks[back - 2].value
            prev = self.at(back - 1)
            if prev is None or not (prev.kind == ID or (prev.kind == OP and prev.value in _TYPE_TOKENS)):
                break
            back -= 1
        return t.value

    def collect_configs(self) -> None:
        """Variables whose value names an endpoint: ``config.BaseURL = "..."``, ``options = {...}``."""
        marks = self._endpoint_marks()
        if not marks:
            return
        for i in self.find(_ASSIGNMENTS, (OP,), 1):
            i -= 1  # the token before the operator
            t = self.toks[i]
            if t.kind != ID:
                continue
            if self.op(i - 1, ".", "->") and endpoint_key(t.value) and self.ident(i - 2):
                # V.BaseURL = value
                self.configs[self.toks[i - 2].value] = self.endpoint_value(t.value, i + 2)
                continue
            if self.op(i - 1, ".", "->", "?."):
                continue
            nearest = bisect.bisect_left(marks, i + 2)
            if nearest >= len(marks) or marks[nearest] > i + 600:
                continue
            end = self.statement_end(i + 2)
            found = self.find_endpoint(i + 2, end, variables=False) if end > i + 2 else None
            if found is not None:
                self.configs[t.value] = found

    def mark_model_positions(self) -> None:
        """Strings standing where a model id goes: ``model: "x"``, ``.modelName("x")``, ``MODEL = "x"``."""
        for i in self.find(_MODEL_POSITION_OPS, (OP, ID), 1):
            a = self.toks[i]
            i += 1  # the token after the operator
            if i >= self.n or (a.kind == ID and a.value != "or"):
                continue
            t = self.toks[i]
            if t.kind not in (STR, ID):
                continue
            target = i if t.kind == STR else self.constants.get(t.value)
            if target is None or (t.kind == ID and self.op(i + 1, ".", "(", "[")):
                continue
            b = self.toks[i - 2]
            if a.value in _ASSIGN_OPS or a.value in _DEFAULT_OPS:
                if b.kind in (ID, STR) and model_key(b.value):
                    if not (a.value == ":" and self.display_label(i, b.value)):
                        self.expected.add(target)
                elif a.value == "=" and b.kind in (ID, OP):
                    name = self.assigned_name(i - 1)
                    if name is not None and model_key(name):
                        self.expected.add(target)
            elif a.value == "(" and b.kind == ID and (model_key(b.value) or b.value.lower() in MODEL_CALLS):
                self.expected.add(target)

    def display_label(self, i: int, key: str) -> bool:
        """``modelName: "GPT-4o"`` in an object literal that also has a ``modelId``/``id`` key: a label for
        people (capitalised, no org prefix), not the id the API gets."""
        value = self.toks[i].value
        if self.toks[i].kind != STR or not value[:1].isupper() or "/" in value or _words(key)[-2:] != ["model", "name"]:
            return False
        depth = 0
        for k in range(i - 1, max(-1, i - 400), -1):  # the enclosing "{"
            t = self.toks[k]
            if t.kind == OP and t.value in ("}", ")", "]"):
                depth += 1
            elif t.kind == OP and t.value in ("{", "(", "["):
                if depth == 0:
                    if t.value != "{" or self.pair[k] < 0:
                        return False
                    return any(self.op(j + 1, ":") and self.toks[j].kind in (ID, STR)
                               and _words(self.toks[j].value) in (["model", "id"], ["id"])
                               for j in range(k + 1, min(self.pair[k], k + 400)))
                depth -= 1
        return False

    def report(self) -> FileReport:
        """Classify every string nothing else has interpreted, and return the file's evidence."""
        for i in compress(range(self.n), map(_LITERALS.__contains__, self.kinds)):
            t = self.toks[i]
            if i in self.used or not t.value:
                continue
            if t.kind == TPL:  # part of a template with substitutions: only a host can be read from it
                hits = [h for h in hosts_in(t.value, self.catalog)] if "." in t.value else []
                if not hits and self.text.startswith("`", t.start):  # a template's first part: the whole
                    hits = [h for h, _ in text_detector.placeholder_hosts(self.template_text(i), self.catalog)]
            else:
                hits = classify_string(t.value, self.catalog, expect_model=i in self.expected)
                placeholders = [h for h, _ in text_detector.placeholder_hosts(t.value, self.catalog)]
                if placeholders:
                    hits = [h for h in hits if not text_detector.covered_by_placeholder(h, placeholders)] + placeholders
            if hits:
                self.add_hits(hits, i)
        return FileReport(tuple(self.evidence), tuple(self.skips))

    def template_text(self, i: int) -> str:
        """The text parts of the JavaScript template whose first part is token ``i``, with ``{}`` for each
        substitution (bounded; a nested template stops the join)."""
        parts = [self.toks[i].value]
        k = i + 1
        while k < min(self.n, i + 200):
            last = self.toks[k - 1]
            if last.kind == TPL and last.end - 1 > last.start and self.text.startswith("`", last.end - 1):
                break  # the closing part
            t = self.toks[k]
            if t.kind in (STR, TPL) and self.text.startswith("`", t.start):
                break  # another template starts inside a substitution
            if t.kind == TPL:
                parts.append(t.value)
            k += 1
        return "{}".join(parts)


def text_fallback(path: str, text: str, context: str, catalog: Catalog, reason: str) -> FileReport:
    """Read a file with the text detector instead, and say why."""
    found = text_detector.detect(path, text, context, catalog)
    return FileReport(found.evidence, found.skips + (Skip(path, reason),))


def simple_detector(language: str, spec: "Spec | Dict[str, Spec]", analyser: type):
    """``detect`` for a language read as one token stream by ``analyser(src).run()``, behind ``guarded``.

    ``spec``: one for the language, or one per file extension (the first one for any other name).
    """
    specs = spec if isinstance(spec, dict) else {"": spec}
    default = next(iter(specs.values()))

    def analyse(path: str, text: str, context: str, catalog: Catalog) -> FileReport:
        extension = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
        src = Source(path, text, context, catalog, lex(text, specs.get(extension, default)))
        analyser(src).run()
        return src.report()

    def detect(path: str, text: str, context: str, catalog: Catalog) -> FileReport:
        return guarded(language, analyse, path, text, context, catalog)

    return detect


def guarded(language: str, analyse, path: str, text: str, context: str, catalog: Catalog) -> FileReport:
    """Run a language detector; a file too large, or an internal error, falls back to the text detector."""
    if len(text) > MAX_SOURCE_CHARS:
        return text_fallback(path, text, context, catalog, f"{language} file too large to parse; read as text")
    try:
        return analyse(path, text, context, catalog)
    except (RecursionError, MemoryError, ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
        return text_fallback(path, text, context, catalog,
                             f"{language} detector failed ({type(exc).__name__}); read as text")
