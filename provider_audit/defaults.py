"""Names the command line shows before any of the scan pipeline loads (``cli.py`` imports this module,
not theirs): the environment variables provider-audit reads and the baseline file it looks for. The
modules that use them (``scanning/cache.py``, ``scanning/parallel.py``, ``feed/store.py``,
``findings/baseline.py``) take them from here."""

CACHE_DIR_ENV = "PROVIDER_AUDIT_CACHE_DIR"  # where the cache of per-file results lives
NO_CACHE_ENV = "PROVIDER_AUDIT_NO_CACHE"  # set: neither read nor write that cache
JOBS_ENV = "PROVIDER_AUDIT_JOBS"  # processes to scan with (0: automatic, 1: serial)
DATA_DIR_ENV = "PROVIDER_AUDIT_DATA_DIR"  # where `rules update` installs rules bundles
DEFAULT_BASELINE = ".provider-audit-baseline.json"  # used when present at the scan root and none is named
