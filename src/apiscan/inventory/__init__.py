"""The landscape: gateway exports and API descriptions read together, then reconciled."""

from apiscan.inventory.landscape import Landscape, RouteView, ScopeItem  # noqa: F401
from apiscan.inventory.scan import LandscapeScan, scan_landscape  # noqa: F401
