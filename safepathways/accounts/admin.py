from typing import Any

from django.contrib import admin

from safepathways.accounts.models import Membership, Organisation, Team, User


class MembershipInline(admin.TabularInline[Membership, Any]):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    exclude = ["password", "user_permissions", "groups", "last_login"]
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "ons_code", "ods_code", "is_this_council"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "slug", "kind", "organisation"]
