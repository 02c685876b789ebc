"""Gateway importers, one module per vendor, each detected by content (no flags needed).

See `base.py` for the contract. `IMPORTER_MODULES` lists them in detection order: the more
specific formats first (an AWS or IBM export is also OpenAPI; a Tyk OAS definition too).
"""

IMPORTER_MODULES = (
    "apiscan.sources.gateways.kong",
    "apiscan.sources.gateways.apigee",
    "apiscan.sources.gateways.aws",
    "apiscan.sources.gateways.azure_apim",
    "apiscan.sources.gateways.ibm_apic",
    "apiscan.sources.gateways.webmethods",
    "apiscan.sources.gateways.mulesoft",
    "apiscan.sources.gateways.wso2",
    "apiscan.sources.gateways.tyk",
)
