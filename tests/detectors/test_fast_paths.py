"""Speed-ups that must not change a result: each is checked against the plain way it replaces."""

from __future__ import annotations

import random
import re

import pytest

from provider_audit.data.catalog import load_catalog
from provider_audit.detectors import tokenizer, go_source, js_ts, jvm_source
from provider_audit.detectors import text as text_detector
from provider_audit.detectors.text import MAX_LINE, MODEL_VALUE_RE, keyword_lines, model_values

from conftest import FIXTURES, TESTS

CATALOG = load_catalog()


def _each_line(text: str):
    """What keyword_lines replaces: the prefilter asked about every line."""
    for number, line in enumerate(text.splitlines(), 1):
        line = line[:MAX_LINE]
        if CATALOG.prefilter(line.lower()):
            yield number, line


TRICKY = [
    "",
    "openai",
    "x\nopenai\n",
    "a\r\nOPENAI_API_KEY=1\r\nb\r\n",
    "a\rgpt-4o\rb",  # lone carriage returns break lines too
    "a\x0banthropic\x0cclaude-3-haiku\x1cx\x85api.openai.com\u2028gemini-1.5-pro\u2029z",
    "\u0130stanbul openai\nanthropic",  # lower-casing changes the length
    "\u03a3\u0391\u03a3 openai\nmistral",
    "abab5c0ffee\nabab5\nabab5 x",  # a hex-like keyword counts only where a hex run ends
    "ABAB5C\nAbAb5 OPENAI\nabab5",  # the same, upper-cased
    "x" * (MAX_LINE + 10) + " openai\nopenai " + "y" * (MAX_LINE + 10) + "\n" + "z" * (MAX_LINE - 3) + "openai",
    "openai openai anthropic\n\n\nopenai",
    "\ud800 openai\nx\udfff\nanthropic \udc00",  # lone surrogates (not UTF-8) beside keywords
]


def _both_ways(text):
    """keyword_lines alone, and told the lower-cased text and where its keywords end."""
    lowered = text.lower()
    ends = CATALOG.prefilter.ends(lowered)
    assert bool(ends) == CATALOG.prefilter(lowered) == CATALOG.prefilter.has(lowered)
    told = list(keyword_lines(text, CATALOG, lowered, ends)) if ends else []
    alone = list(keyword_lines(text, CATALOG))
    assert told == alone
    if text.isascii():  # the analysis asks an ASCII file as bytes, and gives the light pass those offsets
        as_bytes = text.encode("ascii").lower()
        assert CATALOG.prefilter.ends(as_bytes) == ends and CATALOG.prefilter.has(as_bytes) == bool(ends)
        line_ends = CATALOG.prefilter.line_ends(as_bytes)
        assert line_ends == CATALOG.prefilter.line_ends(lowered)
        assert (list(keyword_lines(text, CATALOG, None, line_ends)) if ends else []) == alone
    return alone


@pytest.mark.parametrize("text", TRICKY)
def test_keyword_lines_are_the_lines_the_prefilter_picks(text):
    assert _both_ways(text) == list(_each_line(text))


def test_keyword_lines_on_every_fixture():
    for path in sorted(p for p in TESTS.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert _both_ways(text) == list(_each_line(text)), path


def test_line_ends_are_the_first_keyword_ends_of_each_line():
    texts = TRICKY + [path.read_bytes().decode("utf-8", errors="replace").lower()
                      for path in sorted(p for p in TESTS.rglob("*") if p.is_file() and "__pycache__" not in p.parts)]
    texts += ["abab5c\nabab5 openai openai\n\nclaude" * 3, "openai\n" * 50, "\n\n", "x" * 100 + "anthropic"]
    for text in texts:
        lowered = text.lower()
        first, line_end = [], -1
        for end in CATALOG.prefilter.ends(lowered):
            if end > line_end:
                first.append(end)
                line_end = lowered.find("\n", end)
                line_end = len(lowered) if line_end < 0 else line_end
        assert list(CATALOG.prefilter.line_ends(lowered)) == first, text[:200]


LINE_TRICKY = [
    'model: "gpt-4o", deploymentName = claude-3-haiku',
    "createModel: modelId => openai.chat(modelId), model=gpt-4o",  # a key inside the last match
    "modelmodel_model-x: gpt-4o modelmodel= o1 MODEL_NAME=gpt-4",
    'x_model_y := "gemini-1.5-pro" -deployment-: mistral-large `model`:`o3`',
    "\u0130model: gpt-4o \u00e9model: o1 \u03a3model= x",  # lower-casing changes the length (or not)
    "model" * 50 + ": gpt-4o " + "deployment" * 20 + "=o1",
    "https://{resource}.openai.azure.com/ %s.openai.azure.com YOUR_RESOURCE.openai.azure.com",
    "bedrock-runtime.{region}.amazonaws.com <your-resource>.services.ai.azure.com ${HOST}.helicone.ai",
    "http://localhost:11434 host.docker.internal:1234 api.openai.com: api.openai.comx api.openai.com_x",
    '"chat.completion.chunk" "api.x.ai" API.ANTHROPIC.COM/v1/messages api.openai.c{x} api.openai.com{path}',
    "https://api.openai.com/v1/assistants OPENAI_API_KEY=x generativelanguage.googleapis.com.",
]


def _random_lines(count):
    rnd = random.Random(18)
    atoms = ["model", "Model", "MODEL", "deployment", "Deployment_Name", "x", "-", "_", ":", "=", ">", ":=", "=>",
             " ", '"', "'", "`", "gpt-4o", "claude-3-5-sonnet", "a.b", "/", "\u0130", "\u00e9", "\t", "api.openai.com",
             "{x}", "%s", "https://", "localhost:11434", "host.docker.internal:1234", "YOUR_RESOURCE",
             ".openai.azure.com", "bedrock-runtime.", "{region}", ".amazonaws.com", "OPENAI_API_KEY", "$X", "<y>", ".",
             ",", ";", ".com", ".ai", "co"]
    return ["".join(rnd.choice(atoms) for _ in range(rnd.randint(1, 25))) for _ in range(count)]


def _fixture_lines():
    for path in sorted(p for p in TESTS.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        text = path.read_bytes().decode("utf-8", errors="replace")
        yield from (line for _, line in keyword_lines(text, CATALOG))


def test_model_values_are_the_regular_expressions_matches():
    for line in LINE_TRICKY + _random_lines(20_000) + list(_fixture_lines()):
        expected = [m.span(1) for m in MODEL_VALUE_RE.finditer(line)]
        assert [m.span(1) for m in model_values(line, line.lower())] == expected, line


def test_lines_without_a_known_host_ending_are_not_searched_for_hosts(monkeypatch):
    """The host search skipped on lines without a known host's last label finds nothing there anyway."""
    lines = LINE_TRICKY + _random_lines(5_000) + list(_fixture_lines())
    assert text_detector._host_ending(CATALOG).search("x api.openai.com/v1") is not None
    assert text_detector._host_ending(CATALOG).search('"chat.completion.chunk" api.openai.comx') is None
    quick = [text_detector._line_hits(line, CATALOG) for line in lines]
    monkeypatch.setattr(text_detector, "_host_ending", lambda catalog: re.compile(""))  # every line searched
    assert [text_detector._line_hits(line, CATALOG) for line in lines] == quick


SPECS = [js_ts.SPEC, go_source.SPEC] + [s for s in vars(jvm_source).values() if isinstance(s, dict)
                                        for s in s.values() if isinstance(s, tokenizer.Spec)]


def _tokens(text, spec, fast, monkeypatch):
    monkeypatch.setattr(tokenizer, "FAST_PATH", fast)
    return [(t.kind, t.value, t.start, t.end) for t in tokenizer.lex(text, spec)]


def test_lexer_fast_path_gives_the_same_tokens(monkeypatch):
    assert tokenizer._run_pattern(js_ts.SPEC) is not None
    sources = [p for p in (FIXTURES / "sources").rglob("*") if p.is_file()]
    sources += [p for p in (TESTS / "hostile").rglob("*") if p.is_file()]
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in sorted(sources)]
    rnd = random.Random(6)
    alphabet = list("abX_$09 \t\n\r.,;:+-*/%<>=!?&|^~#@()[]{}\"'`\\") + [
        "//", "/*", "*/", "${", "=>", "\u00e9", "\u2028", "\u00b2", "\u0663", "\u2192", "'''", '"""', "(*"]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 50))) for _ in range(3000)]
    for spec in SPECS:
        for text in texts:
            assert _tokens(text, spec, True, monkeypatch) == _tokens(text, spec, False, monkeypatch), (spec, text[:200])


LEXER_TRICKY = [
    "const a = `x${`y${z}w`}v`;\nconst b = `${ {a: 1}.a }` + `${`${`${q}`}`}`",
    "f(x) / 2 / y; return /ab+c/gi.test(s); if (/[/]/.test(s)) {}\ny = a\n/re/",
    "const el = <p className=\"x\">Don't {name} it's</p>; const t = <a href='/x'>b</a>",
    'const s = "unterminated\nnext "ok" \'also\n\'fine\' "\\"\\"\\"\\"',
    "x = 1 /* unterminated block comment\n openai 'q' \"r\"",
    "a // line comment with 'quote' and \"dq\" and `tick`\r\nb = 'c'\r\n/* c */ d",
    "const \u00e9t\u00e9 = 1; \u0394x = '\u2192'; $_ = \u0663; x\u00b2 = 2 \u2192 3",
    "s = 'line one \\\ncontinued'; t = \"a\\\r\nb\"; u = '\\u{1F600}\\x41\\n'",
    "`${a}}}}` } } { `${{{`",
    "obj = {a: {b: `${c + {d: 1}.d}`}}; `unterminated ${ x + ` nested",
    "'a' 'b' \"\" '' \"'\" '\"' `` `\\`` `$` `$${a}`",
    "x = a ?. b ?? c ?: d === e !== f => g ... h :: i := j && k || l <= m >= n -> o",
    "import x from 'openai' // 'not' \"this\"\nexport * from \"@ai-sdk/openai\"",
]


@pytest.mark.parametrize("text", LEXER_TRICKY)
def test_lexer_fast_path_on_tricky_code(monkeypatch, text):
    for spec in SPECS:
        assert _tokens(text, spec, True, monkeypatch) == _tokens(text, spec, False, monkeypatch), spec


@pytest.mark.slow
def test_lexer_runs_stay_linear_on_hostile_lines():
    """Token runs stop at quotes that cannot close and at every slash without rescanning the line."""
    import time
    for text in ('"\\' * 100_000, "a/" * 100_000, "'x" * 100_000 + "\n" + "`${" * 20_000, "{" * 100_000):
        started = time.process_time()
        tokenizer.lex(text, js_ts.SPEC)
        assert time.process_time() - started < 10, text[:20]


def test_always_excluded_is_the_part_by_part_reading():
    from provider_audit.scanning import discovery

    def plain(rel):
        parts = rel.split("/")
        return rel in discovery._ALWAYS_DIRS or not discovery._ALWAYS_DIRS.isdisjoint(parts[:-1]) or any(
            part.endswith(discovery._ALWAYS_SUFFIXES) for part in parts)

    rnd = random.Random(18)
    atoms = ["node_modules", "site-packages", ".git", "a", "x.map", ".min.js", "b.min.mjs", "mapx", ".map", ".github",
             "node_modulesx", "min.js", "c.js", "\n", "x.map\n", "\nnode_modules", ".git\n"]
    for _ in range(20_000):
        rel = "/".join(rnd.choice(atoms) for _ in range(rnd.randint(1, 5)))
        assert discovery._always_excluded(rel) == plain(rel), rel


def test_linked_folder_is_the_first_link_on_the_way(tmp_path):
    import os
    from provider_audit.scanning import discovery

    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "a" / "link")
    os.symlink(tmp_path / "real", tmp_path / "top")
    rels = ["x", "a/x", "a/b/c/x", "a/link/x", "a/link/d/e/x", "top/x", "top/a/link/x", "a/b/x", "missing/y/x"]

    def plain(rel):
        folder = ""
        for part in rel.split("/")[:-1]:
            folder = f"{folder}/{part}" if folder else part
            if os.path.islink(tmp_path / folder):
                return folder
        return None

    links = {}
    for rel in rels + rels[::-1]:
        assert discovery._linked_folder(str(tmp_path), rel, links) == plain(rel), rel


def test_redaction_skips_only_rules_that_cannot_match():
    from provider_audit import redact as r

    def plain(line, limit=r.MAX_SNIPPET):  # every rule on every line, as before the guards
        text = line.strip()
        cut = len(text) > limit + r.WINDOW - r.MAX_SNIPPET
        text = text[:limit + r.WINDOW - r.MAX_SNIPPET] if cut else text
        text = r._URL_CREDENTIALS.sub(r"\1" + r.REDACTED + "@", text)
        text = r._PRIVATE_KEY.sub(r"\1" + r.REDACTED, text)
        text = r._AUTH_SCHEME.sub(r"\1" + r.REDACTED, text)
        text = r._DOCKER_ENV.sub(r"\1" + r.REDACTED, text)
        text = r._KEY_ARGUMENT.sub(r._hidden_argument, text)
        text = r._SECRET_ASSIGNMENT.sub(r._hidden_value, text)
        text = r._LONG_TOKEN.sub(r._long_token, text)
        text = r._SECRET_TOKENS.sub(r.REDACTED, text)
        return text[: limit - 1] + "…" if cut or len(text) > limit else text

    rnd = random.Random(18)
    atoms = ["Bearer ", "basic ", "BA\u017fIC ", "bear\u0130r ", "ENV ", "arg ", "Env OPENAI_API_KEY x", "api_key=",
             "token: ", "(", "'x'", '"y"', "sk-abcdefghijklmnopqrstuv", "https://u:p@h.com", "x@y",
             "-----BEGIN RSA PRIVATE KEY-----abc", "A" * 40, "x1" * 20, " ", ":", "=", "\u0130", "\u017f", "\u00e9",
             "setApiKey(", "key", "eyJabcdefghijk.abcdefghijkl.x", "AKIA" + "A" * 16, "hf_" + "a" * 20,
             "AIza" + "b" * 35, "ghp_" + "c" * 24, "xai-" + "d" * 20]
    lines = ["".join(rnd.choice(atoms) for _ in range(rnd.randint(1, 12))) for _ in range(20_000)]
    for path in sorted(p for p in TESTS.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        lines += path.read_bytes().decode("utf-8", errors="replace").splitlines()
    for line in lines:
        assert r._redact(line, r.MAX_SNIPPET) == plain(line), line
        expected = r._SECRET_TOKENS.sub(r.REDACTED, r._URL_CREDENTIALS.sub(r"\1" + r.REDACTED + "@", line))
        assert r.redact_tokens(line) == expected, line


@pytest.mark.parametrize("window, first", [(7, 7), (16, 5), (61, 200), (1 << 18, 3)])
def test_keyword_search_by_windows_finds_what_one_pass_finds(monkeypatch, window, first):
    """The prefilter searches a text a window at a time (a file dense with keywords never holds more than
    one window's matches): with windows smaller than a keyword, the same ends, lines and answers as one pass."""
    prefilter = CATALOG.prefilter
    texts = TRICKY + [path.read_bytes().decode("utf-8", errors="replace")
                      for path in sorted(p for p in TESTS.rglob("*") if p.is_file() and "__pycache__" not in p.parts)]
    texts += ["abab5c\nabab5 openai openai\n\nclaude" * 40, "x" * 50 + "abab5" + "c" * 3 + "abab5 openai"]
    whole = {}
    for text in texts:
        lowered = text.lower()
        whole[text] = (prefilter.ends(lowered), prefilter.line_ends(lowered))
    monkeypatch.setattr(type(prefilter), "WINDOW", window)
    monkeypatch.setattr(type(prefilter), "FIRST", first)  # has() searches a first window of this size
    for text in texts:
        lowered = text.lower()
        ends, line_ends = whole[text]
        assert prefilter.ends(lowered) == ends, text[:80]
        assert prefilter.line_ends(lowered) == line_ends
        assert prefilter.has(lowered) == bool(ends)
        if text.isascii():
            assert prefilter.ends(lowered.encode("ascii")) == ends
            assert prefilter.line_ends(lowered.encode("ascii")) == line_ends


def test_find_by_the_index_is_the_pass_over_every_token():
    """Values every file's passes look for are listed once per file (``engine.INDEXED``); asked of those,
    ``find`` gives what one pass over the tokens gives, for any kinds and start."""
    from provider_audit.detectors.engine import INDEXED, Source
    from provider_audit.detectors.tokenizer import ID, OP, STR

    rng = random.Random(7)
    words = sorted(INDEXED)
    paths = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".ts", ".tsx", ".js", ".mjs") and p.is_file())
    assert len(paths) > 20
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        src = Source(path.name, text, "source", CATALOG, tokenizer.lex(text, js_ts.SPEC))
        for _ in range(8):
            values = frozenset(rng.sample(words, rng.randint(1, 6)))
            kinds = rng.choice([(ID,), (OP,), (ID, OP), (ID, STR, OP)])
            start = rng.choice([0, 1, src.n // 2, src.n])
            expected = [i for i in range(start, src.n) if src.values[i] in values and src.kinds[i] in kinds]
            assert src.find(values, kinds, start) == expected, (path, values, kinds, start)
