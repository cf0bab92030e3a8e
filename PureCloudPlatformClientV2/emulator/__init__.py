"""A local emulator of Genesys Cloud (login host, API host, notifications) for tests.

Needs the ``emulator`` extra (aiohttp, cryptography). Nothing in the SDK imports this
package; import it from tests::

    from PureCloudPlatformClientV2.emulator import Emulator

    with Emulator(seed_users=3) as emu:
        ...  # point the SDK at emu.base_url / emu.login_url with emu.client_id / emu.client_secret
"""
from __future__ import annotations

from .runner import Emulator

__all__ = ["Emulator"]
