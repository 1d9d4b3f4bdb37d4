"""Manifest and lockfile extractors of the non-Python ecosystems, on small fixtures in each real format."""

from __future__ import annotations

import re
import time
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provider_audit.extractors import ParseError, _xml, extractor_for
from provider_audit.extractors import (bun_lock, cargo_lock, cargo_toml, composer_json, composer_lock, gemfile,
                                       gemfile_lock, go_mod, go_sum, gradle, gradle_catalog, maven_pom, msbuild,
                                       package_json, package_lock, packages_config, pnpm_lock, yarn_lock)
from provider_audit.extractors._lines import Positions, json_document, pinned_version
from provider_audit.models import Dependency

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "manifests"

# module -> the fixture every generic test (empty input, arbitrary input) starts from
MODULES = {
    package_json: "npm/package.json", package_lock: "npm/package-lock.json", yarn_lock: "npm/yarn.lock",
    pnpm_lock: "npm/pnpm-lock.yaml", bun_lock: "npm/bun.lock", go_mod: "go/go.mod", go_sum: "go/go.sum",
    maven_pom: "maven/pom.xml", gradle: "maven/build.gradle.kts", gradle_catalog: "maven/gradle/libs.versions.toml",
    cargo_toml: "crates/Cargo.toml", cargo_lock: "crates/Cargo.lock", gemfile: "rubygems/Gemfile",
    gemfile_lock: "rubygems/Gemfile.lock", msbuild: "nuget/ChatBot.csproj", packages_config: "nuget/packages.config",
    composer_json: "composer/composer.json", composer_lock: "composer/composer.lock",
}
XML_FILES = ("pom.xml", "App.csproj", "Directory.Packages.props", "packages.config")


def maker(ecosystem: str):
    def make(name, line, column, specifier="", version=None, direct=True, group=None, extras=()):
        return Dependency(name, ecosystem, line, column, specifier, version, direct, group, tuple(extras))
    return make


NPM, GO, MAVEN, CRATES, GEMS, NUGET, COMPOSER = map(maker, ("npm", "go", "maven", "crates", "rubygems", "nuget",
                                                            "composer"))


def run(relpath: str, text: str = None):
    """The dependencies the registry's extractor finds in a fixture (``text`` None) or in ``text``."""
    if text is None:
        text = (FIXTURES / relpath).read_text(encoding="utf-8")
    return list(extractor_for(relpath).extract(relpath, text))


def fails(relpath: str, text: str) -> str:
    with pytest.raises(ParseError) as info:
        run(relpath, text)
    assert "\n" not in str(info.value)
    return str(info.value)


# --- registry -------------------------------------------------------------------------------------

@pytest.mark.parametrize("relpath, name", [
    ("npm/package.json", "npm/package-json"),
    ("npm/package-lock.json", "npm/package-lock"),
    ("npm/v1/npm-shrinkwrap.json", "npm/package-lock"),
    ("npm/yarn.lock", "npm/yarn-lock"),
    ("npm/berry/yarn.lock", "npm/yarn-lock"),
    ("npm/pnpm-lock.yaml", "npm/pnpm-lock"),
    ("npm/pnpm6/pnpm-lock.yaml", "npm/pnpm-lock"),
    ("npm/pnpm5/pnpm-lock.yaml", "npm/pnpm-lock"),
    ("npm/bun.lock", "npm/bun-lock"),
    ("go/go.mod", "go/go-mod"),
    ("go/go.sum", "go/go-sum"),
    ("maven/pom.xml", "maven/pom"),
    ("maven/build.gradle", "maven/gradle"),
    ("maven/build.gradle.kts", "maven/gradle"),
    ("maven/gradle/libs.versions.toml", "maven/gradle-catalog"),
    ("crates/Cargo.toml", "crates/cargo-toml"),
    ("crates/Cargo.lock", "crates/cargo-lock"),
    ("rubygems/Gemfile", "rubygems/gemfile"),
    ("rubygems/Gemfile.lock", "rubygems/gemfile-lock"),
    ("nuget/ChatBot.csproj", "nuget/msbuild"),
    ("nuget/Directory.Packages.props", "nuget/msbuild"),
    ("nuget/packages.config", "nuget/packages-config"),
    ("composer/composer.json", "composer/composer-json"),
    ("composer/composer.lock", "composer/composer-lock"),
])
def test_registry_picks_extractor_for_fixture(relpath, name):
    assert (FIXTURES / relpath).is_file()
    assert extractor_for(relpath).name == name
    assert extractor_for(relpath.rsplit("/", 1)[-1]).name == name


@pytest.mark.parametrize("relpath, name", [
    ("web/npm-shrinkwrap.json", "npm/package-lock"),
    ("settings.gradle.kts", "maven/gradle"),
    ("gradle/deps.versions.toml", "maven/gradle-catalog"),
    ("src/App/App.fsproj", "nuget/msbuild"),
    ("src/App/App.vbproj", "nuget/msbuild"),
    ("Directory.Build.props", "nuget/msbuild"),
    ("gems.rb", "rubygems/gemfile"),
    ("gems.locked", "rubygems/gemfile-lock"),
])
def test_registry_other_names(relpath, name):
    assert extractor_for(relpath).name == name


@pytest.mark.parametrize("relpath", ["src/package.json.ts", "README.md", "docs/pom.xml.md", "bun.lockb", "go.work",
                                     "Cargo.toml.orig", "composer.phar", "App.csproj.user", "yarn.lock.bak"])
def test_registry_ignores_lookalike_names(relpath):
    assert extractor_for(relpath) is None


# --- npm ------------------------------------------------------------------------------------------

def test_package_json():
    assert run("npm/package.json") == [
        NPM("@anthropic-ai/sdk", 10, 6, "^0.33.1"),
        NPM("ai", 11, 6, "4.0.38", "4.0.38"),
        NPM("@ai-sdk/openai", 12, 6, "~1.0.19"),
        NPM("openai", 13, 6, "^3.3.0"),  # "openai-v3": "npm:openai@^3.3.0"
        NPM("express", 14, 6, "^4.21.2"),
        NPM("@langchain/anthropic", 17, 6, "=0.3.11", "0.3.11", group="dev"),
        NPM("typescript", 18, 6, "^5.7.3", group="dev"),
        NPM("fsevents", 24, 6, "2.3.3", "2.3.3", group="optional"),
        NPM("openai", 21, 6, ">=4 <5", group="peer"),
    ]


def test_package_lock_v3():
    assert run("npm/package-lock.json") == [
        NPM("@ai-sdk/openai", 22, 6, "^1.0.0", "1.0.19"),  # declared by workspace packages/web-ui, hoisted
        NPM("@anthropic-ai/sdk", 28, 6, "^0.33.1", "0.33.1"),
        NPM("@types/node", 38, 6, version="18.19.70", direct=False),
        NPM("node-fetch", 43, 6, version="2.7.0", direct=False),
        NPM("openai", 48, 6, "^4.77.0", "4.77.0"),
        NPM("openai", 56, 6, "^3.3.0", "3.3.0"),  # node_modules/openai-v3, an alias
        NPM("@types/node", 62, 6, version="18.19.68", direct=False),  # node_modules/openai/node_modules/@types/node
        NPM("typescript", 67, 6, "^5.7.3", "5.7.3", group="dev"),
    ]


def test_package_lock_v1_tree():
    assert run("npm/v1/npm-shrinkwrap.json") == [
        NPM("openai", 7, 6, version="3.3.0", direct=False),
        NPM("@anthropic-ai/sdk", 21, 6, version="0.4.4", direct=False),  # "claude-sdk": npm:@anthropic-ai/sdk@0.4.4
        NPM("mocha", 25, 6, version="10.2.0", direct=False, group="dev"),
        NPM("axios", 15, 10, version="0.26.1", direct=False),  # nested under openai
    ]


def test_package_lock_nested_flags_and_v2_prefers_packages():
    text = """{"lockfileVersion": 2,
  "packages": {"": {"dependencies": {"a": "^1"}},
    "node_modules/a": {"version": "1.0.0"},
    "node_modules/a/node_modules/openai": {"version": "4.0.0", "optional": true}},
  "dependencies": {"ignored": {"version": "9.9.9"}}}"""
    assert run("package-lock.json", text) == [
        NPM("a", 3, 6, "^1", "1.0.0"),
        NPM("openai", 4, 6, version="4.0.0", direct=False, group="optional"),
    ]


def test_yarn_classic():
    assert run("npm/yarn.lock") == [
        NPM("@anthropic-ai/sdk", 5, 2, version="0.33.1", direct=False),
        NPM("@types/node", 13, 2, version="18.19.70", direct=False),
        NPM("node-fetch", 17, 1, version="2.7.0", direct=False),
        NPM("openai", 23, 1, version="4.77.0", direct=False),
        NPM("string-width", 27, 2, version="4.2.3", direct=False),  # string-width-cjs@npm:string-width@^4.2.0
    ]


def test_yarn_berry():
    assert run("npm/berry/yarn.lock") == [
        NPM("@ai-sdk/openai", 8, 2, "^1.0.19", "1.0.19"),
        NPM("@ai-sdk/provider", 19, 2, version="1.0.4", direct=False),
        NPM("ai", 25, 2, "^4.0.38", "4.0.38"),
        NPM("openai", 42, 2, "^3.3.0", "3.3.0"),  # legacy-openai: npm:openai@^3.3.0
        NPM("typescript", 48, 2, "^5.7.3", "5.7.3"),  # the workspace depends on its patch: descriptor
    ]


def test_pnpm_v9():
    assert run("npm/pnpm-lock.yaml") == [
        NPM("@ai-sdk/openai", 11, 8, "^1.0.19", "1.0.19"),
        NPM("ai", 14, 7, "4.0.38", "4.0.38"),
        NPM("openai", 17, 7, "^4.77.0", "4.77.0"),
        NPM("@langchain/anthropic", 21, 8, "^0.3.11", "0.3.11", group="dev"),
        NPM("typescript", 24, 7, "^5.7.3", "5.7.3", group="dev"),
        NPM("openai", 33, 7, "^3.3.0", "3.3.0"),  # legacy-openai in packages/shared; chat-utils is a link:
        NPM("@ai-sdk/provider", 45, 4, version="1.0.4", direct=False),
        NPM("zod", 68, 3, version="3.24.1", direct=False),
    ]


def test_pnpm_v6():
    assert run("npm/pnpm6/pnpm-lock.yaml") == [
        NPM("@ai-sdk/openai", 8, 4, "^1.0.0", "1.0.0"),
        NPM("openai", 11, 3, "^4.20.0", "4.20.1"),  # gpt: npm:openai@^4.20.0, version /openai@4.20.1
        NPM("vitest", 16, 3, "^1.0.4", "1.0.4", group="dev"),
        NPM("zod", 39, 3, version="3.22.4", direct=False),
    ]


def test_pnpm_v5():
    assert run("npm/pnpm5/pnpm-lock.yaml") == [
        NPM("@anthropic-ai/sdk", 9, 4, "^0.9.1", "0.9.1"),
        NPM("langchain", 10, 3, "^0.0.200", "0.0.200"),  # 0.0.200_openai@3.3.0
        NPM("openai", 11, 3, "3.3.0", "3.3.0"),
        NPM("axios", 19, 3, version="0.26.1", direct=False),
    ]


def test_pnpm_two_documents_are_both_read():
    text = """---
lockfileVersion: '9.0'

importers:
  .:
    packageManagerDependencies:
      pnpm:
        specifier: 12.0.0
        version: 12.0.0

packages:
  pnpm@12.0.0:
    resolution: {integrity: sha512-x}

---
lockfileVersion: '9.0'

importers:
  .:
    dependencies:
      openai:
        specifier: ^4.0.0
        version: 4.77.0
"""
    assert run("pnpm-lock.yaml", text) == [NPM("pnpm", 12, 3, version="12.0.0", direct=False),
                                           NPM("openai", 21, 7, "^4.0.0", "4.77.0")]


def test_pnpm_v9_snapshots_are_not_parsed_when_last():
    fixture = (FIXTURES / "npm/pnpm-lock.yaml").read_text()
    assert "\nsnapshots:\n" in fixture
    cut = pnpm_lock.without_snapshots(fixture)
    assert "snapshots" not in cut and fixture.startswith(cut)
    # Invalid YAML in a last snapshots section changes nothing: the section is not read.
    broken = fixture + "  'x@1.0.0': {a: [}\n"
    assert run("pnpm-lock.yaml", broken) == run("npm/pnpm-lock.yaml")


@pytest.mark.parametrize("tail", [
    "\nsettings:\n  x: 1\n",  # another top-level key after it
    "\n---\nlockfileVersion: '9.0'\n",  # another document
    "\n...\n",  # a document end marker
])
def test_pnpm_snapshots_followed_by_anything_top_level_are_parsed(tail):
    text = "lockfileVersion: '9.0'\nimporters: {}\nsnapshots:\n  a@1.0.0: {}\n" + tail
    assert pnpm_lock.without_snapshots(text) == text
    # A comment, a blank line or indented lines after it still cut it.
    quiet = "lockfileVersion: '9.0'\nsnapshots:  # x\n\n# done\n  a@1.0.0: {}\r\n"
    assert pnpm_lock.without_snapshots(quiet) == "lockfileVersion: '9.0'\n"


def test_bun_lock():
    assert run("npm/bun.lock") == [
        NPM("@ai-sdk/openai", 22, 6, "^1.0.19", "1.0.19"),  # declared by packages/agent
        NPM("@ai-sdk/provider", 24, 6, version="1.0.4", direct=False),
        NPM("@anthropic-ai/sdk", 26, 6, "^0.33.1", "0.33.1"),
        NPM("@types/bun", 28, 6, "latest", "1.1.14", group="dev"),
        NPM("ai", 32, 6, "^4.0.38", "4.0.38"),
        NPM("@ai-sdk/provider", 35, 6, version="1.0.3", direct=False),  # "ai/@ai-sdk/provider"
    ]


def test_bun_lock_comment_and_comma_lookalikes_inside_strings_are_kept():
    text = '{"lockfileVersion": 1, /* c */ "packages": {"a//b": ["openai@4.0.0", "x,}/*y*/", {},], }, // end\n}'
    assert run("bun.lock", text) == [NPM("openai", 1, 46, version="4.0.0", direct=False)]


# --- Go -------------------------------------------------------------------------------------------

def test_go_mod():
    assert run("go/go.mod") == [
        GO("github.com/sashabaranov/go-openai", 7, 9, "v1.36.1", "1.36.1"),
        GO("github.com/anthropics/anthropic-sdk-go", 10, 2, "v0.2.0-alpha.8", "0.2.0-alpha.8"),
        GO("github.com/go-chi/chi/v5", 11, 2, "v5.2.0", "5.2.0"),
        GO("github.com/tidwall/gjson", 12, 2, "v1.18.0", "1.18.0", direct=False),
        GO("golang.org/x/sync", 13, 2, "v0.10.0", "0.10.0", direct=False),
        GO("github.com/example/go-openai", 16, 46, "v1.36.2-fix.1", "1.36.2-fix.1"),  # replaces go-openai
        GO("golang.org/x/sync", 20, 2, "v0.11.0", "0.11.0", direct=False),  # chi => ../chi adds nothing
    ]


def test_go_mod_quoted_paths_and_unrequired_replacement():
    text = ('module x\nrequire "example.com/a" v1.0.0 // indirect; for tests\n'
            'replace example.com/b => example.com/c v2.0.0\n')
    assert run("go.mod", text) == [GO("example.com/a", 2, 10, "v1.0.0", "1.0.0", direct=False),
                                   GO("example.com/c", 3, 26, "v2.0.0", "2.0.0", direct=False)]


def test_go_sum_skips_modules_known_only_by_their_go_mod():
    assert run("go/go.sum") == [
        GO("github.com/anthropics/anthropic-sdk-go", 1, 1, version="0.2.0-alpha.8", direct=False),
        GO("github.com/go-chi/chi/v5", 3, 1, version="5.2.0", direct=False),
        GO("github.com/sashabaranov/go-openai", 5, 1, version="1.36.1", direct=False),
        GO("github.com/tidwall/gjson", 7, 1, version="1.18.0", direct=False),
    ]


# --- JVM ------------------------------------------------------------------------------------------

def test_maven_pom():
    assert run("maven/pom.xml") == [
        MAVEN("com.openai:openai-java", 38, 7, "0.8.0", "0.8.0"),
        MAVEN("dev.langchain4j:langchain4j-open-ai", 43, 7),
        MAVEN("com.example:chat-common", 47, 7, "1.0.0-SNAPSHOT", "1.0.0-SNAPSHOT"),
        MAVEN("org.junit.jupiter:junit-jupiter", 52, 7, "[5.10,6.0)", group="test"),
        MAVEN("dev.langchain4j:langchain4j-bom", 27, 9, "0.36.2", "0.36.2", group="managed"),
        MAVEN("dev.langchain4j:langchain4j-anthropic", 80, 11, group="optional"),  # in a profile
    ]  # the plugin's own dependency is not read


def test_maven_pom_without_namespace_and_unresolved_property():
    text = """<project><dependencies><dependency>
  <groupId>com.openai</groupId><artifactId>openai-java</artifactId><version>${missing}</version>
  <scope>provided</scope></dependency></dependencies></project>"""
    assert run("pom.xml", text) == [MAVEN("com.openai:openai-java", 2, 32, "${missing}", group="provided")]


def test_maven_pom_property_bomb_stays_unexpanded():
    properties = "".join(f"<p{i}>${{p{i + 1}}}${{p{i + 1}}}</p{i}>" for i in range(30))
    text = f"<project><properties>{properties}</properties><dependencies><dependency><groupId>g</groupId>" \
           "<artifactId>a</artifactId><version>${p0}</version></dependency></dependencies></project>"
    [dep] = run("pom.xml", text)
    assert len(dep.specifier) <= 256 and dep.version is None


def test_gradle_kotlin_dsl():
    assert run("maven/build.gradle.kts") == [
        MAVEN("dev.langchain4j:langchain4j-bom", 9, 30, "0.36.2", "0.36.2"),  # platform(...)
        MAVEN("com.openai:openai-java", 10, 21, "0.8.0", "0.8.0"),
        MAVEN("dev.langchain4j:langchain4j-open-ai", 11, 21, "$langchain4jVersion"),
        MAVEN("org.slf4j:slf4j-simple", 16, 18, "2.0.16", "2.0.16"),
        MAVEN("org.projectlombok:lombok", 17, 26, "1.18.36", "1.18.36"),  # named arguments
        MAVEN("org.junit.jupiter:junit-jupiter", 18, 25, "5.11.4", "5.11.4", group="test"),
    ]  # libs.anthropic.java, project(...), kotlin(...) and the commented-out lines are skipped


def test_gradle_groovy_dsl():
    assert run("maven/build.gradle") == [
        MAVEN("com.azure:azure-ai-openai", 8, 21, "1.0.0-beta.13", "1.0.0-beta.13"),
        MAVEN("com.squareup.okhttp3:okhttp", 9, 10, "${okhttpVersion}"),
        MAVEN("dev.langchain4j:langchain4j-anthropic", 10, 28, "0.36.2", "0.36.2"),  # group: ..., name: ...
        MAVEN("com.google.guava:guava", 11, 21, "33.4.0-jre", "33.4.0-jre"),  # @jar dropped
        MAVEN("org.projectlombok:lombok", 12, 26, "1.18.36", "1.18.36"),
        MAVEN("junit:junit", 13, 25, "4.13.2", "4.13.2", group="test"),
    ]


def test_gradle_catalog():
    assert run("maven/gradle/libs.versions.toml") == [
        MAVEN("com.openai:openai-java", 7, 1, "0.8.0", "0.8.0"),
        MAVEN("dev.langchain4j:langchain4j-open-ai", 8, 1, "0.36.2", "0.36.2"),
        MAVEN("com.anthropic:anthropic-java", 9, 1, "0.8.0", "0.8.0"),
        MAVEN("com.squareup.okhttp3:okhttp", 10, 1, "4.12.0", "4.12.0"),
        MAVEN("org.junit.jupiter:junit-jupiter", 11, 1, "[5.10, 6.0["),  # a rich version: strictly wins
        MAVEN("com.google.guava:guava", 12, 1),
    ]


# --- Rust -----------------------------------------------------------------------------------------

def test_cargo_toml():
    assert run("crates/Cargo.toml") == [
        CRATES("async-openai", 7, 1, "0.26.0"),  # a bare version is a caret range
        CRATES("openai-api-rs", 8, 1, "=5.2.4", "5.2.4"),  # openai_api = { package = "openai-api-rs" }
        CRATES("tokio", 9, 1, "1.42", extras=("macros", "rt-multi-thread")),
        CRATES("serde", 10, 1),  # { workspace = true }
        CRATES("reqwest", 11, 1, "0.12", group="optional"),
        CRATES("mockito", 14, 1, "1.6.1", group="dev"),
        CRATES("cc", 17, 1, "1.2", group="build"),
        CRATES("nix", 20, 1, "0.29"),  # [target.'cfg(unix)'.dependencies]
        CRATES("windows-sys", 23, 1, "0.59", group="dev"),
        CRATES("serde", 29, 1, "1.0.217", group="managed", extras=("derive",)),
    ]


def test_cargo_lock():
    assert run("crates/Cargo.lock") == [
        CRATES("async-openai", 6, 9, version="0.26.0", direct=False),
        CRATES("chat-bot", 16, 9, version="0.1.0", direct=False),
        CRATES("serde", 24, 9, version="1.0.217", direct=False),
        CRATES("syn", 30, 9, version="1.0.109", direct=False),
        CRATES("syn", 36, 9, version="2.0.96", direct=False),
    ]


# --- Ruby -----------------------------------------------------------------------------------------

def test_gemfile():
    assert run("rubygems/Gemfile") == [
        GEMS("rails", 5, 6, "~> 8.0.1"),
        GEMS("ruby-openai", 6, 6, "~> 7.3"),
        GEMS("anthropic", 7, 6, "0.3.2", "0.3.2"),
        GEMS("pg", 8, 6, ">= 1.1, < 2.0"),
        GEMS("faraday-retry", 9, 6, group="production"),
        GEMS("rspec-rails", 13, 8, "= 7.1.0", "7.1.0", group="development,test"),
        GEMS("debug", 15, 10, group="development,test"),  # inside platforms :mri do ... end
        GEMS("webmock", 20, 8, group="test"),
    ]


def test_gemfile_block_comments_and_groups_option():
    text = "=begin\ngem 'hidden'\n=end\ngem('openai', groups: [:ai, :jobs])\nif ENV['X']\n  gem 'x'\nend\n"
    assert run("Gemfile", text) == [GEMS("openai", 4, 6, group="ai,jobs"), GEMS("x", 6, 8)]


def test_gemfile_lock():
    assert run("rubygems/Gemfile.lock") == [
        GEMS("llm_helpers", 5, 5, version="0.1.0"),  # from GIT; "llm_helpers!" in DEPENDENCIES
        GEMS("anthropic", 11, 5, "= 0.3.2", "0.3.2"),
        GEMS("event_stream_parser", 13, 5, version="1.0.0", direct=False),
        GEMS("faraday", 14, 5, version="2.12.2", direct=False),
        GEMS("faraday-multipart", 16, 5, version="1.1.0", direct=False),
        GEMS("faraday-net_http", 17, 5, version="3.4.0", direct=False),
        GEMS("nokogiri", 18, 5, version="1.18.1"),  # two platforms, reported once
        GEMS("racc", 22, 5, version="1.8.1", direct=False),
        GEMS("ruby-openai", 23, 5, "~> 7.3", "7.3.1"),
    ]


# --- .NET -----------------------------------------------------------------------------------------

def test_csproj():
    assert run("nuget/ChatBot.csproj") == [
        NUGET("Azure.AI.OpenAI", 10, 5, "2.1.0", "2.1.0"),
        NUGET("Anthropic.SDK", 11, 5, "[4.4.1]", "4.4.1"),
        NUGET("Microsoft.SemanticKernel", 12, 5, "1.33.0", "1.33.0"),  # $(SemanticKernelVersion)
        NUGET("Newtonsoft.Json", 13, 5, "13.0.3", "13.0.3"),  # <Version> child element
        NUGET("Serilog", 16, 5, "4.*"),
    ]  # the Update item and the ProjectReference are not packages


def test_legacy_csproj_with_namespace():
    text = """<?xml version="1.0" encoding="utf-8"?>
<Project ToolsVersion="15.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <Choose><When Condition="true"><ItemGroup>
    <PackageReference Include="OpenAI"><VersionOverride>2.1.0</VersionOverride></PackageReference>
  </ItemGroup></When></Choose>
</Project>"""
    assert run("Legacy.vbproj", text) == [NUGET("OpenAI", 4, 5, "2.1.0", "2.1.0")]


def test_directory_packages_props():
    assert run("nuget/Directory.Packages.props") == [
        NUGET("Azure.AI.OpenAI", 6, 5, "2.1.0", "2.1.0", group="managed"),
        NUGET("OpenAI", 7, 5, "2.1.0", "2.1.0", group="managed"),
        NUGET("xunit", 8, 5, "2.9.3", "2.9.3", group="managed"),
        NUGET("Nerdbank.GitVersioning", 11, 5, "3.7.115", "3.7.115"),
    ]


def test_packages_config():
    assert run("nuget/packages.config") == [
        NUGET("Azure.AI.OpenAI", 3, 3, "1.0.0-beta.17", "1.0.0-beta.17"),
        NUGET("Newtonsoft.Json", 4, 3, "13.0.3", "13.0.3"),
        NUGET("StyleCop.Analyzers", 5, 3, "1.1.118", "1.1.118", group="dev"),
    ]


# --- PHP ------------------------------------------------------------------------------------------

def test_composer_json():
    assert run("composer/composer.json") == [
        COMPOSER("openai-php/client", 7, 10, "^0.10.3"),
        COMPOSER("guzzlehttp/guzzle", 8, 10, "7.9.2", "7.9.2"),
        COMPOSER("mozex/anthropic-php", 9, 10, "v1.1.0", "1.1.0"),
        COMPOSER("phpunit/phpunit", 12, 10, "^11.5", group="dev"),
    ]  # php and ext-json are platform requirements


def test_composer_lock():
    assert run("composer/composer.lock") == [
        COMPOSER("guzzlehttp/guzzle", 10, 14, version="7.9.2", direct=False),
        COMPOSER("openai-php/client", 23, 14, version="0.10.3", direct=False),
        COMPOSER("example/llm-fork", 33, 14, direct=False),  # dev-main is a branch
        COMPOSER("phpunit/phpunit", 40, 14, version="11.5.2", direct=False, group="dev"),
    ]


# --- every extractor: empty, malformed, something else under the name ------------------------------

@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.EXTRACTOR.name)
@pytest.mark.parametrize("text", ["", "  \n\n", "\n"])
def test_empty_file_gives_nothing(module, text):
    assert list(module.EXTRACTOR.extract(MODULES[module], text)) == []


@pytest.mark.parametrize("relpath, text, message", [
    ("package.json", '{"dependencies": {"openai": "^4"', r"^invalid JSON: Expecting ',' delimiter"),
    ("package.json", '{"dependencies": {"openai": 4}}',
     r'^package\.json "dependencies" "openai" is a number, expected a string$'),
    ("package.json", "[" * 50000, r"^invalid JSON"),
    ("package-lock.json", '{"lockfileVersion": 3, "packages": {"node_modules/x": []}}',
     r'^"packages" "node_modules/x" is a list, expected a mapping$'),
    ("yarn.lock", "openai@^4.0.0:\n  resolved \"https://x\"\n", r"^line 1: entry 'openai' has no version$"),
    ("yarn.lock", "  version \"1.0.0\"\n", r"^line 1: indented line outside an entry$"),
    ("yarn.lock", "__metadata:\n  version: 8\n\"openai@npm:^4\": [\n", r"^invalid YAML: "),
    ("pnpm-lock.yaml", "lockfileVersion: '9.0'\nimporters: [1]\n", r"^importers is a list, expected a mapping$"),
    ("pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: &x\n    b: *x\n  bad: [\n",
     r"^YAML alias \*x at line 4 is recursive"),
    ("pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: &x\n    b: 1\n  c: *x\n  bad: [\n", r"^invalid YAML: "),
    ("pnpm-lock.yaml", "a:" + " [" * 20000, r"^invalid YAML"),
    ("bun.lock", '{"lockfileVersion": 1, /* never closed', r"^unterminated /\* comment$"),
    ("bun.lock", '{"lockfileVersion": 1, "packages": {"a": [1]}}', r'^package "a" identifier is a number'),
    ("go.mod", "module x\nrequire (\n\tgithub.com/x/y v1.0.0\n", r"^unterminated require \( block$"),
    ("go.mod", "require github.com/x/y\n", r"^line 1: expected 'require module version'$"),
    ("go.mod", "require github.com/x/y 1.0.0\n", r"^line 1: '1\.0\.0' is not a version \(vX\.Y\.Z\)$"),
    ("go.mod", "replace a b\n", r"^line 1: expected 'replace module \[version\] => target \[version\]'$"),
    ("go.sum", "github.com/x/y v1.0.0\n", r"^line 1: expected 'module version hash'$"),
    ("pom.xml", "<project><dependencies>", r"^invalid XML at line 1: no element found$"),
    ("pom.xml", "<project><dependencies><dependency><groupId>g</groupId></dependency></dependencies></project>",
     r"^line 1: <dependency> without groupId or artifactId$"),
    ("build.gradle", "dependencies {\n  /* implementation 'a:b:1'\n}", r"^unterminated /\* comment$"),
    ("libs.versions.toml", '[libraries]\nopenai = { module = "com.openai:openai-java", version.ref = "nope" }\n',
     r"^library 'openai': unknown version\.ref 'nope'$"),
    ("libs.versions.toml", '[libraries]\nopenai = "openai-java"\n',
     r"^library 'openai': 'openai-java' is not 'group:artifact'$"),
    ("libs.versions.toml", "[libraries\n", r"^invalid TOML: "),
    ("Cargo.toml", "[dependencies]\nopenai = 5\n", r"^\[dependencies\] openai is a number, expected a mapping$"),
    ("Cargo.toml", "[dependencies]\ntokio = { features = \"full\" }\n",
     r"^\[dependencies\] tokio features is a string, expected a list$"),
    ("Cargo.lock", 'version = 3\n[[package]]\nversion = "1.0.0"\n', r"^a \[\[package\]\] name is missing$"),
    ("Gemfile", "gem \"ruby-openai\n", r"^line 1: unterminated gem name$"),
    ("Gemfile.lock", "GEM\n  specs:\n    ruby-openai\n", r"^line 3: expected '    name \(version\)' in specs$"),
    ("Gemfile.lock", "DEPENDENCIES\n  ruby-openai (~> 7\n",
     r"^line 2: expected '  name \(constraint\)' in DEPENDENCIES$"),
    ("App.csproj", "<Project><ItemGroup></Project>", r"^invalid XML at line 1: mismatched tag$"),
    ("App.csproj", "<Project><a:b/></Project>", r"^invalid XML at line 1: unbound prefix$"),
    ("packages.config", '<packages><package version="1.0.0"/></packages>', r"^line 1: <package> without id$"),
    ("composer.json", '{"require": {"openai-php/client": ["^0.10"]}}',
     r'^"require" "openai-php/client" is a list, expected a string$'),
    ("composer.lock", '{"packages": [{"version": "1.0.0"}]}', r'^"packages" #1 name is missing$'),
])
def test_malformed_input_is_a_parse_error(relpath, text, message):
    assert re.search(message, fails(relpath, text)), fails(relpath, text)


@pytest.mark.parametrize("relpath, text, message", [
    ("package.json", "[1, 2]", "the top level is a list, expected a mapping"),
    ("package-lock.json", '{"name": "x", "dependencies": {}}', 'no "lockfileVersion": not an npm lockfile'),
    ("yarn.lock", "This project uses yarn.\nRun yarn install.\n", "line 1: expected a 'name@range:' entry header"),
    ("pnpm-lock.yaml", "name: x\ndependencies:\n  openai: ^4\n", 'no "lockfileVersion": not a pnpm lockfile'),
    ("bun.lock", '{"name": "x", "dependencies": {"openai": "^4"}}', 'no "lockfileVersion": not a bun.lock'),
    ("go.mod", "# Modules\n\nSee go.dev.\n", "line 1: unknown directive '#'"),
    ("go.sum", "this file lists checksums\n", "line 1: expected 'module version hash'"),
    ("pom.xml", "<html><body>pom</body></html>", "root element is <html>, not <project>: not a Maven POM"),
    ("Cargo.toml", 'dependencies = ["openai"]\n', "[dependencies] is a list, expected a mapping"),
    ("Cargo.lock", "[metadata]\nnote = 'x'\n", "no version or [[package]]: not a Cargo.lock"),
    ("Gemfile.lock", "gems:\n  - ruby-openai\n", "line 1: expected a section name such as GEM or DEPENDENCIES"),
    ("App.csproj", "<package><metadata><id>x</id></metadata></package>",
     "root element is <package>, not <Project>: not an MSBuild project"),
    ("packages.config", "<configuration><appSettings/></configuration>",
     "root element is <configuration>, not <packages>: not a packages.config"),
    ("composer.json", "[]", "the top level is a list, expected a mapping"),
    ("composer.lock", '{"name": "x"}', 'no "packages" or "content-hash": not a composer.lock'),
])
def test_something_else_under_the_name_is_a_parse_error(relpath, text, message):
    assert fails(relpath, text) == message


@pytest.mark.parametrize("relpath, text", [
    ("package.json", '{"name": "vscode-ext", "contributes": {"commands": []}}'),
    ("build.gradle.kts", 'rootProject.name = "chat"\ninclude(":app")\n'),
    ("libs.versions.toml", '[versions]\nopenai = "0.8.0"\n'),
    ("Cargo.toml", '[project]\nname = "x"\ndependencies = ["openai"]\n'),  # a pyproject.toml's [project]
    ("Gemfile", 'import openai\nprint("gem openai")\n'),
    ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
])
def test_something_else_without_dependencies_gives_nothing(relpath, text):
    assert run(relpath, text) == []


# --- XML safety -----------------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<{root}><x>&lol9;</x></{root}>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<{root}><x>&xxe;</x></{root}>"""
PARAMETER_ENTITY = """<?xml version="1.0"?>
<!doctype {root} [<!entity % remote SYSTEM "http://example.invalid/evil.dtd"> %remote;]>
<{root}/>"""


@pytest.mark.parametrize("relpath", XML_FILES)
@pytest.mark.parametrize("attack", [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY])
def test_xml_with_dtd_or_entities_is_refused(relpath, attack):
    root = {"pom.xml": "project", "packages.config": "packages"}.get(relpath, "Project")
    assert fails(relpath, attack.replace("{root}", root)) == "DOCTYPE/entity declarations are not allowed"


def test_xml_dtd_is_refused_by_the_parser_too():
    with patch.object(_xml, "_DECLARATION") as never:
        never.search.return_value = None
        assert fails("pom.xml", EXTERNAL_ENTITY.replace("{root}", "project")) == _xml.REFUSED


# --- helpers --------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, options, expected", [
    ("1.2.3", {}, "1.2.3"),
    ("1.2", {"parts": 3}, None),  # npm: a range
    ("=v1.2.3", {"prefixes": ("=v", "=", "v"), "parts": 3}, "1.2.3"),
    ("1.2.x", {}, None),
    ("1.0.x-dev", {}, None),
    ("^1.2.3", {}, None),
    ("1.2.3", {"prefixes": ("=",), "bare": False}, None),  # Cargo: a caret range
    ("= 1.2.3", {"prefixes": ("=",), "bare": False}, "1.2.3"),
    ("[4.4.1]", {"brackets": True}, "4.4.1"),
    ("[4.4,5)", {"brackets": True}, None),
    ("7.1.0.beta1", {}, "7.1.0.beta1"),
    ("1.0.0-beta.17+build.5", {}, "1.0.0-beta.17+build.5"),
    ("${openai.version}", {}, None),
    (None, {}, None),
])
def test_pinned_version(spec, options, expected):
    assert pinned_version(spec, **options) == expected


def test_json_positions_follow_key_paths_and_fall_back_to_parents():
    data, positions = json_document('{\n  "a": {"b": [1, {"c": 2}]},\n  "b": 3\n}')
    assert data == {"a": {"b": [1, {"c": 2}]}, "b": 3}
    assert positions.at("a", "b", 1, "c") == (2, 20)
    assert positions.at("b") == (3, 4)
    assert positions.at("a", "zzz") == (2, 4)
    assert Positions({}).at("x") == (1, 1)


def test_yaml_alias_bomb_is_refused_while_composed():
    """Refused at the alias that passes the limit (tests/test_hostile_yaml.py has the rest)."""
    text = "lockfileVersion: '9.0'\nx0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"x{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n"
        for i in range(1, 30))
    start = time.perf_counter()
    with pytest.raises(ParseError, match="YAML aliases repeat more than"):
        run("pnpm-lock.yaml", text)
    assert time.perf_counter() - start < 10  # a hang guard: the bomb took minutes and gigabytes


@pytest.mark.slow
@pytest.mark.parametrize("relpath, text", [
    ("build.gradle", "implementation" + " " * 50000 + "x"),
    ("build.gradle", "implementation group:" * 5000),
    ("build.gradle", '"' + '\\"' * 50000),
    ("bun.lock", "'" + "\\'" * 50000 + "\\"),
    ("Gemfile", "gem" + " " * 50000 + "x"),
    ("Gemfile", "x do" + " " * 50000 + "x"),
    ("Gemfile", "gem 'a'" + ", '1'" * 50000),
    ("App.csproj", "<Project><ItemGroup>" + "\n  <PackageReference Include='A' Version='1.0.0'/>" * 20000
     + "</ItemGroup></Project>"),
])
def test_hostile_input_takes_linear_time(relpath, text):
    start = time.perf_counter()
    try:
        run(relpath, text)
    except ParseError:
        pass
    assert time.perf_counter() - start < 30  # a hang guard: quadratic scans took minutes on larger inputs


# --- any input: dependencies or a ParseError, nothing else ------------------------------------------

@st.composite
def texts(draw, seed: str):
    """Arbitrary text, or the fixture with a few random cuts and insertions."""
    if draw(st.booleans()):
        return draw(st.text())
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(seed)))
        end = draw(st.integers(start, min(len(seed), start + 30)))
        seed = seed[:start] + draw(st.text(alphabet=st.sampled_from('{}[]":,\'/*\n #@=()<>!$-.0v'), max_size=8)
                                   | st.text(max_size=8)) + seed[end:]
    return seed


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.EXTRACTOR.name)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_text_gives_dependencies_or_a_parse_error(module, data):
    relpath = MODULES[module]
    text = data.draw(texts((FIXTURES / relpath).read_text(encoding="utf-8")))
    try:
        deps = list(module.EXTRACTOR.extract(relpath, text))
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for dep in deps:
        assert isinstance(dep, Dependency) and dep.ecosystem == module.EXTRACTOR.ecosystem
        assert isinstance(dep.name, str) and isinstance(dep.specifier, str)
        assert 1 <= dep.line <= len(text.splitlines()) + 1 and dep.column >= 1
