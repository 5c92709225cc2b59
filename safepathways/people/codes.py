"""Code lists for the person record, with their sources (domain-reference.md §5.3, §8.1)."""

from django.db import models


class NHSNumberStatus(models.TextChoices):
    """NHS Number Verification Status (England), UKCore-NHSNumberVerificationStatusEngland."""

    VERIFIED = "01", "Number present and verified"
    NOT_TRACED = "02", "Number present but not traced"
    TRACE_REQUIRED = "03", "Trace required"
    NO_MATCH = "04", "Trace attempted – no match or multiple match found"
    NEEDS_RESOLUTION = "05", "Trace needs to be resolved"
    IN_PROGRESS = "06", "Trace in progress"
    NOT_REQUIRED = "07", "Number not present and trace not required"
    POSTPONED = "08", "Trace postponed (baby under six weeks old)"


class Gender(models.TextChoices):
    # CLD R1 Gender: the exact strings are UNCONFIRMED (domain-reference.md §12); these follow
    # the NHS Data Dictionary "Person stated gender code" wording. They are the defaults only: the list in use is
    # the GenderCode rows (people.models), seeded with these by migration 0006 and edited in the admin. Kept for
    # the default of Person.gender, the synthetic borough and the SG1 return's standard categories.
    MALE = "Male", "Male"
    FEMALE = "Female", "Female"
    OTHER = "Other", "Other (not listed)"
    NOT_KNOWN = "Not known", "Not known"
    NOT_STATED = "Not stated", "Not stated (person asked but declined)"


class Ethnicity(models.TextChoices):
    """2021 Census ethnic groups in the CLD string style (domain-reference.md §5.3)."""

    WHITE_BRITISH = "White - English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "White - Irish"
    WHITE_TRAVELLER = "White - Gypsy or Irish Traveller"
    WHITE_ROMA = "White - Roma"
    WHITE_OTHER = "White - Any other White background"
    MIXED_WHITE_BLACK_CARIBBEAN = "Mixed or Multiple ethnic groups - White and Black Caribbean"
    MIXED_WHITE_BLACK_AFRICAN = "Mixed or Multiple ethnic groups - White and Black African"
    MIXED_WHITE_ASIAN = "Mixed or Multiple ethnic groups - White and Asian"
    MIXED_OTHER = "Mixed or Multiple ethnic groups - Any other Mixed or Multiple background"
    ASIAN_INDIAN = "Asian or Asian British - Indian"
    ASIAN_PAKISTANI = "Asian or Asian British - Pakistani"
    ASIAN_BANGLADESHI = "Asian or Asian British - Bangladeshi"
    ASIAN_CHINESE = "Asian or Asian British - Chinese"
    ASIAN_OTHER = "Asian or Asian British - Any other Asian background"
    BLACK_AFRICAN = "Black, Black British, Caribbean or African - African"
    BLACK_CARIBBEAN = "Black, Black British, Caribbean or African - Caribbean"
    BLACK_OTHER = "Black, Black British, Caribbean or African - Any other Black, Black British or Caribbean background"
    OTHER_ARAB = "Other ethnic group - Arab"
    OTHER_ANY = "Other ethnic group - Any other ethnic group"
    NOT_STATED = "Not stated"
    REFUSED = "Refused"
    NOT_KNOWN = "Not known"


class ContactKind(models.TextChoices):
    CARER = "carer", "Unpaid carer"
    NEXT_OF_KIN = "next_of_kin", "Next of kin"
    FAMILY = "family", "Family member"
    FRIEND = "friend", "Friend or neighbour"
    ADVOCATE = "advocate", "Advocate"
    IMCA = "imca", "Independent mental capacity advocate (IMCA)"
    LPA_HEALTH = "lpa_health", "Attorney – health and welfare (LPA)"
    LPA_FINANCE = "lpa_finance", "Attorney – property and financial affairs (LPA)"
    DEPUTY = "deputy", "Court-appointed deputy"
    APPOINTEE = "appointee", "DWP appointee"


class ProfessionalRole(models.TextChoices):
    GP = "gp", "GP practice"
    DISTRICT_NURSE = "district_nurse", "District nurse"
    COMMUNITY_MENTAL_HEALTH = "community_mental_health", "Community mental health team"
    HOUSING_OFFICER = "housing_officer", "Housing officer"
    POLICE = "police", "Police"
    HOSPITAL = "hospital", "Hospital team"
    CARE_PROVIDER = "care_provider", "Care provider"
    PROBATION = "probation", "Probation"
    VOLUNTARY = "voluntary", "Voluntary sector worker"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    OTHER = "other", "Other professional"


class AlertKind(models.TextChoices):
    RISK_TO_STAFF = "risk_to_staff", "Risk to visiting staff"
    SAFEGUARDING_OPEN = "safeguarding_open", "Safeguarding enquiry open"
    DOLS_IN_PLACE = "dols_in_place", "Deprivation of liberty authorised"
    FIRE_RISK = "fire_risk", "Fire risk"
    HOARDING = "hoarding", "Hoarding"
    ANIMALS = "animals", "Animals in the home"
    ACCESS_ARRANGEMENTS = "access_arrangements", "Key safe or access arrangements"
    COMMUNICATION = "communication", "Communication need – read before contact"
    DO_NOT_DISCLOSE_ADDRESS = "do_not_disclose_address", "Do not disclose address"
    OTHER = "other", "Other"


class Likelihood(models.IntegerChoices):
    RARE = 1, "1 – Rare"
    UNLIKELY = 2, "2 – Unlikely"
    POSSIBLE = 3, "3 – Possible"
    LIKELY = 4, "4 – Likely"
    ALMOST_CERTAIN = 5, "5 – Almost certain"


class Impact(models.IntegerChoices):
    NEGLIGIBLE = 1, "1 – Negligible"
    MINOR = 2, "2 – Minor"
    MODERATE = 3, "3 – Moderate"
    MAJOR = 4, "4 – Major"
    CATASTROPHIC = 5, "5 – Catastrophic"


class AccessReason(models.TextChoices):
    COVERING_DUTY = "covering_duty", "Covering duty for another team"
    NEW_CONTACT = "new_contact", "A new contact or referral about this person"
    SAFEGUARDING = "safeguarding", "A safeguarding concern"
    EMERGENCY = "emergency", "An emergency or out-of-hours situation"
    ALLOCATION = "allocation", "Checking before allocation or transfer"
    OTHER = "other", "Another reason"
