"""The platform's money rules: the trainee's service fee and the commission on the price.

Amounts are integers in minor units (cents), as Stripe counts; rates are basis points
(1 % = 100 bp) so that no float ever touches money. Rounding is half up, once per charge.
"""

from __future__ import annotations

from dataclasses import dataclass


def basis_points(percent: float) -> int:
    """A percentage from the configuration (``10`` or ``12.5``) as basis points."""
    if not 0 <= percent <= 100:
        raise ValueError(f"A fee percentage must be between 0 and 100, not {percent}.")
    return round(percent * 100)


def share(amount: int, rate_bp: int) -> int:
    """``rate_bp`` of ``amount``, rounded half up to the minor unit."""
    return (amount * rate_bp + 5_000) // 10_000


@dataclass(frozen=True)
class FeePolicy:
    """What the platform takes: a service fee on top of the price (paid by the trainee, never
    refunded) and a commission out of the price (the expert's share is the rest)."""

    service_fee_bp: int = 500
    platform_fee_bp: int = 1_000

    def service_fee(self, price: int) -> int:
        """What the trainee pays on top of ``price``."""
        return share(price, self.service_fee_bp)

    def platform_fee(self, price: int) -> int:
        """The platform's commission on ``price``."""
        return share(price, self.platform_fee_bp)

    def expert_share(self, price: int) -> int:
        """What the expert is owed for ``price`` kept."""
        return price - self.platform_fee(price)


def decimal_text(amount: int) -> str:
    """Minor units as a plain decimal, sign included: ``-450.00`` (two-decimal currencies)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount) // 100}.{abs(amount) % 100:02d}"


def money_text(amount: int, currency: str) -> str:
    """Minor units as people read them in a message: ``472.50 EUR``."""
    return f"{decimal_text(amount)} {currency.upper()}"
