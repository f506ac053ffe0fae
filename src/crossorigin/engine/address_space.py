"""IP address spaces for Local Network Access (WICG ``local-network-access``, §2.1).

``loopback`` is more private than ``local``, which is more private than ``public``. A
request from a page in a more public space to a resource in a more private one is a
*local network request*: Chromium 142+ asks the user for permission (secure pages only);
Chromium 104-141 (Private Network Access) sent a preflight instead.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Literal

AddressSpace = Literal["loopback", "local", "public"]

_RANK = {"loopback": 0, "local": 1, "public": 2}

_LOOPBACK = [
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "::1/128", "0.0.0.0/32", "::/128", "198.18.0.0/15")
]
_LOCAL = [
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "100.64.0.0/10",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "0.0.0.0/8",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "2001:db8::/32",
        "3fff::/20",
    )
]


def address_space_of_ip(address: str) -> AddressSpace | None:
    """The address space of an IP literal (brackets allowed); None for a host name."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in _LOOPBACK):
        return "loopback"
    if any(ip in net for net in _LOCAL):
        return "local"
    return "public"


@functools.lru_cache(maxsize=1024)
def address_space_of_host(host: str) -> AddressSpace | None:
    """IP literals by the table; ``localhost`` names are loopback; other names unknown."""
    space = address_space_of_ip(host)
    if space is not None:
        return space
    lowered = host.lower().rstrip(".")
    if lowered == "localhost" or lowered.endswith(".localhost"):
        return "loopback"
    return None


def is_more_private(resource: str, client: str) -> bool:
    """True when ``resource`` is in a strictly more private space than ``client``."""
    return _RANK.get(resource, 2) < _RANK.get(client, 2)
