"""The fixed shape of the synthetic borough: organisations, teams, neighbourhoods and demo staff."""

from dataclasses import dataclass

from safepathways.accounts.models import OrganisationKind, Role, TeamKind

COUNCIL = ("London Borough of Camden", OrganisationKind.COUNCIL, "E09000007", "")
# Neighbouring councils of the NCL partnership with their ONS codes (domain-reference.md §8.2).
NEIGHBOURS = [
    ("London Borough of Barnet", "E09000003"),
    ("London Borough of Enfield", "E09000010"),
    ("London Borough of Haringey", "E09000014"),
    ("London Borough of Islington", "E09000019"),
]
# NHS bodies: ICB code QMJ is confirmed (domain-reference.md §8.2); trust codes are public ODS codes.
NHS_ORGANISATIONS = [
    ("NHS North Central London Integrated Care Board", OrganisationKind.ICB, "QMJ"),
    ("Royal Free London NHS Foundation Trust", OrganisationKind.NHS_TRUST, "RAL"),
    ("University College London Hospitals NHS Foundation Trust", OrganisationKind.NHS_TRUST, "RRV"),
    ("Whittington Health NHS Trust", OrganisationKind.NHS_TRUST, "RKE"),
]
# Fictional GP practices with codes in a made-up range, so nothing points at a real practice.
GP_PRACTICES = [
    (f"{name} Medical Centre", f"Y9{index:04d}")
    for index, name in enumerate(
        [
            "Kentish Town",
            "Belsize",
            "Somers",
            "Bloomsbury",
            "Gospel Oak",
            "West Hampstead",
            "Highgate Road",
            "Primrose",
        ],
        start=1,
    )
]
OTHER_PARTNERS = [
    ("Metropolitan Police Service", OrganisationKind.POLICE),
    ("Camden Housing Options", OrganisationKind.HOUSING),
    ("Borough Carers Centre", OrganisationKind.VOLUNTARY),
    # A fictional care home provider: a DoLS managing authority using the web pages (dols:your_requests).
    ("Rosewood Care Ltd", OrganisationKind.CARE_PROVIDER),
]

# Five neighbourhoods, each with its postcode districts (PostcodeArea prefixes).
NEIGHBOURHOODS = {
    "North West": ["NW3", "NW6", "NW2"],
    "North East": ["NW5", "N6", "N19"],
    "Central": ["NW1", "NW8"],
    "South": ["WC1", "WC2", "EC1"],
    "East": ["N7", "N1"],
}

COUNCIL_TEAMS = [
    *[
        (f"{name} neighbourhood team", f"neighbourhood-{name.lower().replace(' ', '-')}", TeamKind.NEIGHBOURHOOD)
        for name in NEIGHBOURHOODS
    ],
    ("Front door", "front-door", TeamKind.FRONT_DOOR),
    ("Occupational therapy duty", "ot-duty", TeamKind.OT_DUTY),
    ("Hospital social work – Royal Free", "hospital-royal-free", TeamKind.HOSPITAL_SOCIAL_WORK),
    ("Hospital social work – UCLH", "hospital-uclh", TeamKind.HOSPITAL_SOCIAL_WORK),
    ("DoLS team", "dols", TeamKind.DOLS),
    ("Safeguarding adults", "safeguarding", TeamKind.SAFEGUARDING),
    ("Transitions", "transitions", TeamKind.TRANSITIONS),
    ("Emergency duty (out of hours)", "out-of-hours", TeamKind.OUT_OF_HOURS),
    ("Provider quality", "provider-quality", TeamKind.PROVIDER_QUALITY),
    ("Contingency planning", "contingency", TeamKind.CONTINGENCY),
    ("Information governance", "information-governance", TeamKind.INFORMATION_GOVERNANCE),
    ("Adult social care leadership", "leadership", TeamKind.LEADERSHIP),
    ("System administration", "administration", TeamKind.ADMINISTRATION),
]
PARTNER_TEAMS = [
    ("Royal Free London NHS Foundation Trust", "Royal Free discharge team", "royal-free-discharge"),
    ("Metropolitan Police Service", "Police safeguarding hub", "police-safeguarding-hub"),
    ("Rosewood Care Ltd", "Rosewood House office", "rosewood-house"),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    team_slug: str
    role: str
    persona: str


DEMO_USERS = [
    DemoUser(
        "admin@camden.example",
        "Alex Admin",
        "administration",
        Role.ADMINISTRATOR,
        "administrator (sets up two-factor at first sign-in)",
    ),
    DemoUser(
        "sam.social-worker@camden.example",
        "Sam Okafor",
        "neighbourhood-north-west",
        Role.SOCIAL_WORKER,
        "social worker",
    ),
    DemoUser(
        "taylor.manager@camden.example", "Taylor Green", "neighbourhood-north-west", Role.TEAM_MANAGER, "team manager"
    ),
    DemoUser("olu.ot@camden.example", "Olu Adeyemi", "ot-duty", Role.OCCUPATIONAL_THERAPIST, "occupational therapist"),
    DemoUser("dana.duty@camden.example", "Dana Price", "front-door", Role.DUTY_WORKER, "duty worker"),
    DemoUser(
        "farah.frontdoor@camden.example", "Farah Khan", "front-door", Role.FRONT_DOOR_OFFICER, "front-door officer"
    ),
    DemoUser("dee.dols@camden.example", "Dee Morgan", "dols", Role.DOLS_LEAD, "DoLS lead"),
    DemoUser("bea.bia@camden.example", "Bea Laurent", "dols", Role.BEST_INTERESTS_ASSESSOR, "best interests assessor"),
    DemoUser(
        "sol.safeguarding@camden.example", "Sol Reyes", "safeguarding", Role.SAFEGUARDING_LEAD, "safeguarding lead"
    ),
    DemoUser(
        "hana.hospital@camden.example", "Hana Ito", "hospital-royal-free", Role.SOCIAL_WORKER, "hospital social worker"
    ),
    DemoUser("tom.transitions@camden.example", "Tom Byrne", "transitions", Role.SOCIAL_WORKER, "transitions worker"),
    DemoUser("owen.ooh@camden.example", "Owen Hale", "out-of-hours", Role.DUTY_WORKER, "out-of-hours worker"),
    DemoUser(
        "pat.quality@camden.example",
        "Pat Singh",
        "provider-quality",
        Role.PROVIDER_QUALITY_OFFICER,
        "provider quality officer",
    ),
    DemoUser("cal.contingency@camden.example", "Cal Murray", "contingency", Role.CONTINGENCY_LEAD, "contingency lead"),
    DemoUser(
        "iris.ig@camden.example",
        "Iris Bell",
        "information-governance",
        Role.INFORMATION_GOVERNANCE_OFFICER,
        "information governance officer",
    ),
    DemoUser("drew.director@camden.example", "Drew Wallace", "leadership", Role.DIRECTOR, "director"),
    DemoUser(
        "nina.discharge@royalfree.example",
        "Nina Patel",
        "royal-free-discharge",
        Role.PARTNER,
        "NHS discharge coordinator (partner)",
    ),
    DemoUser(
        "paul.police@met.example",
        "Paul Evans",
        "police-safeguarding-hub",
        Role.PARTNER,
        "police panel member (partner)",
    ),
    DemoUser(
        "maria.manager@rosewood.example",
        "Maria Lopez",
        "rosewood-house",
        Role.PARTNER,
        "care home registered manager, DoLS managing authority (partner)",
    ),
]
