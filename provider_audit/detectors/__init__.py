"""Detectors: one per source kind, each turning a file's text into evidence.

Manifests and lockfiles go through ``provider_audit.extractors`` instead.
"""
