"""Groups of roles that permissions are built from."""

from safepathways.accounts.models import Role

# Staff who work cases: they may record and change information about people.
PRACTITIONER_ROLES = frozenset(
    {
        Role.SOCIAL_WORKER,
        Role.OCCUPATIONAL_THERAPIST,
        Role.DUTY_WORKER,
        Role.FRONT_DOOR_OFFICER,
        Role.TEAM_MANAGER,
        Role.DOLS_LEAD,
        Role.BEST_INTERESTS_ASSESSOR,
        Role.SAFEGUARDING_LEAD,
        Role.PROVIDER_QUALITY_OFFICER,
        Role.CONTINGENCY_LEAD,
    }
)
# Roles that may add a new person to the council's record.
REGISTRATION_ROLES = PRACTITIONER_ROLES | {Role.ADMINISTRATOR}
# Roles that read but do not change case records.
OVERSIGHT_ROLES = frozenset({Role.DIRECTOR, Role.INFORMATION_GOVERNANCE_OFFICER, Role.PANEL_MEMBER})
