"""The emulated APIs' published documents as checks: XSD and JSON Schema checkers
built once (``schemacheck``), XSD -> JSON Schema for the OpenAPI documents
(``xsd_jsonschema``), and ``--contract warn|strict`` (``check``), the pipeline
step that judges each answer as it leaves.

May import: ``emulator.world`` and everything below it.
"""
