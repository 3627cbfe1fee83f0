"""Euro amounts written the Italian way, short enough for a phone."""

from __future__ import annotations


def euro(value: float) -> str:
    """1500000 → "1,5 milioni di euro"; 900000 → "900.000 euro"; 1200000000 → "1,2 miliardi di euro"."""
    for size, one, many in ((1e9, "miliardo", "miliardi"), (1e6, "milione", "milioni")):
        if abs(value) >= size:
            number = f"{value / size:.2f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{number} {one if number == '1' else many} di euro"
    whole = f"{value:,.2f}".removesuffix(".00")
    return whole.replace(",", " ").replace(".", ",").replace(" ", ".") + " euro"
