"""PLM amounts: wei (an int, or a decimal string from the node) to text, exactly. Never floats for money."""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Optional, Union

WEI_PER_PLM = 10**18
UNKNOWN = "—"

WeiLike = Union[int, str, None]


def parse_wei(value: WeiLike) -> Optional[int]:
    """An exact non-negative integer of wei, or None when unknown or malformed (never guessed)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = str(value).strip()
    if not text.isdigit():
        return None
    return int(text)


def format_plm(value: WeiLike, places: int = 4, unit: bool = True) -> str:
    """``1234500000000000000`` → ``"1.2345 PLM"``: rounded down (never show more than is there),
    trailing zeros trimmed, "—" when unknown. An amount that is not zero never prints as a bare 0."""
    wei = parse_wei(value)
    if wei is None:
        return UNKNOWN
    suffix = " PLM" if unit else ""
    try:
        plm = (Decimal(wei) / Decimal(WEI_PER_PLM)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    except InvalidOperation:
        return UNKNOWN
    if wei > 0 and plm == 0:
        return f"< {Decimal(1).scaleb(-places)}{suffix}"
    text = format(plm, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    # Thousands separators on the whole part only.
    whole, _, frac = text.partition(".")
    whole = f"{int(whole):,}"
    return f"{whole}.{frac}{suffix}" if frac else f"{whole}{suffix}"


def format_plm_exact(value: WeiLike) -> str:
    """Every digit, for a claim result or a tooltip: ``"1.000000000000000001 PLM"``."""
    wei = parse_wei(value)
    if wei is None:
        return UNKNOWN
    whole, frac = divmod(wei, WEI_PER_PLM)
    frac_text = f"{frac:018d}".rstrip("0")
    return f"{whole:,}.{frac_text} PLM" if frac_text else f"{whole:,} PLM"


def wei_to_plm_decimal(value: WeiLike) -> Optional[Decimal]:
    """Exact Decimal PLM (for charts' axes: plotting needs a number, money math never uses it)."""
    wei = parse_wei(value)
    return None if wei is None else Decimal(wei) / Decimal(WEI_PER_PLM)
