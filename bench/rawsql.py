"""The SQL each page needs, written by hand and run with psycopg: the floor each page is compared with.

What "raw SQL" includes for a signed-in page (the same statements the request runs, in order):

  1. read the session row                      (SessionMiddleware)
  2. read the user with their memberships, teams and organisations, in one query
     (AuthenticationMiddleware through accounts.backends.EmailBackend.get_user; the id is known, not decoded)
  3. the page's own data (timed separately as "data"):
       search: the candidate query of selectors.search_people (same filter, order and LIMIT 500)
       person page: the person, the relationship check, the access-log INSERT and the 8 reads
         of selectors.person_page (chronology, alerts, services, work, risks, contacts,
         professionals, chronology categories)
       waiting list: the team filter's check (when filtered), the count, the team and
         neighbourhood options of the filter form, and the page of 50 rows with their joins
       duty view: the team options, the count of unallocated items of the user's teams, and the
         first page of 50
       dashboard: the team options, the waiting rows (priority and request time), the 12-week
         trend in one aggregate, open breaches by kind, allocations and hand-offs this week,
         and the people most handed off
       DoLS tracker: the settings row, the waiting counts, the first page of 50 waiting by priority
         then due date (the tracker's columns only), the authorisation counts in one aggregate, the
         forecast's rate and expiries by day, the court reviews due, then the three authorisation
         lists (50 each)
       safeguarding dashboard: the open enquiries' start dates, three concern counts, the count of
         front-door safeguarding work with no concern, and the three lists (50 each)

A signed-in session is written at most once a minute (accounts.middleware.SlidingSessionMiddleware), so a
steady-state request does not write it, and neither does raw SQL (the page's client writes it about once in every
few hundred measured requests, which the median does not see).

The second-factor middleware looks for an authenticator only on a session's first request (it
remembers the answer in the session), so steady-state requests do not, and neither does raw SQL.

An API request with a token (GET /api/v1/matches/) has no session: it reads the token with its
user, stamps the token's last use (UPDATE, autocommit), reads the memberships, then runs one
indexed block query per kind of evidence given, as referrals.matching.find_candidates does.

Rows are fetched (every column the ORM fetches) but not turned into objects; ranking by
rapidfuzz, the dashboard's arithmetic and template rendering are not part of raw SQL. The
connection binds parameters on the client (psycopg.ClientCursor), as Django's PostgreSQL backend
does by default, in autocommit mode.
"""

import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
from django.conf import settings

from safepathways.people.models import name_key

SEARCH_CANDIDATES = 500  # selectors.SEARCH_LIMIT * 10
CHRONOLOGY_PAGE = 50
LONDON = ZoneInfo("Europe/London")

SESSION_SQL = (
    "SELECT session_key, session_data, expire_date FROM django_session WHERE expire_date > %s AND session_key = %s"
)
USER_WITH_MEMBERSHIPS_SQL = (
    "SELECT m.team_id, t.kind, m.*, u.*, t.*, o.* FROM accounts_membership m"
    " JOIN accounts_user u ON u.id = m.user_id"
    " JOIN accounts_team t ON t.id = m.team_id"
    " JOIN accounts_organisation o ON o.id = t.organisation_id"
    " WHERE m.user_id = %s ORDER BY m.created_at"
)
MEMBERSHIPS_SQL = (
    "SELECT m.team_id, t.kind, m.*, t.*, o.* FROM accounts_membership m"
    " JOIN accounts_team t ON t.id = m.team_id"
    " JOIN accounts_organisation o ON o.id = t.organisation_id"
    " WHERE m.user_id = %s"
)

CANDIDATES_SQL = (  # the columns search ranks and shows (people.selectors.SEARCH_COLUMNS), merged records left out
    "SELECT p.id, p.reference, p.given_name, p.family_name, p.preferred_name, p.date_of_birth, p.address_line_1,"
    " p.postcode, p.is_restricted FROM people_person p WHERE p.merged_into_id IS NULL AND {where}"
    " ORDER BY p.family_name, p.given_name, p.id LIMIT %s"
)

PERSON_SQL = (  # with the gender's label from the code list (people.PersonQuerySet.with_gender_label)
    "SELECT p.*, n.*, (SELECT g.label FROM people_gendercode g WHERE g.code = p.gender LIMIT 1)"
    " FROM people_person p LEFT JOIN people_neighbourhood n ON n.id = p.neighbourhood_id WHERE p.id = %s"
)
TEAM_WORK_SQL = (
    "SELECT 1 FROM work_workitem WHERE person_id = %s AND closed_at IS NULL"
    " AND (team_id = ANY(%s) OR allocated_to_id = %s) LIMIT 1"
)
TEAM_SERVICE_SQL = (  # a service not yet ended, planned ones included (people.selectors._TEAM_SERVICES)
    "SELECT 1 FROM providers_service WHERE person_id = %s AND team_id = ANY(%s)"
    " AND (end_on IS NULL OR end_on >= %s) LIMIT 1"
)
GRANT_SQL = (  # the benchmark person is never restricted: for one that is, resolve_access also asks for break-glass
    "SELECT g.* FROM people_accessgrant g WHERE g.user_id = %s AND g.person_id = %s"
    " AND g.expires_at > %s AND g.revoked_at IS NULL ORDER BY g.expires_at DESC LIMIT 1"
)
ACCESS_LOG_SQL = (
    "INSERT INTO audit_accessevent (occurred_at, user_id, person_id, kind, basis, what, grant_id)"
    " VALUES (%s, %s, %s, 'view', 'relationship', 'person page', NULL) RETURNING id"
)
CHRONOLOGY_SQL = (
    "SELECT c.* FROM people_chronologyentry c WHERE c.person_id = %s ORDER BY c.occurred_at DESC, c.id DESC LIMIT %s"
)
ALERTS_SQL = (
    "SELECT a.*, u.* FROM people_alert a JOIN accounts_user u ON u.id = a.owner_id"
    " WHERE a.person_id = %s AND a.ended_at IS NULL ORDER BY a.review_on"
)
SERVICES_SQL = (  # current and planned services in one query; the page splits them (people.selectors._SERVICES)
    "SELECT s.*, pr.*, l.*, t.* FROM providers_service s"
    " LEFT JOIN providers_provider pr ON pr.id = s.provider_id"
    " LEFT JOIN providers_location l ON l.id = s.location_id"
    " LEFT JOIN accounts_team t ON t.id = s.team_id"
    " WHERE s.person_id = %s AND (s.end_on IS NULL OR s.end_on >= %s) ORDER BY s.start_on DESC"
)
WORK_SQL = (
    "SELECT w.*, t.*, u.* FROM work_workitem w JOIN accounts_team t ON t.id = w.team_id"
    " LEFT JOIN accounts_user u ON u.id = w.allocated_to_id"
    " WHERE w.person_id = %s AND w.closed_at IS NULL ORDER BY w.due_on, w.opened_at"
)
RISKS_SQL = (
    "SELECT r.*, u.* FROM people_risk r JOIN accounts_user u ON u.id = r.owner_id"
    " WHERE r.person_id = %s AND r.closed_at IS NULL ORDER BY r.review_on"
)
CONTACTS_SQL = (
    "SELECT c.* FROM people_contact c WHERE c.person_id = %s AND c.ended_at IS NULL"
    " ORDER BY c.is_main_contact DESC, c.name"
)
INVOLVEMENTS_SQL = (
    "SELECT i.*, o.* FROM people_involvement i LEFT JOIN accounts_organisation o ON o.id = i.organisation_id"
    " WHERE i.person_id = %s AND (i.ended_on IS NULL OR i.ended_on >= %s) ORDER BY i.role, i.name"
)
CATEGORIES_SQL = "SELECT DISTINCT category FROM people_chronologyentry WHERE person_id = %s ORDER BY category"

# The central waiting list, the duty view and the dashboard (work.selectors, dashboards.selectors).
WAITING_KINDS = ["assessment", "ot_assessment", "review", "carers_assessment"]  # work.models.WAITING_LIST_KINDS
WORK_TEAM_KINDS = [  # work.selectors.WORK_TEAM_KINDS
    "neighbourhood",
    "ot_duty",
    "front_door",
    "hospital_social_work",
    "transitions",
    "out_of_hours",
]
WAITING_PAGE = 50  # work.views.PAGE_SIZE
DUTY_ROWS = 50  # work.views.PAGE_SIZE: the duty view is paged as the waiting list is
WAITING = "w.closed_at IS NULL AND w.allocated_to_id IS NULL AND w.kind = ANY(%s)"
PRIORITY_RANK = "CASE WHEN w.priority = 'red' THEN 0 WHEN w.priority = 'amber' THEN 1 ELSE 2 END"
COUNCIL_TEAMS_SQL = (
    "SELECT t.* FROM accounts_team t JOIN accounts_organisation o ON o.id = t.organisation_id"
    " WHERE t.kind = ANY(%s) AND o.is_this_council ORDER BY t.name"
)
NEIGHBOURHOODS_SQL = "SELECT n.* FROM people_neighbourhood n ORDER BY n.name"
WAITING_COUNT_SQL = "SELECT count(*) FROM work_workitem w WHERE " + WAITING + "{filters}"
# The page reads the ten columns a row shows (work.selectors.WAITING_COLUMNS).
WAITING_PAGE_SQL = (
    "SELECT w.id, p.given_name, p.family_name, n.name, w.kind, t.name, w.priority, w.opened_at,"
    " w.next_contact_due, w.allocation_due FROM work_workitem w"
    " JOIN people_person p ON p.id = w.person_id LEFT JOIN people_neighbourhood n ON n.id = p.neighbourhood_id"
    " JOIN accounts_team t ON t.id = w.team_id WHERE " + WAITING + "{filters}"
    " ORDER BY " + PRIORITY_RANK + ", w.opened_at, w.id LIMIT %s OFFSET 0"
)
DUTY_COUNT_SQL = (
    "SELECT count(*) FROM work_workitem w WHERE w.closed_at IS NULL AND w.allocated_to_id IS NULL"
    " AND w.team_id = ANY(%s)"
)
DUTY_SQL = (
    "SELECT w.*, " + PRIORITY_RANK + " AS priority_rank,"
    " CASE WHEN w.next_contact_due < %s THEN 1 ELSE 0 END AS is_contact_overdue,"
    " CASE WHEN w.allocation_due < %s THEN 1 ELSE 0 END AS is_allocation_overdue, t.*, p.*"
    " FROM work_workitem w JOIN accounts_team t ON t.id = w.team_id JOIN people_person p ON p.id = w.person_id"
    " WHERE w.closed_at IS NULL AND w.allocated_to_id IS NULL AND w.team_id = ANY(%s)"
    " ORDER BY is_allocation_overdue DESC, is_contact_overdue DESC, priority_rank, w.opened_at, w.id LIMIT %s"
)
DASHBOARD_TEAMS_SQL = (
    "SELECT t.* FROM accounts_team t JOIN accounts_organisation o ON o.id = t.organisation_id"
    " WHERE o.is_this_council AND (t.id IN (SELECT w.team_id FROM work_workitem w WHERE " + WAITING + "){chosen})"
    " ORDER BY t.name"
)
# The selector reads the waiting rows through the model's default ordering (due_on, opened_at); so does this.
DASHBOARD_WAITING_SQL = (
    "SELECT w.priority, (w.opened_at AT TIME ZONE 'Europe/London')::date AS day, count(*) FROM work_workitem w"
    " WHERE " + WAITING + "{team} GROUP BY 1, 2"
)
DASHBOARD_TEAMS_UNION_SQL = (
    "(SELECT t.* FROM accounts_team t JOIN accounts_organisation o ON o.id = t.organisation_id"
    " WHERE o.is_this_council AND t.id IN (SELECT w.team_id FROM work_workitem w WHERE " + WAITING + "))"
    " UNION (SELECT t.* FROM accounts_team t JOIN accounts_organisation o ON o.id = t.organisation_id"
    " WHERE o.is_this_council AND t.slug = %s) ORDER BY 5"
)
DASHBOARD_WEEK_SQL = (
    "count(*) FILTER (WHERE w.opened_at < %s AND (w.first_allocated_at IS NULL OR w.first_allocated_at >= %s)"
    " AND (w.closed_at IS NULL OR w.closed_at >= %s)),"
    " count(*) FILTER (WHERE w.first_allocated_at >= %s AND w.first_allocated_at < %s)"
)
DASHBOARD_TREND_SQL = "SELECT {weeks} FROM work_workitem w WHERE w.kind = ANY(%s){team}"
DASHBOARD_BREACHES_SQL = (
    "SELECT b.kind, count(*) FROM work_breach b{join} WHERE b.resolved_at IS NULL{team} GROUP BY b.kind"
)
DASHBOARD_ALLOCATED_SQL = (
    "SELECT count(*) FROM work_workitem w WHERE w.kind = ANY(%s){team} AND w.first_allocated_at >= %s"
)
DASHBOARD_HANDOFFS_SQL = "SELECT count(*) FROM work_handoff h WHERE {team}h.created_at >= %s"
DASHBOARD_TOP_SQL = (
    "SELECT h.person_id, p.given_name, p.family_name, count(*) FROM work_handoff h"
    " JOIN people_person p ON p.id = h.person_id WHERE {team}h.person_id IN"
    " (SELECT u.person_id FROM work_handoff u {uteam}GROUP BY 1 HAVING count(*) >= 3)"
    " GROUP BY 1, 2, 3 HAVING count(*) >= 3 ORDER BY 4 DESC, 3 LIMIT 10"
)
DASHBOARD_WEEKS = 12

# The continuity view (transitions.selectors.gap_counts, open_gaps; transitions.views.continuity).
CONTINUITY_PAGE = 50  # transitions.views.PAGE_SIZE
GAPS_BY_RULE_SQL = "SELECT g.rule, count(g.id) FROM transitions_gap g WHERE g.status = 'open' GROUP BY g.rule"
THIS_COUNCIL_TEAMS_SQL = (  # the continuity filter's options: an id and a name each (transitions.selectors)
    "SELECT t.id, t.name FROM accounts_team t JOIN accounts_organisation o ON o.id = t.organisation_id"
    " WHERE o.is_this_council ORDER BY t.name"
)
GAPS_PAGE_SQL = (  # the page's columns only (transitions.selectors.gap_page)
    "SELECT g.id, g.person_id, g.rule, g.detail, g.since, p.given_name, p.family_name, p.reference, g.team_id,"
    " t.name"
    " FROM transitions_gap g JOIN people_person p ON p.id = g.person_id"
    " LEFT JOIN accounts_team t ON t.id = g.team_id WHERE g.status = 'open' ORDER BY g.since, g.id LIMIT %s OFFSET 0"
)

# The discharge board (discharges.selectors.board), as the hospital social worker: every open referral.
BOARD_LIMIT = 500  # discharges.selectors.BOARD_LIMIT
TRUSTS_SQL = "SELECT o.* FROM accounts_organisation o WHERE o.kind = 'nhs_trust' ORDER BY o.name"
BOARD_SQL = (  # the board's columns only (discharges.selectors.BOARD_COLUMNS)
    "SELECT r.id, r.reference, r.status, r.person_id, p.given_name, p.family_name, p.nhs_number, o.name, r.ward,"
    " r.admitted_on, r.discharge_ready_on, COALESCE(r.agreed_pathway, r.proposed_pathway) AS current_pathway,"
    " r.agreed_pathway, r.next_action, r.next_action_owner_name, t4.name, r.next_action_due, d.label,"
    " r.support_kind, r.support_start_on, r.support_start_time, r.support_provider"
    " FROM discharges_referral r JOIN people_person p ON p.id = r.person_id"
    " JOIN accounts_organisation o ON o.id = r.hospital_id"
    " LEFT JOIN accounts_organisation t4 ON t4.id = r.next_action_owner_organisation_id"
    " LEFT JOIN discharges_delayreason d ON d.code = r.delay_reason_id"
    " WHERE r.status IN ('received', 'assessing', 'ready')"
    " ORDER BY r.discharge_ready_on ASC NULLS LAST, r.admitted_on, r.reference LIMIT %s"
)
FRONT_DOOR_LIMIT = 100  # discharges.selectors.FRONT_DOOR_LIMIT
BOARD_ESSENTIALS_SQL = (  # discharges.selectors.open_essential_counts: open essentials of open referrals' open plans
    "SELECT r.id, COUNT(a.id) FROM transitions_arrangement a JOIN transitions_plan p ON a.plan_id = p.id"
    " JOIN discharges_referral r ON p.id = r.plan_id"
    " WHERE a.is_essential AND r.status IN ('received', 'assessing', 'ready') AND p.status IN ('planning', 'ready')"
    " AND a.status = 'open' GROUP BY r.id"
)
FRONT_DOOR_DISCHARGE_SQL = (  # discharges.selectors.waiting_discharge_work: the work with its person and team
    "SELECT w.*, p.*, t.* FROM work_workitem w"
    " LEFT JOIN discharges_unsafedischargereport u ON u.work_item_id = w.id"
    " LEFT JOIN discharges_referral r ON r.work_item_id = w.id"
    " JOIN people_person p ON p.id = w.person_id JOIN accounts_team t ON t.id = w.team_id"
    " WHERE w.kind = 'discharge' AND u.id IS NULL AND w.closed_at IS NULL AND r.id IS NULL"
    " ORDER BY w.opened_at, w.id LIMIT %s"
)

# The transitions tracker of young people (young_people.selectors.tracker), as the transitions worker.
TRANSITIONS_WORKERS_SQL = (
    "SELECT DISTINCT u.* FROM accounts_user u JOIN accounts_membership m ON m.user_id = u.id"
    " JOIN accounts_team t ON t.id = m.team_id JOIN accounts_organisation o ON o.id = t.organisation_id"
    " WHERE u.is_active AND t.kind = 'transitions' AND o.is_this_council AND NOT EXISTS"
    " (SELECT 1 FROM accounts_membership u1 WHERE u1.role = 'partner' AND u1.user_id = u.id) ORDER BY u.full_name"
)
YOUNG_PEOPLE_SETTINGS_SQL = (  # the row the page reads, with its change time named last for the stale check
    "SELECT s.*, s.changed_at FROM young_people_youngpeoplesettings s WHERE s.id = 1 LIMIT 1"
)
ON_TRACKER = "p.date_of_death IS NULL AND p.merged_into_id IS NULL AND p.date_of_birth > %s AND p.date_of_birth <= %s"
ADULT_PLAN = (
    "EXISTS(SELECT 1 FROM transitions_plan u0 WHERE u0.kind = 'child_to_adult'"
    " AND u0.person_id = y.person_id AND u0.status <> 'cancelled')"
)
MOVE_PLAN_ON = (  # young_people.selectors._move_plan_on: the earliest open care-leaver plan's date
    "(SELECT u1.planned_on FROM transitions_plan u1 WHERE u1.kind = 'care_leaver'"
    " AND u1.person_id = y.person_id AND u1.status IN ('planning', 'ready') ORDER BY u1.planned_on LIMIT 1)"
)
MOVE_RECORDED_AT = (  # young_people.selectors._move_recorded_at: when a care-leaver plan last recorded a move
    "(SELECT c.created_at FROM transitions_planstatuschange c JOIN transitions_plan u2 ON u2.id = c.plan_id"
    " WHERE u2.kind = 'care_leaver' AND u2.person_id = y.person_id AND c.status = 'moved'"
    " ORDER BY c.created_at DESC LIMIT 1)"
)
YOUNG_PEOPLE_STALE_SQL = (  # young_people.assessments.stale: rows whose stored urgency no longer holds today
    "SELECT y.id FROM young_people_youngperson y JOIN people_person p ON p.id = y.person_id WHERE "
    + ON_TRACKER
    + " AND (y.assessed_on IS DISTINCT FROM %s OR y.assessed_at IS NULL OR y.assessed_at < y.updated_at"
    " OR y.had_adult_plan <> " + ADULT_PLAN + " OR y.assessed_born_on IS DISTINCT FROM p.date_of_birth"
    " OR EXISTS(SELECT 1 FROM young_people_milestonerecord m WHERE m.young_person_id = y.id"
    " AND m.updated_at > y.assessed_at)"
    " OR y.assessed_move_plan_on IS DISTINCT FROM "
    + MOVE_PLAN_ON
    + " OR y.assessed_move_recorded_at IS DISTINCT FROM "
    + MOVE_RECORDED_AT
    + " OR y.assessed_at < %s)"
)
# young_people.selectors._team_works_with: a restricted record is listed only where the user's teams work with the
# person (open work, or closed in the last RECENT_WORK_DAYS, of their teams or allocated to them; a current service).
SHOWN_TO = (  # young_people.selectors._restricted_only_if_related
    " AND NOT EXISTS(SELECT 1 FROM people_person r WHERE r.id = y.person_id AND r.is_restricted AND NOT"
    " (EXISTS(SELECT 1 FROM work_workitem w WHERE (w.closed_at IS NULL{recent})"
    " AND (w.team_id = ANY(%s) OR w.allocated_to_id = %s) AND w.person_id = r.id)"
    " OR EXISTS(SELECT 1 FROM providers_service s WHERE (s.end_on IS NULL OR s.end_on >= %s)"
    " AND s.team_id = ANY(%s) AND s.person_id = r.id)))"
)


def shown_to(now: datetime, today: date, team_ids: list[UUID], user_id: int) -> tuple[str, list[Any]]:
    """SHOWN_TO and its parameters: work closed in the last RECENT_WORK_DAYS counts too, unless that is 0 or less."""
    days = settings.SAFEPATHWAYS.get("RECENT_WORK_DAYS", 0)
    if days <= 0:
        return SHOWN_TO.format(recent=""), [team_ids, user_id, today, team_ids]
    return SHOWN_TO.format(recent=" OR w.closed_at >= %s"), [
        now - timedelta(days=days),
        team_ids,
        user_id,
        today,
        team_ids,
    ]


YOUNG_PEOPLE_COUNTS_SQL = (
    "SELECT count(y.id), count(y.id) FILTER (WHERE y.urgency = 0), count(y.id) FILTER (WHERE y.urgency = 1),"
    " count(y.id) FILTER (WHERE y.urgency < 2), count(y.id) FILTER (WHERE y.move_flagged)"
    " FROM young_people_youngperson y JOIN people_person p ON p.id = y.person_id WHERE " + ON_TRACKER + "{shown_to}"
)
YOUNG_PEOPLE_SQL = (
    "SELECT y.*, "
    + ADULT_PLAN
    + " AS has_adult_plan, "
    + MOVE_PLAN_ON
    + " AS move_plan_on, "
    + MOVE_RECORDED_AT
    + " AS move_recorded_at, p.*, u.*"
    " FROM young_people_youngperson y JOIN people_person p ON p.id = y.person_id"
    " LEFT JOIN accounts_user u ON u.id = y.transitions_worker_id WHERE "
    + ON_TRACKER
    + "{shown_to}"
    + " ORDER BY y.urgency, y.alarm_count DESC, y.next_due_on ASC NULLS LAST, p.family_name, p.given_name, y.id"
    " LIMIT %s"
)
TRACKER_PAGE = 100  # young_people.selectors.TRACKER_PAGE_SIZE
MILESTONES_SQL = (  # young_people.selectors._done_of: what the milestones need of the page's records
    "SELECT m.young_person_id, m.code, m.outcome, m.done_on, m.note FROM young_people_milestonerecord m"
    " WHERE m.young_person_id = ANY(%s) ORDER BY m.done_on"
)

# The DoLS tracker (dols.selectors.tracker), as the DoLS lead: the first page of the requests waiting.
DOLS_PAGE = 50  # dols.selectors.TRACKER_PAGE_SIZE
DOLS_LIST = 50  # dols.selectors.LIST_LIMIT
DOLS_RENEWAL_WINDOW = 28  # dols.models.DolsSettings.renewal_window_days as seeded
DOLS_WAITING = "r.status IN ('received', 'screened', 'allocated', 'assessing', 'signed_off')"
DOLS_IN_FORCE = "r.status IN ('granted', 'reinstated', 'suspended')"
DOLS_SETTINGS_SQL = "SELECT s.* FROM dols_dolssettings s WHERE s.id = 1 LIMIT 21"
DOLS_COUNTS_SQL = (
    "SELECT count(r.id), count(r.id) FILTER (WHERE r.assessments_due_on < %s),"
    " count(r.id) FILTER (WHERE r.priority = 'high'),"
    " count(r.id) FILTER (WHERE r.priority = 'medium' OR r.priority = ''),"
    " count(r.id) FILTER (WHERE r.priority = 'low') FROM dols_dolsrequest r WHERE " + DOLS_WAITING
)
DOLS_WAITING_PAGE_SQL = (  # dols.selectors.TRACKER_WAITING_COLUMNS, read in the order of dols_request_waiting_order
    "SELECT r.id, r.reference, r.person_id, r.managing_authority_id, r.work_item_id, r.request_type, r.received_on,"
    " r.is_urgent, r.assessments_due_on, r.priority, r.status, p.id, p.given_name, p.family_name, l.id, l.name,"
    " w.id, w.team_id, t.id, t.name FROM dols_dolsrequest r JOIN people_person p ON p.id = r.person_id"
    " JOIN providers_location l ON l.id = r.managing_authority_id JOIN work_workitem w ON w.id = r.work_item_id"
    " JOIN accounts_team t ON t.id = w.team_id WHERE " + DOLS_WAITING + " ORDER BY"
    " CASE WHEN r.priority = 'high' THEN 0 WHEN r.priority = 'low' THEN 2 ELSE 1 END, r.assessments_due_on,"
    " r.received_on, r.id LIMIT %s"
)
DOLS_NOT_RENEWED = "NOT EXISTS (SELECT 1 FROM dols_dolsrequest f WHERE f.renews_id = a.id LIMIT 1)"
DOLS_AUTHORISATION_COUNTS_SQL = (
    "SELECT count(r.id) FILTER (WHERE a.ends_on >= %s AND a.ends_on <= %s),"
    " count(r.id) FILTER (WHERE a.ends_on >= %s AND a.ends_on <= %s),"
    " count(r.id) FILTER (WHERE a.ends_on >= %s AND a.ends_on <= %s AND " + DOLS_NOT_RENEWED + "),"
    " count(r.id) FILTER (WHERE a.conditions_review_on <= %s)"
    " FROM dols_dolsrequest r LEFT JOIN dols_authorisation a ON a.request_id = r.id WHERE " + DOLS_IN_FORCE
)
DOLS_RATE_SQL = (
    "SELECT count(*) FROM dols_dolsrequest r WHERE r.received_on > %s AND r.received_on <= %s AND r.renews_id IS NULL"
)
DOLS_ENDS_SQL = (
    "SELECT a.ends_on, count(a.id) FROM dols_authorisation a JOIN dols_dolsrequest r ON r.id = a.request_id"
    " WHERE " + DOLS_IN_FORCE + " AND a.ends_on >= %s AND a.ends_on < %s GROUP BY 1 ORDER BY 1"
)
COURT_REVIEWS_SQL = (
    "SELECT c.*, p.* FROM dols_courtcase c JOIN people_person p ON p.id = c.person_id"
    " WHERE c.review_reminder_on <= %s AND c.status = 'order_made' ORDER BY c.review_due_on"
)
DOLS_AUTHORISATIONS_SQL = (  # one of the three lists (TRACKER_AUTHORISATION_COLUMNS), soonest ending first
    "SELECT r.id, r.reference, r.person_id, p.id, p.given_name, p.family_name, a.id, a.ends_on,"
    " a.conditions_review_on FROM dols_dolsrequest r JOIN dols_authorisation a ON a.request_id = r.id"
    " JOIN people_person p ON p.id = r.person_id WHERE "
    + DOLS_IN_FORCE
    + " AND {where} ORDER BY a.ends_on, r.id LIMIT %s"
)

# The safeguarding dashboard (safeguarding.selectors.dashboard and the three lists), as the safeguarding lead.
SAFEGUARDING_LIST = 50  # safeguarding.views.LIST_LIMIT
OPEN_ENQUIRY_DATES_SQL = "SELECT e.started_on FROM safeguarding_enquiry e WHERE e.concluded_on IS NULL"
CONCERNS_AWAITING_COUNT_SQL = "SELECT count(*) FROM safeguarding_concern c WHERE c.status = 'received'"
CONCERNS_OVERDUE_COUNT_SQL = (
    "SELECT count(*) FROM safeguarding_concern c WHERE c.status = 'received' AND c.decision_due_on < %s"
)
CONCERNS_DECIDED_COUNT_SQL = "SELECT count(*) FROM safeguarding_concern c WHERE c.status = 'decided'"
FRONT_DOOR_SAFEGUARDING = (  # open safeguarding work with no concern recorded yet
    " FROM work_workitem w LEFT JOIN safeguarding_concern c ON c.work_item_id = w.id"
    " WHERE w.closed_at IS NULL AND w.kind = 'safeguarding' AND c.id IS NULL"
)
FRONT_DOOR_SAFEGUARDING_COUNT_SQL = "SELECT count(*)" + FRONT_DOOR_SAFEGUARDING
CONCERNS_AWAITING_SQL = (
    "SELECT c.*, p.* FROM safeguarding_concern c JOIN people_person p ON p.id = c.person_id"
    " WHERE c.status = 'received' ORDER BY c.decision_due_on, c.received_at LIMIT %s"
)
FRONT_DOOR_SAFEGUARDING_SQL = (
    "SELECT w.*, p.*, t.* FROM work_workitem w LEFT JOIN safeguarding_concern c ON c.work_item_id = w.id"
    " JOIN people_person p ON p.id = w.person_id JOIN accounts_team t ON t.id = w.team_id"
    " WHERE w.closed_at IS NULL AND w.kind = 'safeguarding' AND c.id IS NULL ORDER BY w.opened_at LIMIT %s"
)
OPEN_ENQUIRIES_SQL = (
    "SELECT e.*, c.*, p.*, u.* FROM safeguarding_enquiry e JOIN safeguarding_concern c ON c.id = e.concern_id"
    " JOIN people_person p ON p.id = c.person_id JOIN accounts_user u ON u.id = e.officer_id"
    " WHERE e.concluded_on IS NULL ORDER BY e.started_on LIMIT %s"
)

# GET /api/v1/matches/ with a token (core.api_auth.TokenAuthentication, referrals.matching).
API_KEY_SQL = (
    "SELECT k.id, k.user_id, k.*, u.* FROM accounts_apitoken k JOIN accounts_user u ON u.id = k.user_id"
    " WHERE k.revoked_at IS NULL AND k.key_hash = %s ORDER BY k.id LIMIT 1"
)
API_KEY_USED_SQL = "UPDATE accounts_apitoken SET last_used_at = %s WHERE id = %s"
MATCH_BLOCK = 200  # referrals.matching.BLOCK_LIMIT
MATCH_SQL = (
    "SELECT p.id, p.reference, p.given_name, p.family_name, p.preferred_name, p.date_of_birth, p.nhs_number,"
    " p.address_line_1, p.postcode, p.phone, p.is_restricted FROM people_person p"
    " WHERE p.merged_into_id IS NULL AND {block} LIMIT %s"
)


def _like_prefix(token: str) -> str:
    return token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def candidate_filter(text: str, date_of_birth: date | None) -> tuple[str, list[Any]]:
    """The WHERE clause of the selector's candidate query, for a typed text and an optional date of birth."""
    text = text.strip()
    digits = re.sub(r"[\s-]", "", text)
    clauses: list[str] = []
    params: list[Any] = []
    if digits.isdigit() and len(digits) == 10:
        clauses.append("p.nhs_number = %s")
        params.append(digits)
    elif re.fullmatch(r"(?i)sp\d{7}", text):
        clauses.append("p.reference = %s")
        params.append(text.upper())
    elif text:
        # Every word must match one of its name columns (the selector's first query; it asks again with any word
        # only when nobody matches them all, which the benchmark's searches never need).
        for token in [t for t in re.split(r"[^\w'-]+", text.lower()) if t]:
            key = name_key(token)
            ors = ["p.family_name_lower LIKE %s"]
            params.append(_like_prefix(token))
            if key:
                ors += [
                    "p.family_name_key = %s",
                    "p.given_name_key = %s",
                    "p.preferred_name_key = %s",
                    "p.family_name_last_key = %s",
                ]
                params += [key, key, key, key]
            clauses.append("(" + " OR ".join(ors) + ")")
    if date_of_birth:
        clauses.append("p.date_of_birth = %s")
        params.append(date_of_birth)
    return " AND ".join(clauses) or "TRUE", params


class RawClient:
    """Runs the hand-written SQL of a page for one signed-in user, over its own connection."""

    def __init__(self, url: str, *, session_key: str, user_id: int, api_key: str = "") -> None:
        self.conn = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor)
        self.session_key = session_key
        self.user_id = user_id
        self.api_key = api_key  # the API token's key; only its hash is stored, as the server stores it
        self.statements = 0
        self.data_seconds = 0.0

    def close(self) -> None:
        self.conn.close()

    def _fetch(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.statements += 1
        with self.conn.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def _begin_request(self) -> tuple[str, list[tuple[UUID, str]]]:
        """Session, then the user with their memberships: returns the session data and (team id, team kind)."""
        now = datetime.now(UTC)
        session = self._fetch(SESSION_SQL, [now, self.session_key])
        if not session:
            raise RuntimeError("the benchmark session has expired")
        memberships = self._fetch(USER_WITH_MEMBERSHIPS_SQL, [self.user_id])
        return str(session[0][1]), [(row[0], row[1]) for row in memberships]

    def _end_request(self, session_data: str) -> None:
        """Nothing to write in the steady state: the session was written less than a minute ago."""

    def signed_in_only(self) -> int:
        """A page that reads nothing of its own: the floor every page stands on."""
        session_data, _ = self._begin_request()
        self._end_request(session_data)
        return 0

    def search(self, text: str, date_of_birth: date | None = None) -> int:
        """The search page's SQL; returns the number of candidate rows."""
        session_data, _ = self._begin_request()
        started = time.perf_counter()
        where, params = candidate_filter(text, date_of_birth)
        rows = self._fetch(CANDIDATES_SQL.format(where=where), [*params, SEARCH_CANDIDATES])
        self.data_seconds += time.perf_counter() - started
        self._end_request(session_data)
        return len(rows)

    def person_page(self, person_id: UUID) -> int:
        """The person page's SQL; returns the number of rows read for the page."""
        session_data, teams = self._begin_request()
        team_ids = [team_id for team_id, _ in teams]
        started = time.perf_counter()
        now = datetime.now(UTC)
        today = now.astimezone(LONDON).date()
        if not self._fetch(PERSON_SQL, [person_id]):
            raise RuntimeError(f"no person {person_id}")
        related = self._fetch(TEAM_WORK_SQL, [person_id, team_ids, self.user_id]) or self._fetch(
            TEAM_SERVICE_SQL, [person_id, team_ids, today]
        )
        if not related and not self._fetch(GRANT_SQL, [self.user_id, person_id, now]):
            raise RuntimeError("the benchmark user has no relationship with the benchmark person")
        self._fetch(ACCESS_LOG_SQL, [now, self.user_id, person_id])
        rows = 0
        for query, params in (
            (CHRONOLOGY_SQL, [person_id, CHRONOLOGY_PAGE + 1]),
            (ALERTS_SQL, [person_id]),
            (SERVICES_SQL, [person_id, today]),
            (WORK_SQL, [person_id]),
            (RISKS_SQL, [person_id]),
            (CONTACTS_SQL, [person_id]),
            (INVOLVEMENTS_SQL, [person_id, today]),
            (CATEGORIES_SQL, [person_id]),
        ):
            rows += len(self._fetch(query, params))
        self.data_seconds += time.perf_counter() - started
        self._end_request(session_data)
        return rows

    # The work pages -----------------------------------------------------------------------------
    def waiting_list(self, team_id: UUID | None = None, priority: str = "") -> tuple[int, list[UUID]]:
        """The waiting list's first page, optionally filtered by team and priority: (count, row ids)."""
        session_data, _ = self._begin_request()
        started = time.perf_counter()
        filters = ""
        params: list[Any] = []
        if team_id is not None:
            # The filter form finds the chosen team among the teams it lists (COUNCIL_TEAMS_SQL, below).
            filters += " AND w.team_id = %s"
            params.append(team_id)
        if priority:
            filters += " AND w.priority = %s"
            params.append(priority)
        count = self._fetch(WAITING_COUNT_SQL.format(filters=filters), [WAITING_KINDS, *params])[0][0]
        self._fetch(COUNCIL_TEAMS_SQL, [WORK_TEAM_KINDS])
        self._fetch(NEIGHBOURHOODS_SQL)
        rows = self._fetch(WAITING_PAGE_SQL.format(filters=filters), [WAITING_KINDS, *params, WAITING_PAGE])
        self.data_seconds += time.perf_counter() - started
        self._end_request(session_data)
        return int(count), [row[0] for row in rows]

    def duty(self) -> tuple[int, list[UUID]]:
        """The duty view of the user's own work teams (no team chosen): how many, and the ids of the first page."""
        session_data, teams = self._begin_request()
        started = time.perf_counter()
        today = datetime.now(UTC).astimezone(LONDON).date()
        duty_teams = [team_id for team_id, kind in teams if kind in WORK_TEAM_KINDS]
        self._fetch(COUNCIL_TEAMS_SQL, [WORK_TEAM_KINDS])
        count = self._fetch(DUTY_COUNT_SQL, [duty_teams])[0][0]
        rows = self._fetch(DUTY_SQL, [today, today, duty_teams, DUTY_ROWS])
        self.data_seconds += time.perf_counter() - started
        self._end_request(session_data)
        return int(count), [row[0] for row in rows]

    def dashboard(self, team_id: UUID | None = None, team_slug: str = "") -> int:
        """The dashboard of the whole service, or of one team: returns the number waiting."""
        session_data, _ = self._begin_request()
        started = time.perf_counter()
        today = datetime.now(UTC).astimezone(LONDON).date()
        week_start = datetime.combine(today - timedelta(days=today.weekday()), clock_time.min, tzinfo=LONDON)
        ends = [week_start + timedelta(days=7 * (i + 1)) for i in range(-DASHBOARD_WEEKS, 0)]
        week_params: list[Any] = []
        for end in ends:
            week_params += [end, end, end, end - timedelta(days=7), end]
        weeks = ", ".join([DASHBOARD_WEEK_SQL] * len(ends))
        if team_slug:
            self._fetch(DASHBOARD_TEAMS_UNION_SQL, [WAITING_KINDS, team_slug])
        else:
            self._fetch(DASHBOARD_TEAMS_SQL.format(chosen=""), [WAITING_KINDS])
        by_team = [team_id] if team_id else []
        team = " AND w.team_id = %s" if team_id else ""
        waiting = self._fetch(DASHBOARD_WAITING_SQL.format(team=team), [WAITING_KINDS, *by_team])
        self._fetch(DASHBOARD_TREND_SQL.format(weeks=weeks, team=team), [*week_params, WAITING_KINDS, *by_team])
        join = " JOIN work_workitem w ON w.id = b.work_item_id" if team_id else ""
        self._fetch(DASHBOARD_BREACHES_SQL.format(join=join, team=team), by_team)
        self._fetch(DASHBOARD_ALLOCATED_SQL.format(team=team), [WAITING_KINDS, *by_team, week_start])
        to_team = "h.to_team_id = %s" if team_id else ""
        self._fetch(DASHBOARD_HANDOFFS_SQL.format(team=f"{to_team} AND " if team_id else ""), [*by_team, week_start])
        self._fetch(
            DASHBOARD_TOP_SQL.format(
                team=f"{to_team} AND " if team_id else "", uteam="WHERE u.to_team_id = %s " if team_id else ""
            ),
            [*by_team, *by_team],
        )
        self.data_seconds += time.perf_counter() - started
        self._end_request(session_data)
        return sum(row[2] for row in waiting)

    def discharge_board(self) -> int:
        """The discharge board: the trusts for the filter, then every open referral (up to the limit) and the
        essential arrangements still open on their plans, then the discharge work the front door opened that no
        referral has taken over yet (the hospital team plans it)."""
        session_data, _ = self._begin_request()
        started = time.perf_counter()
        self._fetch(TRUSTS_SQL)
        rows = self._fetch(BOARD_SQL, [BOARD_LIMIT + 1])
        if rows:
            self._fetch(BOARD_ESSENTIALS_SQL)
        self._fetch(FRONT_DOOR_DISCHARGE_SQL, [FRONT_DOOR_LIMIT + 1])
        self.data_seconds += time.perf_counter() - started
        self._end_request(session_data)
        return min(len(rows), BOARD_LIMIT)

    def young_people(self, from_age: int = 14) -> int:
        """The tracker: workers for the filter, settings, stale rows (none in the steady state), the counts, the
        first page of young people aged 14 to 25 in order of urgency, and their milestones done."""
        session_data, teams = self._begin_request()
        team_ids = [team_id for team_id, _ in teams]
        started = time.perf_counter()
        now = datetime.now(UTC)
        today = now.astimezone(LONDON).date()
        scope, scope_params = shown_to(now, today, team_ids, self.user_id)
        self._fetch(TRANSITIONS_WORKERS_SQL)
        changed_at = self._fetch(YOUNG_PEOPLE_SETTINGS_SQL)[0][-1]
        oldest = today.replace(year=today.year - 25)
        youngest = today.replace(year=today.year - from_age)
        self._fetch(YOUNG_PEOPLE_STALE_SQL, [oldest, youngest, today, changed_at])
        counts = self._fetch(YOUNG_PEOPLE_COUNTS_SQL.format(shown_to=scope), [oldest, youngest, *scope_params])
        rows = self._fetch(YOUNG_PEOPLE_SQL.format(shown_to=scope), [oldest, youngest, *scope_params, TRACKER_PAGE])
        if rows:
            self._fetch(MILESTONES_SQL, [[row[0] for row in rows]])
        self.data_seconds += time.perf_counter() - started
        self._end_request(session_data)
        return int(counts[0][0])

    def continuity(self) -> tuple[int, list[UUID]]:
        """The continuity view, no filter: (open gaps, the ids of the first page's rows)."""
        session_data, _ = self._begin_request()
        started = time.perf_counter()
        count = sum(row[1] for row in self._fetch(GAPS_BY_RULE_SQL))  # the page's total is the counts' sum
        self._fetch(THIS_COUNCIL_TEAMS_SQL)
        rows = self._fetch(GAPS_PAGE_SQL, [CONTINUITY_PAGE])
        self.data_seconds += time.perf_counter() - started
        self._end_request(session_data)
        return int(count), [row[0] for row in rows]

    def dols_tracker(self) -> tuple[int, list[UUID]]:
        """The DoLS tracker's first page: (requests waiting, the ids of the page's rows in order)."""
        session_data, _ = self._begin_request()
        started = time.perf_counter()
        today = datetime.now(UTC).astimezone(LONDON).date()
        window = DOLS_RENEWAL_WINDOW
        self._fetch(DOLS_SETTINGS_SQL)
        waiting = self._fetch(DOLS_COUNTS_SQL, [today])[0][0]
        rows = self._fetch(DOLS_WAITING_PAGE_SQL, [DOLS_PAGE])
        in_28, in_56, in_window = today + timedelta(days=28), today + timedelta(days=56), today + timedelta(days=window)
        self._fetch(DOLS_AUTHORISATION_COUNTS_SQL, [today, in_28, today, in_56, today, in_window, today])
        self._fetch(DOLS_RATE_SQL, [today - timedelta(weeks=12), today])
        self._fetch(DOLS_ENDS_SQL, [today + timedelta(days=window), today + timedelta(weeks=12, days=window)])
        self._fetch(COURT_REVIEWS_SQL, [today])
        for where, params in (
            ("a.ends_on >= %s AND a.ends_on <= %s", [today, in_28]),
            ("a.ends_on >= %s AND a.ends_on <= %s AND " + DOLS_NOT_RENEWED, [today, in_window]),
            ("a.conditions_review_on <= %s", [today]),
        ):
            self._fetch(DOLS_AUTHORISATIONS_SQL.format(where=where), [*params, DOLS_LIST])
        self.data_seconds += time.perf_counter() - started
        self._end_request(session_data)
        return int(waiting), [row[0] for row in rows]

    def safeguarding_dashboard(self) -> int:
        """The safeguarding dashboard: the tiles, then the three lists; returns the concerns awaiting a decision."""
        session_data, _ = self._begin_request()
        started = time.perf_counter()
        today = datetime.now(UTC).astimezone(LONDON).date()
        self._fetch(OPEN_ENQUIRY_DATES_SQL)
        awaiting = self._fetch(CONCERNS_AWAITING_COUNT_SQL)[0][0]
        self._fetch(CONCERNS_OVERDUE_COUNT_SQL, [today])
        self._fetch(CONCERNS_DECIDED_COUNT_SQL)
        self._fetch(FRONT_DOOR_SAFEGUARDING_COUNT_SQL)
        self._fetch(CONCERNS_AWAITING_SQL, [SAFEGUARDING_LIST])
        self._fetch(FRONT_DOOR_SAFEGUARDING_SQL, [SAFEGUARDING_LIST])
        self._fetch(OPEN_ENQUIRIES_SQL, [SAFEGUARDING_LIST])
        self.data_seconds += time.perf_counter() - started
        self._end_request(session_data)
        return int(awaiting)

    # The matching API -----------------------------------------------------------------------------
    def _begin_api_request(self) -> None:
        """Token authentication (the token with its user; stamp its last use), then the memberships."""
        token = self._fetch(API_KEY_SQL, [hashlib.sha256(self.api_key.encode()).hexdigest()])
        if not token:
            raise RuntimeError("the benchmark API token is not valid")
        token_id, user_id = token[0][0], token[0][1]
        self._fetch(API_KEY_USED_SQL, [datetime.now(UTC), token_id])
        self._fetch(MEMBERSHIPS_SQL, [user_id])

    def api_only(self) -> int:
        """An API request that reads nothing of its own: the floor of the API."""
        self._begin_api_request()
        return 0

    def matches(self, evidence: "Evidence") -> list[UUID]:
        """GET /api/v1/matches/: one block query per kind of evidence; returns the candidates' ids."""
        self._begin_api_request()
        started = time.perf_counter()
        found: dict[UUID, tuple[Any, ...]] = {}
        for block, params in evidence.blocks():
            for row in self._fetch(MATCH_SQL.format(block=block), [*params, MATCH_BLOCK]):
                found.setdefault(row[0], row)
        self.data_seconds += time.perf_counter() - started
        return list(found)


@dataclass(frozen=True)
class Evidence:
    """What a caller of /api/v1/matches/ gives, as the query string carries it."""

    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    nhs_number: str = ""
    postcode: str = ""

    def params(self) -> dict[str, str]:
        given = {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "nhs_number": self.nhs_number,
            "postcode": self.postcode,
        }
        return {name: value for name, value in given.items() if value}

    def blocks(self) -> list[tuple[str, list[Any]]]:
        """The indexed filters referrals.matching._blocks builds, in its order (each capped by the caller)."""
        blocks: list[tuple[str, list[Any]]] = []
        nhs_number = re.sub(r"[\s-]", "", self.nhs_number)
        if len(nhs_number) == 10 and nhs_number.isdigit():  # the API has already refused a bad check digit
            blocks.append(("p.nhs_number = %s", [nhs_number]))
        day = self.date_of_birth
        if day is not None:
            swapped = day.day <= 12 and day.day != day.month
            days = [day, date(day.year, day.day, day.month)] if swapped else [day]
            blocks.append(("p.date_of_birth = ANY(%s)", [days]))
        compact = re.sub(r"\s+", "", self.postcode.upper())
        if compact:
            blocks.append(("p.postcode_compact = %s", [compact]))
        given, family = name_key(self.given_name.strip()), name_key(self.family_name.strip())
        if given and family:
            blocks.append(
                (
                    "((p.given_name_key = %s AND p.family_name_key = %s)"
                    " OR (p.given_name_key = %s AND p.family_name_key = %s))",
                    [given, family, family, given],
                )
            )
        return blocks
