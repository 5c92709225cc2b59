"""Display wording for mutual aid: status tags and what each side's trail says."""

from typing import Any

from safepathways.mutual_aid.models import AID_UNITS, Direction, OfferStatus, RequestStatus

STATUS_TAG_CLASSES: dict[str, str] = {
    RequestStatus.SENT: "govuk-tag--blue",
    RequestStatus.RECEIVED: "govuk-tag--blue",
    RequestStatus.OFFERED: "govuk-tag--yellow",
    RequestStatus.ACCEPTED: "govuk-tag--green",
    RequestStatus.FULFILLED: "govuk-tag--grey",
    RequestStatus.WITHDRAWN: "govuk-tag--grey",
    RequestStatus.DECLINED: "govuk-tag--grey",
}
OFFER_TAG_CLASSES: dict[str, str] = {
    OfferStatus.OFFERED: "govuk-tag--yellow",
    OfferStatus.ACCEPTED: "govuk-tag--green",
    OfferStatus.DECLINED: "govuk-tag--grey",
    OfferStatus.WITHDRAWN: "govuk-tag--grey",
}


def status_tag(status: str) -> dict[str, str]:
    return {"text": RequestStatus(status).label, "classes": STATUS_TAG_CLASSES.get(status, "")}


def offer_tag(status: str) -> dict[str, str]:
    return {"text": OfferStatus(status).label, "classes": OFFER_TAG_CLASSES.get(status, "")}


def direction_label(direction: str) -> str:
    return "Asked by us" if direction == Direction.OUTGOING else "Asked of us"


def unit(kind: str) -> str:
    return AID_UNITS.get(kind, "")


TEMPLATE_HELPERS: dict[str, Any] = {
    "status_tag": status_tag,
    "offer_tag": offer_tag,
    "direction_label": direction_label,
    "unit": unit,
}
