"""Code lists for providers and services (domain-reference.md §5.3, §6)."""

from django.db import models


class LocationType(models.TextChoices):
    CARE_HOME_NURSING = "care_home_nursing", "Care home with nursing"
    CARE_HOME = "care_home", "Care home without nursing"
    HOME_CARE = "home_care", "Home care agency"
    SUPPORTED_LIVING = "supported_living", "Supported living"
    EXTRA_CARE = "extra_care", "Extra care housing"
    SHARED_LIVES = "shared_lives", "Shared Lives scheme"
    DAY_SERVICE = "day_service", "Day service"
    REABLEMENT = "reablement", "Reablement service"
    HOSPITAL = "hospital", "Hospital"


class ServiceType(models.TextChoices):
    """CLD Release 1 Service_Type, exact strings (NHS England SQL; Interweave SocialCareServiceCategory)."""

    ST_MAX = "Short Term Support: ST-Max"
    ST_LOW_LEVEL = "Short Term Support: Ongoing Low Level"
    ST_OTHER = "Short Term Support: Other Short Term"
    LT_NURSING = "Long Term Support: Nursing Care"
    LT_RESIDENTIAL = "Long Term Support: Residential Care"
    LT_COMMUNITY = "Long Term Support: Community"
    LT_PRISON = "Long Term Support: Prison"
    CARER_DIRECT = "Carer Support: Direct to Carer"
    CARER_CARED_FOR = "Carer Support: Support involving the person cared-for"


class ServiceComponent(models.TextChoices):
    # The R1 Service_Component list is UNCONFIRMED (domain-reference.md §5.3); this is the
    # V5-derived Interweave list. These are the defaults only: the list in use is the ServiceComponentCode rows
    # (providers.models), seeded with these by migration 0005 and edited in the admin. Kept for the synthetic
    # borough's services.
    REABLEMENT = "Reablement"
    ST_NURSING = "Short Term Nursing Care"
    ST_RESIDENTIAL = "Short Term Residential Care"
    LT_NURSING = "Long Term Nursing Care"
    LT_RESIDENTIAL = "Long Term Residential Care"
    HOME_SUPPORT = "Home Support"
    DAY_SUPPORT = "Day Support"
    MEALS = "Meals"
    TRANSPORT = "Transport"
    EQUIPMENT = "Equipment"
    DIRECT_PAYMENT = "Direct Payment"
    SHARED_LIVES = "Shared Lives"
    SUPPORTED_LIVING = "Community Supported Living"
    PROFESSIONAL_SUPPORT = "Professional Support"
    LEARNING_EMPLOYMENT = "Learning/Education/Employment Support"
    END_OF_LIFE = "End of Life Care"
    EMERGENCY = "Emergency Support"
    OTHER_SHORT_TERM = "Other Short Term Support"
    OTHER_LONG_TERM = "Other Long Term Support"


class DeliveryMechanism(models.TextChoices):
    """CLD Delivery_Mechanism (CLD guidance R1)."""

    DIRECT_PAYMENT = "Direct Payment"
    MANAGED_BUDGET = "CASSR Managed Personal Budget"
    COMMISSIONED = "CASSR Commissioned Support"


class CQCRating(models.TextChoices):
    """CQC overall rating bands of a location (domain-reference.md §7.2; provider ratings use the same words)."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    NOT_RATED = "not_rated", "Not rated"


class ProviderConcernCategory(models.TextChoices):
    """What a provider concern is about.

    No national list exists (domain-reference.md §6.4: local frameworks); these follow the common triggers named
    there (clusters of pressure ulcers or nutrition concerns, contract compliance, CQC findings, whistleblowing,
    allegations about staff). A council wanting others adds them here with a migration.
    """

    QUALITY_OF_CARE = "quality_of_care", "Quality of care"
    MEDICATION = "medication", "Medication"
    PRESSURE_ULCERS = "pressure_ulcers", "Pressure ulcers and skin care"
    NUTRITION = "nutrition", "Nutrition and hydration"
    FALLS = "falls", "Falls"
    STAFFING = "staffing", "Staffing levels or training"
    STAFF_CONDUCT = "staff_conduct", "Allegations about staff"
    ENVIRONMENT = "environment", "Environment, infection control or safety"
    LEADERSHIP = "leadership", "Leadership and governance"
    CONTRACT_COMPLIANCE = "contract_compliance", "Contract compliance"
    CQC_FINDINGS = "cqc_findings", "CQC rating, warning notice or enforcement"
    FINANCIAL = "financial", "Financial viability"
    OTHER = "other", "Other"
