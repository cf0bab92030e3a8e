"""Genesys Cloud regions and their API hosts."""
from __future__ import annotations

from enum import Enum


class PureCloudRegionHosts(Enum):
    """Each region's API base URL; ``get_api_host()`` / ``get_login_host()``."""

    us_east_1 = "https://api.mypurecloud.com"
    eu_west_1 = "https://api.mypurecloud.ie"
    ap_southeast_2 = "https://api.mypurecloud.com.au"
    ap_northeast_1 = "https://api.mypurecloud.jp"
    eu_central_1 = "https://api.mypurecloud.de"
    us_west_2 = "https://api.usw2.pure.cloud"
    ca_central_1 = "https://api.cac1.pure.cloud"
    ap_northeast_2 = "https://api.apne2.pure.cloud"
    eu_west_2 = "https://api.euw2.pure.cloud"
    ap_south_1 = "https://api.aps1.pure.cloud"
    us_east_2 = "https://api.use2.us-gov-pure.cloud"
    sa_east_1 = "https://api.sae1.pure.cloud"
    me_central_1 = "https://api.mec1.pure.cloud"
    ap_northeast_3 = "https://api.apne3.pure.cloud"
    eu_central_2 = "https://api.euc2.pure.cloud"
    mx_central_1 = "https://api.mxc1.pure.cloud"
    ap_southeast_1 = "https://api.apse1.pure.cloud"
    eusc_de_east_1 = "https://api.edee1.eusc-pure.cloud"

    def __init__(self, apihost: str) -> None:
        self.apihost = apihost

    def get_api_host(self) -> str:
        return str(self.value)

    def get_login_host(self) -> str:
        return login_host_for(str(self.value))


def login_host_for(api_host: str) -> str:
    """The login host that belongs to an API host: ``https://api.X`` -> ``https://login.X``."""
    scheme, sep, rest = api_host.partition("://")
    if not sep:
        scheme, rest = "", api_host
    if rest.startswith("api."):
        rest = "login." + rest[4:]
    return f"{scheme}{sep}{rest}"
