from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import two_factor, two_factor_unlock
from .scheduling import DAY, HOUR, command


@hooks.register("register_admin_urls")
def two_factor_urls():
    return [
        path("two-factor/verify/", two_factor.verify, name="tasteget_2fa_verify"),
        path("two-factor/setup/", two_factor.setup, name="tasteget_2fa_setup"),
        path("two-factor/recovery-codes/", two_factor.recovery_codes, name="tasteget_2fa_recovery_codes"),
        path("two-factor/unlock/", two_factor_unlock.request_unlock, name="tasteget_2fa_unlock_request"),
        path("two-factor/unlock/<str:token>/", two_factor_unlock.unlock, name="tasteget_2fa_unlock"),
        path("two-factor/reset/<int:user_id>/", two_factor_unlock.reset, name="tasteget_2fa_reset"),
    ]


@hooks.register("register_user_listing_buttons")
def two_factor_reset_button(user, request_user):
    return two_factor_unlock.reset_button(user, request_user)


@hooks.register("register_log_actions")
def two_factor_log_actions(actions):
    actions.register_action(two_factor_unlock.RESET_ACTION, _("Lift two-factor pause"), _("Two-factor pause lifted"))


@hooks.register("register_settings_menu_item")
def two_factor_menu_item():
    return MenuItem(_("Two-factor sign-in"), reverse("tasteget_2fa_recovery_codes"), icon_name="key", order=10000)


@hooks.register("register_admin_urls")
def translation_moderation_urls():
    from . import translation_moderation

    return [
        path(
            "translations/<int:translation_id>/submit/",
            translation_moderation.submit_translation,
            name="tasteget_submit_translation",
        )
    ]


@hooks.register("register_periodic_jobs")
def periodic_jobs():
    return [
        # Django leaves expired database sessions in the table until this runs.
        command("clearsessions", DAY),
        # Finished task results hold e-mail bodies (relayed messages): kept a day at most.
        command("prune_task_results", HOUR),
    ]
