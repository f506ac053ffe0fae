"""IP address spaces for Local Network Access (WICG ``local-network-access``, §2.1).

``loopback`` is more private than ``local``, which is more private than ``public``. A
request from a page in a more public space to a resource in a more private one is a
*local network request*: Chromium 142+ asks the user for permission (secure pages only);
Chromium 104-141 (Private Network Access) sent a preflight instead.

Chromium 156 enforces less than the spec: ``local`` and ``loopback`` count as one space
(``IsLessPublicAddressSpaceLNA`` in services/network/public/cpp/ip_address_space_util.cc), so
only ``public`` -> ``local``/``loopback`` is checked; a ``local`` page reaches ``loopback``
freely (tests/browser/test_local_network.py, ``insecure-local-page-to-loopback``).
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Literal

AddressSpace = Literal["loopback", "local", "public"]

# Blink's IPAddressSpace enum for fetch()'s targetAddressSpace (request_init.idl) still has the
# PNA-era names: "private" is read as "local" and "unknown" as no target at all
# (tests/browser/test_local_network.py, ``target-private-*`` and ``target-unknown``).
_TARGET_ADDRESS_SPACES: dict[str, AddressSpace | None] = {
    "loopback": "loopback",
    "local": "local",
    "private": "local",
    "public": "public",
    "unknown": None,
}

_RANK = {"loopback": 0, "local": 1, "public": 2}

# Chromium's table (NonPublicAddressSpaceMap in ip_address_space_util.cc), not the spec's: the
# spec also lists 198.18.0.0/15 as loopback, Chromium has no entry for it, so it is public.
# (Not observable here: Chromium classifies the address it connected to, always 127.0.0.1.)
_LOOPBACK = [ipaddress.ip_network(n) for n in ("127.0.0.0/8", "::1/128", "0.0.0.0/32", "::/128")]
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
    """True when ``resource`` is in a strictly more private space than ``client`` (the spec's
    order, which Private Network Access enforced)."""
    return _RANK.get(resource, 2) < _RANK.get(client, 2)


def is_local_network_request(resource: str, client: str) -> bool:
    """Whether Chromium 156's Local Network Access checks the request: ``resource`` is
    ``local`` or ``loopback`` and ``client`` is ``public`` (see the module docstring)."""
    return _RANK.get(resource, 2) < 2 <= _RANK.get(client, 2)


def target_address_space(value: str | None) -> AddressSpace | None:
    """The address space a fetch() ``targetAddressSpace`` value asks for; None for no target.

    Raises ValueError for a value fetch() rejects (see :func:`target_address_space_type_error`).
    """
    if value is None:
        return None
    if value not in _TARGET_ADDRESS_SPACES:
        raise ValueError(value)
    return _TARGET_ADDRESS_SPACES[value]


def target_address_space_type_error(value: str | None) -> str | None:
    """The TypeError fetch() throws for a ``targetAddressSpace`` outside Blink's enum, or None.

    WebIDL converts the RequestInit dictionary before the Request constructor runs, so this
    comes before any other argument error.
    """
    if value is None or value in _TARGET_ADDRESS_SPACES:
        return None
    return (
        "Failed to execute 'fetch' on 'Window': Failed to read the 'targetAddressSpace' "
        f"property from 'RequestInit': The provided value '{value}' is not a valid enum value "
        "of type IPAddressSpace."
    )
