"""REST endpoints of young_people, mounted under /api/v1/ by safepathways.api.urls."""

urlpatterns: list[object] = []
