"""Rule 15: views and API modules reach people's records through scoped selectors, not `.objects`.

Prints each `Person.objects` (and other personal-record models) used in a view or API module
that is not in the allowlist, and exits 1 if there is any.
"""

import re
import sys
from pathlib import Path

SENSITIVE = (
    "Person",
    "Alert",
    "Risk",
    "Contact",
    "Involvement",
    "ChronologyEntry",
    "Service",
    "WorkItem",
    "MergeRecord",
    "Concern",
    "Enquiry",
    "StrategyDiscussion",
    "EnquiryAction",
    "ConcernShare",
    "DolsRequest",
    "Assessment",
    "Authorisation",
    "CourtCase",
    "Plan",
    "Gap",
    "Referral",
    "UnsafeDischargeReport",
    "YoungPerson",
    "Incident",
    "AffectedPerson",
    "ProviderConcern",
    "Vacancy",
    "AidRequest",
    "AidOffer",
    "Disclosure",
)
# file -> reason it may use the manager directly
ALLOWLIST = {
    "safepathways/people/views.py": "declare(): finds the person to ask why; no personal data beyond the name is shown",
    "safepathways/people/api.py": "list with no query: Person.objects.with_relationship_to(user) is itself the scope",
    "safepathways/governance/views.py": "information governance looks up a record by reference to read its access log",
    "safepathways/work/views.py": "a work item is fetched by id, then resolve_access decides (relationship or list)",
    "safepathways/work/api.py": "as work/views.py: _entry_for() fetches by id and applies resolve_access",
}
PATTERN = re.compile(rf"\b({'|'.join(SENSITIVE)})\.objects\b")


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    problems = []
    for path in sorted((root / "safepathways").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if "/tests/" in relative or not (path.name in {"views.py", "api.py"} or "/views/" in relative):
            continue
        if relative in ALLOWLIST:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if PATTERN.search(line):
                problems.append(f"{relative}:{number}: {line.strip()}")
    for problem in problems:
        print(problem)  # noqa: T201
    if problems:
        print("Use a scoped selector (rule 15) or add the file to the allowlist with a reason.")  # noqa: T201
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
