"""The REST API, v1, under /api/ (contract: docs/api.md): each app's endpoints, mounted."""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from assessments.api import (
    AssessmentViewSet,
    CalibrationReportView,
    DivergentPairsView,
    EvidenceViewSet,
    FrameworkView,
    PersonMeasuresViewSet,
    SkillsReportView,
)
from assessments.checkins_api import CheckInViewSet, PersonCheckInViewSet
from assessments.cycles_api import CycleViewSet, MyTodosView
from assessments.feedback_api import FeedbackRequestViewSet, PersonFeedbackViewSet
from assessments.growth_api import GrowthActionViewSet, GrowthFocusViewSet, GrowthPlanViewSet
from assessments.path_guide_api import PathGuideView
from assessments.promotions.api import PromotionCaseViewSet
from assessments.promotions.rounds_api import ReviewRoundViewSet
from assessments.roles_api import RolePageViewSet
from people.api import MeView, PeopleViewSet, TokenView, not_found
from people.notifications_api import NotificationSettingsView, NotificationViewSet
from skills.api import CategoryViewSet, SkillViewSet

router = SimpleRouter(use_regex_path=False)
router.register("categories", CategoryViewSet, basename="category")
router.register("skills", SkillViewSet, basename="skill")
# Skills' roles with what the role page shows (holders are people: assessments').
router.register("roles", RolePageViewSet, basename="role")
router.register("people", PeopleViewSet, basename="person")
# gaps/, paths/, team/ under /api/people/{id}/: owned by assessments, same URLs.
router.register("people", PersonMeasuresViewSet, basename="person-measures")
router.register("assessments", AssessmentViewSet, basename="assessment")
# growth-plan/ (and its focus/) under /api/people/{id}/, its parts by id: assessments'.
router.register("people", GrowthPlanViewSet, basename="person-growth-plan")
router.register("growth-plan/focus", GrowthFocusViewSet, basename="growth-focus")
router.register("growth-plan/actions", GrowthActionViewSet, basename="growth-action")
router.register("evidence", EvidenceViewSet, basename="evidence")
# Input from others: requests by id, and feedback/ under /api/people/{id}/.
router.register("feedback-requests", FeedbackRequestViewSet, basename="feedback-request")
router.register("people", PersonFeedbackViewSet, basename="person-feedback")
# 1:1 check-ins: checkins/ under /api/people/{id}/, and each by id.
router.register("people", PersonCheckInViewSet, basename="person-checkins")
router.register("checkins", CheckInViewSet, basename="checkin")
# Review cycles, and the caller's to-dos in them (me/todos/, below).
router.register("cycles", CycleViewSet, basename="cycle")
# The caller's own notifications (people.notifications).
router.register("me/notifications", NotificationViewSet, basename="notification")
# Promotion cases (issue 20).
router.register("promotion-cases", PromotionCaseViewSet, basename="promotion-case")
# Review rounds of promotion cases: the calibration committee (issue 20).
router.register("review-rounds", ReviewRoundViewSet, basename="review-round")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("me/todos/", MyTodosView.as_view(), name="api-me-todos"),
    path("me/path-guide/", PathGuideView.as_view(), name="api-me-path-guide"),
    path(
        "me/notification-settings/",
        NotificationSettingsView.as_view(),
        name="api-notification-settings",
    ),
    path("framework/", FrameworkView.as_view(), name="api-framework"),
    path("reports/skills/", SkillsReportView.as_view(), name="api-reports-skills"),
    path("reports/calibration/", CalibrationReportView.as_view(), name="api-reports-calibration"),
    path("reports/divergent/", DivergentPairsView.as_view(), name="api-reports-divergent"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's settings come as a script file (?script), not inline: see the template.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("", include(router.urls)),
    # Anything else under /api/ is a JSON 404, in debug too (never Django's HTML page).
    re_path(r"^.*$", not_found, name="api-not-found"),
]
