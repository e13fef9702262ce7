"""What the marketplace owes experts: their own report, and the admin's export."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.context import attachment, current_user, deps
from api.docs import secured
from core.services import ledger
from schemas.payments import PayoutReportOut, PeriodArgs

PREFIX = ""
blp = Blueprint("payouts", __name__, description="Payouts to experts, from the ledger")


@blp.route("/me/payouts")
class MyPayouts(MethodView):
    @blp.arguments(PeriodArgs, location="query")
    @blp.response(200, PayoutReportOut)
    @secured(blp)
    def get(self, period: dict[str, Any]) -> Any:
        """What I earned over a period, per currency, with every payment and refund behind it (expert)."""
        checked = ledger.check_period(period["start"], period["end"])
        totals, entries = ledger.my_payouts(deps(), current_user(), checked)
        return {"start": checked.start, "end": checked.end, "totals": totals, "entries": entries}


@blp.route("/admin/payouts.csv")
class PayoutExport(MethodView):
    @blp.arguments(PeriodArgs, location="query")
    @blp.response(200, description="CSV, one row per expert and currency", content_type="text/csv")
    @secured(blp)
    def get(self, period: dict[str, Any]) -> Any:
        """Every expert's payout over a period, as CSV for the accountant (admin)."""
        checked = ledger.check_period(period["start"], period["end"])
        body = ledger.payouts_csv(deps(), current_user(), checked)
        name = f"payouts-{checked.start.date()}-{checked.end.date()}.csv"
        return attachment(body, "text/csv", name)
