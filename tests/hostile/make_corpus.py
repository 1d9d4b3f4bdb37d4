"""The hostile-input corpus: broken, mis-encoded, misnamed, nested, bombing and oversized files.

Nothing here is committed as data: every file is generated, small ones by ``small_cases()``, large
ones (a 10 MB line, a 5 MB Python module, a file over the size limit) by ``large_cases()`` at test
time into a temporary folder. Each case lives in its own folder ``h/<id>/`` so that several files of
the same manifest name can sit in one tree, next to a good ``app.py`` whose evidence must survive.

``python tests/hostile/make_corpus.py DEST [--large]`` writes the corpus to DEST to look at it.

Every case says what the scan must do with it: ``skip`` is a fragment the file's recorded skip
reason must contain (the file could not be read or parsed, or was read in a degraded way), and
``evidence`` says the file still yields evidence (a degraded read that keeps what it can).
"""

from __future__ import annotations

import codecs
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional

# The good file put beside the hostile ones: its evidence must be in every report.
GOOD_PATH = "app.py"
GOOD = b"from anthropic import Anthropic\n\nclient = Anthropic()\n"

# A provider keyword, so that a file reaches its parser (files without one are never parsed).
KEY = "openai"


@dataclass(frozen=True)
class Case:
    id: str  # folder name under h/
    name: str  # the file's name (a manifest name, a source file name...)
    data: bytes
    cls: str  # input class, for the fuzz table
    skip: Optional[str] = None  # a fragment of the skip reason the scan must record for the file
    evidence: bool = False  # the file itself still yields evidence

    @property
    def path(self) -> str:
        return f"h/{self.id}/{self.name}"


def _png() -> bytes:
    """A real 1x1 PNG: signature, IHDR, IDAT, IEND."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(b"IEND", b""))


def _yaml_bomb(top: str) -> bytes:
    """"Billion laughs" for YAML: nine levels of nine aliases each (9**9 strings if expanded)."""
    lines = [f'a: &a ["{KEY}", "{KEY}", "{KEY}", "{KEY}", "{KEY}", "{KEY}", "{KEY}", "{KEY}", "{KEY}"]']
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    lines.append(top)
    return ("\n".join(lines) + "\n").encode()


_XML_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "openai">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""

_XXE = """<?xml version="1.0"?>
<!DOCTYPE project [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote; ]>
"""

_POM_BODY = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>x</groupId><artifactId>y</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>com.openai</groupId><artifactId>{artifact}</artifactId><version>1.0.0</version></dependency>
  </dependencies>
</project>
"""

_CSPROJ_BODY = """<Project Sdk="Microsoft.NET.Sdk">
  <!-- openai -->
  <ItemGroup><PackageReference Include="{include}" Version="2.0.0" /></ItemGroup>
</Project>
"""

_PYPROJECT = f'[project]\nname = "x"\nversion = "1"\ndependencies = ["{KEY}>=1", "httpx"]\n'
_PACKAGE_JSON = f'{{\n  "name": "x",\n  "dependencies": {{"{KEY}": "^4.0.0", "left-pad": "1.0.0"}}\n}}\n'


def _bom(encoding: str, text: str) -> bytes:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE, "utf-8": codecs.BOM_UTF8}
    return bom[encoding] + text.encode(encoding)


def _deep_json(depth: int) -> bytes:
    return (f'{{"name": "{KEY}", "dependencies": ' + "[" * depth + "]" * depth + "}").encode()


def _deep_yaml_flow(depth: int) -> bytes:
    return (f"lockfileVersion: '9.0'\n# {KEY}\npackages: " + "[" * depth + "]" * depth + "\n").encode()


def _deep_yaml_block(depth: int) -> bytes:
    # Block style needs indentation: 100k levels would be 5 GB; 2,000 levels is deep enough for
    # recursion (Python's limit is 1,000) and stays small (about 4 MB).
    lines = [f"# {KEY}", "dependencies:"]
    lines += [" " * (i + 1) + "-" for i in range(depth)]
    return ("\n".join(lines) + "\n").encode()


def small_cases() -> List[Case]:
    """Cases small enough to write in a few milliseconds (all under 2 MB)."""
    cases: List[Case] = []
    add = cases.append

    # -- malformed and truncated formats ---------------------------------------------------------
    add(Case("toml-truncated", "pyproject.toml", _PYPROJECT.encode()[:-12], "malformed", "invalid TOML"))
    add(Case("toml-garbage", "pyproject.toml", f"[project\ndependencies = [{KEY}\n= = =\n".encode(), "malformed",
             "invalid TOML"))
    add(Case("toml-dup-key", "Cargo.toml", f'[dependencies]\nasync-{KEY} = "1"\nasync-{KEY} = "2"\n'.encode(),
             "malformed", "TOML"))
    add(Case("json-truncated", "package.json", _PACKAGE_JSON.encode()[:-20], "malformed", "invalid JSON"))
    add(Case("json-trailing", "composer.json", f'{{"require": {{"{KEY}-php/client": "1"}},}}'.encode(), "malformed",
             "JSON"))
    add(Case("json-not-object", "package.json", f'["{KEY}"]'.encode(), "malformed", "package-json"))
    add(Case("json-wrong-types", "package.json", f'{{"dependencies": {{"{KEY}": 4}}}}'.encode(), "malformed",
             "package-json"))
    add(Case("yaml-bad-indent", "environment.yml", f"dependencies:\n  - {KEY}\n bad: [\n".encode(), "malformed",
             "invalid YAML"))
    add(Case("yaml-tab", "pnpm-lock.yaml", f"lockfileVersion: '9.0'\npackages:\n\t{KEY}@1.0.0: {{}}\n".encode(),
             "malformed", "invalid YAML"))
    add(Case("yaml-python-tag", "environment.yml",
             f"dependencies:\n  - !!python/object/apply:os.system ['echo {KEY} > /tmp/pa-yaml-pwned']\n".encode(),
             "security", "YAML"))
    add(Case("xml-unclosed", "pom.xml", _POM_BODY.format(artifact=KEY + "-java").encode()[:-40], "malformed",
             "invalid XML"))
    add(Case("xml-wrong-root", "pom.xml", f"<settings><{KEY}/></settings>".encode(), "malformed", "not a Maven POM"))
    add(Case("xml-packages-config", "packages.config", f'<packages><package id="{KEY}" version='.encode(),
             "malformed", "invalid XML"))
    add(Case("lock-package-lock", "package-lock.json",
             f'{{"lockfileVersion": 3, "packages": {{"node_modules/{KEY}": '.encode(), "malformed", "invalid JSON"))
    add(Case("lock-pipfile", "Pipfile.lock", f'{{"default": {{"{KEY}": {{"version": "==1.0"'.encode(), "malformed",
             "invalid JSON"))
    add(Case("lock-poetry", "poetry.lock", f'[[package]]\nname = "{KEY}"\nversion = '.encode(), "malformed",
             "invalid TOML"))
    add(Case("lock-uv", "uv.lock", f'version = 1\n[[package]]\nname = "{KEY}\n'.encode(), "malformed",
             "invalid TOML"))
    add(Case("lock-cargo", "Cargo.lock", f'[[package]]\nname = "async-{KEY}"\nversion = "1"\n[[package\n'.encode(),
             "malformed", "TOML"))
    add(Case("lock-composer", "composer.lock", f'{{"packages": [{{"name": "{KEY}-php/client"'.encode(), "malformed",
             "JSON"))
    add(Case("lock-yarn", "yarn.lock", f'"{KEY}@^4":\n  version "4.0.0\n  resolved\n\x7f\x7f\n'.encode(),
             "malformed"))
    add(Case("lock-pnpm", "pnpm-lock.yaml", f"lockfileVersion: '9.0'\npackages:\n  {KEY}@1.0.0: [\n".encode(),
             "malformed", "invalid YAML"))
    add(Case("lock-gemfile", "Gemfile.lock", f"GEM\n  specs:\n    ruby-{KEY} (\n    (((\nDEPENDENCIES\n".encode(),
             "malformed"))
    add(Case("lock-go-sum", "go.sum", f"github.com/sashabaranov/go-{KEY} v1 h1:\n garbage\n".encode(), "malformed"))
    add(Case("lock-bun", "bun.lock", f'{{"lockfileVersion": 1, "packages": {{"{KEY}": ['.encode(), "malformed",
             "JSON"))
    add(Case("go-mod-garbage", "go.mod", f"module x\nrequire (\n  github.com/sashabaranov/go-{KEY}\n".encode(),
             "malformed"))
    add(Case("gradle-garbage", "build.gradle", f"dependencies {{ implementation('com.{KEY}:{KEY}-java:'\n".encode(),
             "malformed"))
    add(Case("requirements-junk", "requirements.txt", f"{KEY}>=1\n-r\n--index-url\n@@@@\n!!!\n{KEY}[[[\n".encode(),
             "malformed"))
    add(Case("setup-cfg-garbage", "setup.cfg", f"[options\ninstall_requires =\n    {KEY}\n".encode(), "malformed"))
    add(Case("pipfile-garbage", "Pipfile", f"[packages]\n{KEY} = \n".encode(), "malformed", "invalid TOML"))
    add(Case("gemfile-garbage", "Gemfile", f"gem 'ruby-{KEY}', '~> ".encode(), "malformed"))

    # -- encodings --------------------------------------------------------------------------------
    source = "from openai import OpenAI\n\nclient = OpenAI()\n"
    add(Case("utf16le", "app16le.py", _bom("utf-16-le", source), "encoding", evidence=True))
    add(Case("utf16be", "requirements.txt", _bom("utf-16-be", "openai==1.2.3\n"), "encoding", evidence=True))
    add(Case("utf8bom", "pyproject.toml", _bom("utf-8", _PYPROJECT), "encoding", evidence=True))
    add(Case("utf8bom-json", "package.json", _bom("utf-8", _PACKAGE_JSON), "encoding", evidence=True))
    add(Case("latin1", "latin1.py", "# caf\xe9 cr\xe8me\n".encode("latin-1") + source.encode(), "encoding",
             "not valid UTF-8", evidence=True))
    add(Case("latin1-toml", "pyproject.toml", _PYPROJECT.encode() + "# caf\xe9\n".encode("latin-1"), "encoding",
             "not valid UTF-8", evidence=True))
    add(Case("utf16-odd", "odd16.py", codecs.BOM_UTF16_LE + source.encode("utf-16-le")[:-1], "encoding",
             "invalid UTF-16"))
    add(Case("utf16-nobom", "nobom16.py", source.encode("utf-16-le"), "encoding", "binary"))
    add(Case("nul-early", "nul.py", b"import openai\0\n" + source.encode(), "encoding", "binary"))
    add(Case("nul-late", "nul_late.py", source.encode() + b"#" * 9000 + b"\0\nimport openai\n", "encoding",
             "does not parse"))
    add(Case("json-lone-surrogate", "package.json", b'{"dependencies": {"openai": "\\ud800\\u001b[2J"}}', "encoding",
             evidence=True))
    add(Case("json-control-key", "package.json", b'{"dependencies": {"openai\\n": "1", "openai": "1\\r\\n"}}',
             "encoding", evidence=True))
    add(Case("nul-late-toml", "pyproject.toml", _PYPROJECT.encode() + b"#" * 9000 + b"\0\n", "encoding", "TOML"))
    add(Case("surrogates", "surrogate.py", source.encode() + b"x = '\xed\xa0\x80'\n", "encoding",
             "not valid UTF-8", evidence=True))
    add(Case("crlf-cr", "cr.py", source.replace("\n", "\r").encode(), "encoding", evidence=True))

    # -- nesting and bombs ------------------------------------------------------------------------
    add(Case("json-deep", "package.json", _deep_json(100_000), "nesting", "package-json"))
    add(Case("json-deep-composer", "composer.json", _deep_json(100_000), "nesting", "composer"))
    add(Case("json-deep-pipfile-lock", "Pipfile.lock", _deep_json(100_000), "nesting", "pipfile-lock"))
    add(Case("json-deep-package-lock", "package-lock.json", _deep_json(100_000), "nesting", "package-lock"))
    add(Case("yaml-deep-flow", "pnpm-lock.yaml", _deep_yaml_flow(100_000), "nesting", "pnpm-lock"))
    add(Case("yaml-deep-flow-conda", "environment.yml", _deep_yaml_flow(100_000), "nesting", "conda"))
    add(Case("yaml-deep-block", "environment.yaml", _deep_yaml_block(2_000), "nesting", "conda"))
    add(Case("yaml-deep-config", "config.yaml", _deep_yaml_flow(100_000), "nesting"))
    add(Case("toml-deep", "pyproject.toml", (f"# {KEY}\nx = " + "[" * 100_000 + "]" * 100_000 + "\n").encode(),
             "nesting", "pyproject"))
    add(Case("toml-deep-table", "Cargo.toml", (f"# {KEY}\nx = " + "{a = " * 50_000 + "1" + "}" * 50_000 + "\n").encode(),
             "nesting", "cargo"))
    add(Case("yaml-bomb-pnpm", "pnpm-lock.yaml", _yaml_bomb("lockfileVersion: '9.0'\npackages: {x: *i}"),
             "bomb", "pnpm"))
    add(Case("yaml-bomb-pnpm-importers", "pnpm-lock.yaml",
             _yaml_bomb("lockfileVersion: '6.0'\nimporters: {'.': {dependencies: {x: *i}}}"), "bomb", "pnpm"))
    add(Case("yaml-bomb-conda", "environment.yml", _yaml_bomb("dependencies: [{pip: *i}]"), "bomb"))
    add(Case("yaml-bomb-conda-list", "environment.yaml", _yaml_bomb("dependencies: *i"), "bomb"))
    add(Case("yaml-bomb-config", "config.yaml", _yaml_bomb("model: *i"), "bomb"))
    add(Case("yaml-recursive-alias", "environment.yml", b"dependencies: &x [openai, *x]\n", "bomb"))
    for kind, name, body in (("pom", "pom.xml", _POM_BODY.format(artifact="&lol9;")),
                             ("csproj", "App.csproj", _CSPROJ_BODY.format(include="&lol9;")),
                             ("packages", "packages.config", '<packages><package id="&lol9;" version="1"/></packages>')):
        add(Case(f"xml-laughs-{kind}", name, (_XML_LAUGHS + body).encode(), "bomb", "DOCTYPE/entity"))
    add(Case("xml-xxe-pom", "pom.xml", (_XXE + _POM_BODY.format(artifact="&xxe;")).encode(), "security",
             "DOCTYPE/entity"))
    add(Case("xml-xxe-csproj", "App.csproj", (_XXE.replace("project", "Project") +
                                              _CSPROJ_BODY.format(include="&xxe;")).encode(), "security",
             "DOCTYPE/entity"))
    add(Case("xml-xxe-lowercase", "pom.xml", ('<?xml version="1.0"?>\n<!doctype project [<!entity x SYSTEM '
                                              '"file:///etc/hostname">]>\n' + _POM_BODY.format(artifact="&x;")
                                              ).encode(), "security", "DOCTYPE/entity"))
    add(Case("xml-utf16-xxe", "pom.xml", _bom("utf-16-le", _XXE + _POM_BODY.format(artifact="&xxe;")), "security",
             "DOCTYPE/entity"))
    add(Case("xml-deep", "pom.xml", (f"<project><!-- {KEY} -->" + "<a>" * 100_000 + "</a>" * 100_000
                                     + "</project>").encode(), "nesting"))

    # -- files named like manifests holding something else ---------------------------------------
    add(Case("misnamed-binary-lock", "package-lock.json", b"\x00\x01\x02openai\xff\xfe" * 64, "misnamed", "binary"))
    add(Case("misnamed-png-go-mod", "go.mod", _png(), "misnamed", "binary"))
    add(Case("misnamed-json-pyproject", "pyproject.toml", f'{{"project": {{"dependencies": ["{KEY}"]}}}}'.encode(),
             "misnamed", "invalid TOML"))
    add(Case("misnamed-yaml-package-json", "package.json", f"dependencies:\n  {KEY}: ^4\n".encode(), "misnamed",
             "invalid JSON"))
    add(Case("misnamed-python-requirements", "requirements.txt",
             f"import {KEY}\nprint({KEY}.__version__)\nfor x in range(3):\n    pass\n".encode(), "misnamed"))
    add(Case("misnamed-toml-pipfile-lock", "Pipfile.lock", _PYPROJECT.encode(), "misnamed", "invalid JSON"))
    add(Case("misnamed-xml-cargo", "Cargo.toml", _POM_BODY.format(artifact=KEY).encode(), "misnamed", "TOML"))
    add(Case("misnamed-html-pom", "pom.xml", f"<html><body>{KEY}<br></body></html>".encode(), "misnamed",
             "XML"))
    add(Case("misnamed-zip-gradle", "build.gradle", b"PK\x03\x04\x14\x00\x00\x00openai" + b"\x00" * 40, "misnamed",
             "binary"))
    add(Case("misnamed-json-yarn", "yarn.lock", _PACKAGE_JSON.encode(), "misnamed"))
    add(Case("misnamed-text-go-sum", "go.sum", f"# {KEY}\nthis is not a go.sum\n".encode(), "misnamed"))
    add(Case("notebook-not-json", "analysis.ipynb", f"# {KEY} notebook\nimport {KEY}\n{{{{{{\n".encode(),
             "misnamed"))
    add(Case("notebook-binary", "broken.ipynb", b"\x00\x00openai\x00", "misnamed"))

    # -- Python that does not parse -------------------------------------------------------------
    add(Case("python2", "legacy.py", b'import openai\nprint "hello"\nexec "x = 1"\nclient = openai.OpenAI()\n'
             b'model = "gpt-4o"\n', "python", "does not parse", evidence=True))
    add(Case("python-syntax", "broken.py", b'from openai import OpenAI\ndef f(:\n    return "gpt-4o"\n', "python",
             "does not parse", evidence=True))
    add(Case("python-indent", "indent.py", b'import openai\n  x = 1\n model = "gpt-4o-mini"\n', "python",
             "does not parse", evidence=True))
    add(Case("python-deep-parens", "parens.py", b"import openai\nx = " + b"(" * 100_000 + b"1" + b")" * 100_000 + b"\n",
             "recursion", "read as text"))
    add(Case("python-deep-unary", "unary.py", b"import openai\nx = " + b"-" * 100_000 + b"1\n", "recursion",
             "read as text"))
    add(Case("python-deep-binop", "binop.py", b"import openai\nx = 1" + b" + 1" * 100_000 + b"\n", "recursion"))
    add(Case("python-deep-attr", "attr.py", b"import openai\nx = openai" + b".a" * 100_000 + b"\n", "recursion"))
    add(Case("python-deep-call", "call.py", b"import openai\nx = f" + b"()" * 100_000 + b"\n", "recursion"))
    add(Case("python-deep-lambda", "lam.py", b"import openai\nx = " + b"lambda: " * 20_000 + b"1\n", "recursion"))
    add(Case("python-deep-if", "ifs.py", b"import openai\n" + b"".join(b" " * i + b"if x:\n" for i in range(200))
             + b" " * 200 + b"pass\n", "recursion"))
    add(Case("python-deep-fstring", "fstr.py", b"import openai\nx = " + b'f"{' * 500 + b"1" + b'}"' * 500 + b"\n",
             "recursion"))
    add(Case("python-null-ok", "pynull.py", b"import openai\nx = '\\0'\n", "python", evidence=True))

    # -- other source languages -----------------------------------------------------------------
    add(Case("js-unterminated", "index.js", f'import OpenAI from "{KEY}";\nconst s = `abc ${{ "x\n'.encode(),
             "source"))
    add(Case("js-deep-template", "deep.ts", (f'import OpenAI from "{KEY}";\nconst s = ' + "`${" * 20_000 + "1"
                                             + "}`" * 20_000 + ";\n").encode(), "recursion"))
    add(Case("js-deep-braces", "braces.js", (f'const {KEY} = require("{KEY}");\n' + "{(" * 50_000 + ")}" * 50_000
                                             ).encode(), "recursion"))
    add(Case("js-regex-junk", "re.mjs", f'import x from "{KEY}"; const r = /[/\\/; x = /***/'.encode(), "source"))
    add(Case("go-unterminated", "main.go", f'package main\nimport "github.com/sashabaranov/go-{KEY}"\nvar s = `'
             .encode(), "source"))
    add(Case("java-junk", "App.java", f"import com.{KEY}.client.OpenAIClient;\nclass {{{{{{ \"".encode(), "source"))
    add(Case("kotlin-deep", "App.kt", (f"import com.{KEY}.client.OpenAIClient\nval x = " + "(" * 50_000).encode(),
             "recursion"))

    # -- lines built to make regexes backtrack (each was quadratic once: 2-4 s a line) -----------
    def lines(body: str, count: int = 40, prefix: str = KEY + " ") -> bytes:
        return "\n".join([prefix + body] * count).encode()

    add(Case("regex-model-key", "notes.txt", lines("a-" * 10_000 + "!"), "slow-regex"))
    add(Case("regex-model-word", "settings.json", lines("model" * 4_000 + "!"), "slow-regex"))
    add(Case("regex-blank-key", "config.yaml", lines(" " * 19_000 + f"!{KEY}", prefix=""), "slow-regex"))
    add(Case("regex-redact-token", "app.py", b"import openai\n" + lines('x = "' + "token" * 4_000 + '"; model="gpt-4o"', prefix=""),
             "slow-regex", evidence=True))
    add(Case("regex-redact-run", "main.py", b"import openai\n" + lines('model = "gpt-4o"  # ' + "x" * 20_000, prefix=""),
             "slow-regex", evidence=True))

    # -- empty and blank files ------------------------------------------------------------------
    for name in ("pyproject.toml", "package.json", "pom.xml", "go.mod", "empty.py", ".env", "config.yaml",
                 "Pipfile.lock", "pnpm-lock.yaml", "requirements.txt", "App.csproj", "index.js"):
        add(Case("empty-" + name.lower().replace(".", "-"), name, b"", "empty"))
    for name in ("pyproject.toml", "package.json", "pom.xml", "environment.yml", "package-lock.json"):
        add(Case("blank-" + name.lower().replace(".", "-"), name, f"  \n\t\n# {KEY}\n".encode()
                 if name != "package.json" else b"  \n\n", "empty"))
    return cases


def large_cases(line_bytes: int = 10_000_000, module_bytes: int = 5_000_000) -> List[Case]:
    """Cases written at test time: a 10 MB single line in several kinds of file, a 5 MB generated
    Python module. A scan of them needs ``--max-file-size`` above ``line_bytes``."""
    filler = b"x" * line_bytes
    cases = [
        Case("long-line-js", "bundle.js", b'const k = "' + filler + b'"; import OpenAI from "openai";\n', "long-line"),
        Case("long-line-yaml", "config.yaml", b"model: gpt-4o " + filler + b" openai\n", "long-line"),
        Case("long-line-requirements", "requirements.txt", b"openai" + b"[" + filler + b"\n", "long-line"),
        Case("long-line-json", "package.json", b'{"dependencies": {"openai": "' + filler + b'"}}', "long-line",
             evidence=True),
        Case("long-line-python", "long.py", b"import openai\nx = '" + filler + b"'\n", "long-line", "too large"),
        Case("long-line-env", ".env", b"OPENAI_API_KEY=" + filler + b"\n", "long-line", evidence=True),
        Case("long-line-text", "notes.txt", b"api.openai.com " * (line_bytes // 15) + b"\n", "long-line"),
        Case("long-line-toml", "pyproject.toml", b'[project]\nname = "x"\ndescription = "' + filler
             + b'"\ndependencies = ["openai"]\n', "long-line", evidence=True),
    ]
    lines = [b"import openai", b"client = openai.OpenAI()"]
    size = 0
    number = 0
    while size < module_bytes:
        line = b'CONSTANT_%07d = {"model": "gpt-4o", "values": [%d, %d, %d], "name": "item-%d"}' % (
            number, number, number * 2, number * 3, number)
        lines.append(line)
        size += len(line) + 1
        number += 1
    cases.append(Case("generated-module", "generated.py", b"\n".join(lines) + b"\n", "generated", "too large",
                      evidence=True))
    return cases


def write(dest: Path, cases: Iterable[Case], good: bool = True) -> List[Case]:
    """Write ``cases`` (and the good ``app.py``) below ``dest``; returns the cases."""
    written = list(cases)
    dest.mkdir(parents=True, exist_ok=True)
    if good:
        (dest / GOOD_PATH).write_bytes(GOOD)
    for case in written:
        target = dest / case.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(case.data)
    return written


def main(argv: List[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    cases = small_cases() + (large_cases() if "--large" in argv else [])
    write(Path(argv[0]), cases)
    print(f"{len(cases)} cases written to {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
