"""provider-audit: find where a codebase is hard-wired to one LLM provider."""

__version__ = "0.1.0"
