"""Functions whose module is imported on first call: start-up stays light when they are not needed
(a scan served from the cache runs no detector; a report needs one formatter of five)."""

from __future__ import annotations

import importlib
from typing import Any, Callable, Optional


class LazyFunction:
    """``module.name``, imported when first called (or resolved)."""

    def __init__(self, module: str, name: str):
        self.module = module
        self.name = name
        self._function: Optional[Callable[..., Any]] = None

    def resolve(self) -> Callable[..., Any]:
        if self._function is None:
            self._function = getattr(importlib.import_module(self.module), self.name)
        return self._function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<lazy {self.module}.{self.name}>"
