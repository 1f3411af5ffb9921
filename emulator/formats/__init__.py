"""Bounded parsing and the package's own data: the bottom layer.

``safeparse`` reads every untrusted document (JSON, YAML, forms) within size,
depth and alias limits; ``jsoncodec`` writes JSON answers; ``packagedata`` reads
the package's YAML once per content; ``cachedir`` says where rebuildable caches
live and writes them atomically.

May import: the standard library and third-party libraries only, never another
``emulator`` package.
"""
