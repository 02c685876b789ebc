"""Pure data shared by every stage. Nothing here imports the rest of apiscan.

Findings and errors live in `findings`; the gateway inventory records in `gateway`.
"""

from apiscan.models.findings import (  # noqa: F401
    Finding,
    Location,
    RuleInfo,
    ScanError,
    ScanResult,
    Severity,
    Subject,
    Suppression,
    DocumentInfo,
)
